#if canImport(Glibc)
import Glibc
#endif

/// Reads sysfs to learn what a device node is: which SCSI device (H:C:T:L) commands sent to it
/// reach, the I_T nexus that device sits behind, and for a dm-multipath map, its paths.
/// The root is a parameter so tests can lay out a fake tree in a temporary directory.
public struct SGSysfs: Sendable {
    public var root: String

    public init(root: String = "/sys") { self.root = root }

    /// What a device node leads to.
    public struct Node: Sendable, Equatable {
        /// Kernel name of the node's device: sdb, sg1, dm-3.
        public var kernelName: String
        /// The SCSI device commands reach (for a multipath map: the path chosen below), if any.
        public var scsi: SCSIHostAddress?
        /// Real sysfs path of the SCSI target directory (…/hostH/targetH:C:T): the nexus.
        public var targetPath: String?
        /// Largest data transfer the kernel takes in one SG_IO call from a page-aligned buffer:
        /// queue/max_hw_sectors_kb, and queue/max_segments pages.
        public var maxTransferBytes: Int?
        /// Set for a dm-multipath map.
        public var multipath: Multipath?
        /// For a disk: its SCSI generic node (sg1), which takes commands a block device refuses
        /// to processes without CAP_SYS_RAWIO.
        public var genericName: String?
    }

    public struct Multipath: Sendable, Equatable {
        public struct Path: Sendable, Equatable {
            public var kernelName: String
            public var scsi: SCSIHostAddress?
            /// The SCSI device state: running, offline, blocked, transport-offline…
            public var state: String
        }
        /// The map's name (/dev/mapper/NAME) and its kernel name (dm-N).
        public var name: String
        public var kernelName: String
        public var paths: [Path]
        /// The path the nexus and the display are taken from: the first running path in
        /// H:C:T:L order. The kernel sends each command down the map's current path; which one
        /// that is only dm knows, so two maps on one array pick the same nexus consistently.
        public var chosen: Path
    }

    /// Why a node cannot take SCSI commands for one whole logical unit.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case partition(name: String, parent: String)
        case notMultipath(map: String, uuid: String)
        case noPaths(map: String)

