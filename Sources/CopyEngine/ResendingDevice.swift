import SCSITransport
import SCSIWire

/// A device that sends a command again while the answer says it was not run, until the
/// command's deadline (`resendingWhileNotRun`); then the caller gets the last answer. Each
/// resend is counted under the command's name, so the report shows what crossed the wire. The
/// host engine and the verifier go through it; the offload engines, which can fall back,
/// resend a few times through `ThirdPartyCopySender`.
struct ResendingDevice: SCSIDevice {
    let base: any SCSIDevice
    let statistics: CopyStatistics

    var address: DeviceAddress { base.address }

    func execute(_ command: SCSICommand) async throws -> SCSIResponse {
        try await resendingWhileNotRun(within: command.timeout, resent: { statistics.count(Self.name(command.cdb)) }) {
            try await base.execute(command)
        }
    }

    func execute(_ command: SCSIBufferedCommand) async throws -> SCSIResponse {
        try await resendingWhileNotRun(within: command.timeout, resent: { statistics.count(Self.name(command.cdb)) }) {
            try await base.execute(command)
        }
    }

    /// The names BlockIO and the zero writer count commands under.
    static func name(_ cdb: [UInt8]) -> String {
        guard let first = cdb.first else { return "empty CDB" }
        let code = OperationCode(rawValue: first)
        if code == .serviceActionIn16, cdb.count > 1, cdb[1] & 0x1F == 0x12 { return "GET LBA STATUS" }
        return code.description
    }
}

extension CopyEndpoint {
    /// The same LU (through every session), its commands resent while the answer says they
    /// were not run.
    func resending(_ statistics: CopyStatistics) -> CopyEndpoint {
        func wrap(_ d: any SCSIDevice) -> any SCSIDevice { ResendingDevice(base: d, statistics: statistics) }
        return CopyEndpoint(device: wrap(device), report: report, moreSessions: moreSessions.map(wrap))
    }
}
