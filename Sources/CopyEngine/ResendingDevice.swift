import SCSITransport
import SCSIWire

/// A device that sends a command again, after a short pause, while the answer says it was not
/// run, up to `resends` times; then the caller gets the last answer. Each resend is counted
/// under the command's name, so the report shows what crossed the wire. The host engine and
/// the verifier go through it; the offload engines resend through `ThirdPartyCopySender`.
struct ResendingDevice: SCSIDevice {
    let base: any SCSIDevice
    let statistics: CopyStatistics
    let resends: Int

    var address: DeviceAddress { base.address }

    func execute(_ command: SCSICommand) async throws -> SCSIResponse {
        try await resendingWhileNotRun(command.cdb) { try await base.execute(command) }
    }

    func execute(_ command: SCSIBufferedCommand) async throws -> SCSIResponse {
        try await resendingWhileNotRun(command.cdb) { try await base.execute(command) }
    }

    private func resendingWhileNotRun(_ cdb: [UInt8], _ send: () async throws -> SCSIResponse) async throws -> SCSIResponse {
        var attempt = 0
        while true {
            let response = try await send()
            // Resent even when cancelled (the pause is then skipped): a cancelled copy still
            // checks what it got through, and a BUSY must not fail that check.
            guard response.commandWasNotRun, attempt < resends else { return response }
            attempt += 1
            try? await Task.sleep(for: .milliseconds(10 << Swift.min(attempt, 6)))
            statistics.count(Self.name(cdb))
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
    func resending(_ statistics: CopyStatistics, resends: Int) -> CopyEndpoint {
        guard resends > 0 else { return self }
        func wrap(_ d: any SCSIDevice) -> any SCSIDevice { ResendingDevice(base: d, statistics: statistics, resends: resends) }
        return CopyEndpoint(device: wrap(device), report: report, moreSessions: moreSessions.map(wrap))
    }
}
