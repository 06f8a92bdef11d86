import Foundation

/// A sysfs tree in a temporary directory, laid out as the kernel does it: device directories
/// under devices/, class directories with `device` links to their H:C:T:L directory, and
/// dev/block|char/MAJ:MIN links.
final class FakeSysfs {
    let root: String
    private let fm = FileManager.default

    init() throws {
        root = NSTemporaryDirectory() + "fake-sysfs-" + UUID().uuidString
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? fm.removeItem(atPath: root) }

    private func mkdir(_ rel: String) throws {
        try fm.createDirectory(atPath: "\(root)/\(rel)", withIntermediateDirectories: true)
    }

    func write(_ rel: String, _ text: String) throws {
        try mkdir((rel as NSString).deletingLastPathComponent)
        try (text + "\n").write(toFile: "\(root)/\(rel)", atomically: true, encoding: .utf8)
    }

    /// A relative symlink, as sysfs makes them.
    func link(_ rel: String, to targetRel: String) throws {
        try mkdir((rel as NSString).deletingLastPathComponent)
        let fromDir = ((rel as NSString).deletingLastPathComponent as NSString).pathComponents.filter { $0 != "/" }
        let up = Array(repeating: "..", count: fromDir.count).joined(separator: "/")
        try fm.createSymbolicLink(atPath: "\(root)/\(rel)", withDestinationPath: up.isEmpty ? targetRel : "\(up)/\(targetRel)")
    }

    /// devices/…/hostH/targetH:C:T/H:C:T:L
    func scsiDeviceDir(_ h: Int, _ c: Int, _ t: Int, _ l: Int, adapter: String = "pseudo_0/adapter0") -> String {
        "devices/\(adapter)/host\(h)/target\(h):\(c):\(t)/\(h):\(c):\(t):\(l)"
    }

    /// A SCSI disk with its block node (major 8) and its sg node (major 21).
    @discardableResult
    func addDisk(_ h: Int, _ c: Int, _ t: Int, _ l: Int, sd: String, sdMinor: Int, sg: Int,
                 state: String = "running", maxKB: Int = 512, maxSegments: Int? = nil,
                 adapter: String = "pseudo_0/adapter0") throws -> String {
        let dev = scsiDeviceDir(h, c, t, l, adapter: adapter)
        try write("\(dev)/state", state)
        try write("\(dev)/block/\(sd)/queue/max_hw_sectors_kb", "\(maxKB)")
        if let maxSegments { try write("\(dev)/block/\(sd)/queue/max_segments", "\(maxSegments)") }
        try link("\(dev)/block/\(sd)/device", to: dev)
        try link("\(dev)/scsi_generic/sg\(sg)/device", to: dev)
        try link("dev/block/8:\(sdMinor)", to: "\(dev)/block/\(sd)")
        try link("dev/char/21:\(sg)", to: "\(dev)/scsi_generic/sg\(sg)")
        try link("class/block/\(sd)", to: "\(dev)/block/\(sd)")
        return dev
    }

    func addPartition(of sd: String, device dev: String, number: Int, minor: Int) throws {
        let p = "\(dev)/block/\(sd)/\(sd)\(number)"
        try write("\(p)/partition", "\(number)")
        try link("dev/block/8:\(minor)", to: p)
    }

    /// A device-mapper map with the given slaves (block directories of sd devices).
    func addMap(_ n: Int, name: String, uuid: String, slaves: [(sd: String, dev: String)]) throws {
        let d = "devices/virtual/block/dm-\(n)"
        try write("\(d)/dm/name", name)
        try write("\(d)/dm/uuid", uuid)
        try write("\(d)/queue/max_hw_sectors_kb", "256")
        try mkdir("\(d)/slaves")
        for s in slaves { try link("\(d)/slaves/\(s.sd)", to: "\(s.dev)/block/\(s.sd)") }
        try link("dev/block/253:\(n)", to: d)
    }

    /// A block device that is not SCSI (a virtio disk: its `device` is virtioN).
    func addVirtioDisk(_ name: String, minor: Int) throws {
        let d = "devices/pci0000:00/0000:00:04.0/virtio1/block/\(name)"
        try write("\(d)/queue/max_hw_sectors_kb", "1024")
        try link("\(d)/device", to: "devices/pci0000:00/0000:00:04.0/virtio1")
        try link("dev/block/252:\(minor)", to: d)
    }
}
