import SCSITransport

/// A device path as users give it: /dev/sgN, /dev/sdX, /dev/disk/by-id/..., /dev/mapper/...
/// Symlinks are kept as typed for reports; the nexus is the resolved path, so two names of one
/// device are recognised as one.
public struct SGDevicePath: Sendable, Hashable, CustomStringConvertible {
    public var path: String

    public init(parsing text: String) throws {
        guard text.hasPrefix("/"), !text.hasSuffix("/"), !text.contains("\0") else {
            throw TransportError.invalidURL(text, reason: "a device path is absolute, like /dev/sg1 or /dev/disk/by-id/wwn-0x...")
        }
        path = text
    }

    public var description: String { path }
}
