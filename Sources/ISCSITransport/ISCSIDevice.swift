import SCSITransport

/// One LUN of an `ISCSISession`. Several devices share the session (and its I_T nexus).
public struct ISCSIDevice: SCSIDevice {
    public let session: ISCSISession
    public let lun: UInt64
    public let address: DeviceAddress

    public func execute(_ command: SCSICommand) async throws -> SCSIResponse {
        try await session.execute(lun: lun, command)
    }

    /// Data-In is read from the socket straight into the buffer, Data-Out sent from it.
    public func execute(_ command: SCSIBufferedCommand) async throws -> SCSIResponse {
        try await session.execute(lun: lun, command)
    }
}