        public var description: String {
            switch self {
            case let .partition(name, parent):
                return "\(name) is a partition of \(parent); SCSI commands address the whole logical unit, so give /dev/\(parent)"
            case let .notMultipath(map, uuid):
                let what = uuid.hasPrefix("LVM-") ? "an LVM volume" : uuid.hasPrefix("CRYPT-") ? "a dm-crypt volume"
                    : uuid.hasPrefix("part") ? "a partition map" : uuid.isEmpty ? "a device-mapper map" : "a device-mapper map (uuid \(uuid))"
                return "\(map) is \(what), not a dm-multipath map: only a multipath map passes SCSI commands to one whole logical unit; give the LUN's own device (/dev/sdX or /dev/mapper/<multipath map>)"
            case let .noPaths(map):
                return "dm-multipath map \(map) has no paths (no slaves in sysfs), so it cannot pass SCSI commands"
            }
        }
    }

    /// Describes the block or character device major:minor. Nil when sysfs has no entry for it
    /// (sysfs not mounted, or a device sysfs does not list); throws for nodes that must not be
    /// used (partitions, device-mapper maps other than multipath).
    public func node(block: Bool, major: UInt32, minor: UInt32) throws(Refusal) -> Node? {
        guard let dir = realPath("\(root)/dev/\(block ? "block" : "char")/\(major):\(minor)") else { return nil }
        let name = basename(dir)
        if block && exists("\(dir)/partition") {
            throw .partition(name: name, parent: basename(dirname(dir)))
        }
        if block && exists("\(dir)/dm") {
            return try multipathNode(dir: dir, kernelName: name)
        }
        let (scsi, target) = scsiDevice(of: dir)
        var node = Node(kernelName: name, scsi: scsi, targetPath: target)
        node.maxTransferBytes = block ? maxTransfer(queueOf: dir) : scsiDeviceDir(of: dir).flatMap(maxTransfer(ofSCSIDevice:))
        if block, let dev = scsiDeviceDir(of: dir) { node.genericName = list("\(dev)/scsi_generic").first }
        return node
    }

    private func multipathNode(dir: String, kernelName: String) throws(Refusal) -> Node {
        let mapName = read("\(dir)/dm/name") ?? kernelName
        let uuid = read("\(dir)/dm/uuid") ?? ""
        guard uuid.hasPrefix("mpath-") else { throw .notMultipath(map: mapName, uuid: uuid) }
        var paths: [Multipath.Path] = []
        for slave in list("\(dir)/slaves") {
            guard let slaveDir = realPath("\(dir)/slaves/\(slave)") else { continue }
            let (scsi, _) = scsiDevice(of: slaveDir)
            let state = read("\(slaveDir)/device/state") ?? "unknown"
            paths.append(.init(kernelName: basename(slaveDir), scsi: scsi, state: state))
        }
        paths.sort { a, b in
            switch (a.scsi, b.scsi) {
            case let (x?, y?): return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a.kernelName < b.kernelName
            }
        }
        guard let chosen = paths.first(where: { $0.state == "running" }) ?? paths.first else { throw .noPaths(map: mapName) }
        let slaveDir = realPath("\(dir)/slaves/\(chosen.kernelName)")
        let target = slaveDir.flatMap { scsiDevice(of: $0).1 }
        var node = Node(kernelName: kernelName, scsi: chosen.scsi, targetPath: target,
                        multipath: Multipath(name: mapName, kernelName: kernelName, paths: paths, chosen: chosen))
        node.maxTransferBytes = maxTransfer(queueOf: dir)
        return node
    }

    /// The SCSI device directory (…/H:C:T:L) a block or sg class directory belongs to.
    private func scsiDeviceDir(of classDir: String) -> String? {
        guard let dev = realPath("\(classDir)/device"), SCSIHostAddress(sysfsName: basename(dev)) != nil else { return nil }
        return dev
    }

    /// The H:C:T:L and the real path of the target directory above it.
    private func scsiDevice(of classDir: String) -> (SCSIHostAddress?, String?) {
        guard let dev = scsiDeviceDir(of: classDir), let hctl = SCSIHostAddress(sysfsName: basename(dev)) else { return (nil, nil) }
        let parent = dirname(dev)
        // Real sysfs puts H:C:T:L under targetH:C:T; anything else still gets a stable name.
        let target = basename(parent) == "target\(hctl.nexusName)" ? parent : "\(parent)/target\(hctl.nexusName)"
        return (hctl, target)
    }

    private func maxTransfer(queueOf blockDir: String) -> Int? {
        let hw = read("\(blockDir)/queue/max_hw_sectors_kb").flatMap { Int($0) }.map { $0 * 1024 }
        let segments = read("\(blockDir)/queue/max_segments").flatMap { Int($0) }.map { $0 * Int(SGPassThrough.pageSize) }
        switch (hw, segments) {
        case let (h?, s?): return min(h, s)
        case let (h, s): return h ?? s
        }
    }

    private func maxTransfer(ofSCSIDevice dev: String) -> Int? {
        list("\(dev)/block").first.flatMap { maxTransfer(queueOf: "\(dev)/block/\($0)") }
    }

    // MARK: - File helpers

    func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    private func exists(_ p: String) -> Bool { access(p, F_OK) == 0 }

    private func read(_ p: String) -> String? {
        guard let f = fopen(p, "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = fread(&buffer, 1, buffer.count - 1, f)
        let bytes = buffer.prefix(n).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingWhitespace
    }

    private func list(_ p: String) -> [String] {
        guard let d = opendir(p) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

func basename(_ p: String) -> String {
    p.split(separator: "/").last.map(String.init) ?? p
}

func dirname(_ p: String) -> String {
    guard let slash = p.lastIndex(of: "/") else { return "." }
    return slash == p.startIndex ? "/" : String(p[..<slash])
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
