import CSGUtils
import Foundation
import SCSITransport

/// A logical unit reached through the Linux kernel's SG_IO pass-through, with libsgutils2's
/// sg_pt API: /dev/sgN, /dev/sdX, /dev/disk/by-id/… links to them, and dm-multipath maps
/// (/dev/mapper/NAME, /dev/dm-N), whose commands the kernel sends down the map's current path.
///
/// Each command runs on one of the device's own threads (SG_IO blocks); callers just await.
/// The kernel enforces the command's timeout (rounded up to whole seconds) and aborts the task
/// when it expires. CHECK CONDITION and other SCSI statuses are answers; `TransportError` is
/// thrown only when no answer came (see `SGOutcome`).
///
/// The address's nexus is the sysfs path of the SCSI target the LU sits behind
/// (…/hostH/targetH:C:T), so two LUNs on one target share it, as two LUNs of one iSCSI session do.
public final class SGIODevice: SCSIDevice, @unchecked Sendable {
    public let address: DeviceAddress
    /// The path as given.
    public let path: SGDevicePath
    /// What sysfs said about the node; nil when sysfs had no entry.
    public let node: SGSysfs.Node?
    /// Largest data transfer the kernel takes in one SG_IO call, when sysfs says. Larger
    /// READ and WRITE commands are sent in pieces of at most this size (`SGTransferSplit`).
    public var maximumTransferBytes: Int? { node?.maxTransferBytes }

    private let fd: Int32
    private let workers: SGWorkers

    /// Commands one device runs at once; more wait in its queue.
    public static let defaultConcurrency = 8

    private init(path: SGDevicePath, fd: Int32, node: SGSysfs.Node?, address: DeviceAddress, concurrency: Int) {
        self.path = path
        self.fd = fd
        self.node = node
        self.address = address
        self.workers = SGWorkers(name: "sgio \(node?.kernelName ?? path.path)", limit: concurrency) {
            _ = scsi_pt_close_device(fd)
        }
    }

    deinit { workers.shutdown() }

    /// Opens the device read-write (commands that change data need it) after checking that the
    /// path is a SCSI logical unit as a whole: not a regular file, partition, LVM volume or NVMe
    /// namespace. Runs on a thread of its own; opening a device node can block.
    public static func open(_ path: SGDevicePath, sysfs: SGSysfs = SGSysfs(), readOnly: Bool = false,
                            concurrency: Int = defaultConcurrency) async throws -> SGIODevice {
        let result: Result<SGIODevice, TransportError> = await withCheckedContinuation { c in
            let thread = Thread {
                SGWorkers.nameThisThread("sgio open")
                c.resume(returning: Result { try openNow(path, sysfs: sysfs, readOnly: readOnly, concurrency: concurrency) }
                    .mapError { $0 as? TransportError ?? .io(path.path, reason: "\($0)") })
            }
            thread.start()
        }
        return try result.get()
    }

