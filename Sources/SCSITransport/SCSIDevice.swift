// Re-exported: every user of a device needs the wire types (status, sense, CDB builders).
@_exported import SCSIWire

/// One logical unit reached through some transport (libiscsi, SG_IO, in memory). Everything
/// above this layer talks to devices only through `execute`, so engines and the prober run
/// unchanged against a real array, a kernel block device or a deterministic twin in tests.
public protocol SCSIDevice: Sendable {
    /// Where this LUN lives, for reports and for deciding whether two LUNs share a session.
    var address: DeviceAddress { get }

    /// Sends one command and returns the device's answer. Throws `TransportError` only when
    /// no SCSI answer arrived (connection lost, timeout, device gone).
    func execute(_ command: SCSICommand) async throws -> SCSIResponse

    /// The same for bulk data kept in the caller's buffer: a transport that can moves it in
    /// place; the default goes through `execute(_:)` with arrays (one copy each way).
    func execute(_ command: SCSIBufferedCommand) async throws -> SCSIResponse
}

extension SCSIDevice {
    public func execute(_ command: SCSIBufferedCommand) async throws -> SCSIResponse {
        var r = try await execute(command.arrayCommand)
        switch command.direction {
        case .fromDevice:
            let n = Swift.min(r.data.count, command.length)
            r.data.withUnsafeBytes { command.buffer.bytes(n).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
            r.bufferedBytes = n
        case .toDevice:
            r.bufferedBytes = r.status == .good ? command.length : 0
        }
        r.data = []
        return r
    }
}

/// Enough to tell whether two LUNs can be named in one EXTENDED COPY: LIO and others only copy
/// between LUNs reachable through the session that receives the command.
public struct DeviceAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case iscsi, sg, memory }
    public var kind: Kind
    /// The I_T nexus: "host:port/iqn" for iSCSI, the device path for SG_IO.
    public var nexus: String
    public var lun: UInt64
    /// What the user typed, credentials removed.
    public var display: String

    public init(kind: Kind, nexus: String, lun: UInt64, display: String) {
        self.kind = kind
        self.nexus = nexus
        self.lun = lun
        self.display = display
    }

    public var description: String { display }
}
