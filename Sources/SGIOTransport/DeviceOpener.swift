import SCSITransport

/// Opens what a user typed where the CLIs take a device: an absolute path goes to SG_IO.
/// iscsi:// URLs stay with the callers, which share one session per I_T nexus.
public enum DeviceOpener {
    /// True for text naming a device node (/dev/sg1, /dev/sdb, /dev/disk/by-id/…, /dev/mapper/…)
    /// rather than an iscsi:// URL.
    public static func isDevicePath(_ text: String) -> Bool { text.hasPrefix("/") }

    /// Checks the path's form without touching the device, so bad input is reported before any
    /// device or session is opened.
    public static func validate(_ text: String) throws { _ = try SGDevicePath(parsing: text) }

    /// The device at `text`, through SG_IO. Throws `TransportError`: .notSCSIDevice,
    /// .permissionDenied, .io with the reason (partition, LVM volume, missing path…).
    public static func open(_ text: String) async throws -> any SCSIDevice {
        try await SGIODevice.open(SGDevicePath(parsing: text))
    }
}