    /// The blocking part of `open`.
    static func openNow(_ path: SGDevicePath, sysfs: SGSysfs, readOnly: Bool, concurrency: Int) throws -> SGIODevice {
        let shown = path.path
        var st = stat()
        guard stat(shown, &st) == 0 else {
            let e = errno
            switch e {
            case ENOENT, ENOTDIR: throw TransportError.io(shown, reason: "no such device (the path does not exist)")
            case EACCES: throw TransportError.permissionDenied(shown, reason: "cannot look the path up (a directory is not searchable)")
            default: throw TransportError.io(shown, reason: "cannot stat: \(String(cString: strerror(e)))")
            }
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFBLK || type == S_IFCHR else { throw TransportError.notSCSIDevice(shown) }
        let isBlock = type == S_IFBLK
        let dev = UInt64(st.st_rdev)
        // glibc's gnu_dev_major/minor encoding.
        let major = UInt32(truncatingIfNeeded: (dev >> 8) & 0xFFF) | (UInt32(truncatingIfNeeded: dev >> 32) & ~0xFFF)
        let minor = UInt32(truncatingIfNeeded: dev & 0xFF) | (UInt32(truncatingIfNeeded: dev >> 12) & ~0xFF)

        let node: SGSysfs.Node?
        do { node = try sysfs.node(block: isBlock, major: major, minor: minor) } catch {
            throw TransportError.io(shown, reason: error.description)
        }

        let real = sysfs.realPath(shown) ?? shown
        let fd = scsi_pt_open_device(real, readOnly, 0)
        if fd < 0 {
            switch -fd {
            case EACCES, EPERM:
                throw TransportError.permissionDenied(shown, reason: "cannot open \(readOnly ? "read-only" : "read-write") (needs root, or write access to \(real))")
            case EROFS:
                throw TransportError.permissionDenied(shown, reason: "the device is read-only; copying onto it is impossible")
            case ENXIO, ENODEV:
                throw TransportError.io(shown, reason: "no device behind this node (\(String(cString: strerror(-fd))))")
            default:
                throw TransportError.io(shown, reason: "cannot open: \(String(cString: strerror(-fd)))")
            }
        }
        // libsgutils2 translates SCSI to NVMe for NVMe nodes; that is no SCSI copy manager.
        let kind = check_pt_file_handle(fd, real, 0)
        if kind == 3 || kind == 4 {
            _ = scsi_pt_close_device(fd)
            throw TransportError.io(shown, reason: "an NVMe namespace, not a SCSI logical unit: no SCSI copy offload through it")
        }
        // Every SCSI node answers SG_GET_VERSION_NUM without I/O; /dev/null, virtio disks and
        // maps that cannot pass ioctls to a path do not.
        var version: Int32 = 0
        let sgGetVersionNum: UInt = 0x2282
        if withUnsafeMutablePointer(to: &version, { ioctl(fd, sgGetVersionNum, $0) }) < 0 {
            let e = errno
            _ = scsi_pt_close_device(fd)
            if let mp = node?.multipath {
                throw TransportError.io(shown, reason: "dm-multipath map \(mp.name) (\(mp.kernelName)) does not pass SCSI commands to a path (\(String(cString: strerror(e)))); its paths: \(mp.paths.map { "/dev/\($0.kernelName) \($0.state)" }.joined(separator: ", "))")
            }
            if e == ENOTTY || e == EINVAL || e == ENOTSUP { throw TransportError.notSCSIDevice(shown) }
            if e == ENODEV || e == ENXIO { throw TransportError.deviceGone(shown) }
            throw TransportError.io(shown, reason: "SG_GET_VERSION_NUM failed: \(String(cString: strerror(e)))")
        }
        return SGIODevice(path: path, fd: fd, node: node, address: address(for: path, real: real, node: node),
                          concurrency: concurrency)
    }

    /// kind .sg; nexus: the SCSI target's sysfs path (or the device's real path when sysfs says
    /// nothing); display: the path as given, with what it resolved to when that differs.
    static func address(for path: SGDevicePath, real: String, node: SGSysfs.Node?) -> DeviceAddress {
        guard let node else { return DeviceAddress(kind: .sg, nexus: real, lun: 0, display: path.path) }
        var display = path.path
        if let mp = node.multipath {
            let via = mp.chosen.scsi.map { "\(mp.chosen.kernelName) \($0)" } ?? mp.chosen.kernelName
            display += " (\(mp.kernelName) multipath, \(mp.paths.count) path\(mp.paths.count == 1 ? "" : "s"): commands take the map's current path; nexus of \(via))"
        } else if basename(path.path) != node.kernelName {
            display += " (\(node.kernelName)\(node.scsi.map { " \($0)" } ?? ""))"
        }
        let nexus = node.targetPath ?? node.scsi.map { "scsi \($0.nexusName)" } ?? real
        return DeviceAddress(kind: .sg, nexus: nexus, lun: node.scsi?.lun ?? 0, display: display)
    }

    public func execute(_ command: SCSICommand) async throws -> SCSIResponse {
        let fd = fd, target = address.display
        let genericNode = node.flatMap { $0.multipath == nil ? $0.genericName : nil }.map { "/dev/\($0)" }
        let limit = maximumTransferBytes
        guard let outcome = await workers.run({ SGPassThrough.run(command, fd: fd, maxTransfer: limit) }) else {
            throw TransportError.closed(target)
        }
        return try outcome.result(for: command, target: target, genericNode: genericNode).get()
    }

    /// Stops taking commands; those already queued finish, then the descriptor is closed.
    /// Also happens when the last reference goes away.
    public func close() { workers.shutdown() }
}
