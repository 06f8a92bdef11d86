#if canImport(Glibc)
import Glibc
#endif
import CSGUtils
import SCSITransport

/// One command through libsgutils2's pass-through object. Blocks for as long as the kernel's
/// SG_IO ioctl does (up to the command's timeout plus error handling), so it runs only on a
/// device's worker threads, never on Swift's cooperative pool.
enum SGPassThrough {
    /// Largest sense buffer SPC allows.
    static let senseCapacity = 252
    static let pageSize = max(4096, sysconf(Int32(_SC_PAGESIZE)))

    /// Runs `command`, cut into pieces first when it moves more than `maxTransfer` bytes
    /// (see `SGTransferSplit`).
    static func run(_ command: SCSICommand, fd: Int32, maxTransfer: Int?) -> SGOutcome {
        guard let maxTransfer, let pieces = SGTransferSplit.pieces(command, maxBytes: maxTransfer) else {
            return runOne(command, fd: fd)
        }
        var data: [UInt8] = []
        for piece in pieces {
            let o = runOne(piece, fd: fd)
            // Anything but a clean GOOD ends the command with that piece's answer.
            guard o.doResult == 0, o.osError == 0, o.category == 0, o.status == 0 else { return o }
            data += o.data
        }
        return SGOutcome(data: data)
    }

    static func runOne(_ command: SCSICommand, fd: Int32) -> SGOutcome {
        guard let obj = construct_scsi_pt_obj_with_fd(fd, 0) else {
            return SGOutcome(doResult: -ENOMEM)
        }
        defer { destruct_scsi_pt_obj(obj) }
        var cdb = command.cdb
        var sense = [UInt8](repeating: 0, count: senseCapacity)
        let timeoutSeconds = seconds(command.timeout)

        // Page-aligned data buffers: the block layer maps a user buffer page by page onto the
        // queue's max_segments, and an unaligned one needs a page more than its size.
        var length = 0
        switch command.data {
        case .none: break
        case let .toDevice(bytes): length = bytes.count
        case let .fromDevice(n): length = max(0, n)
        }
        var buffer: UnsafeMutableRawPointer?
        if length > 0 {
            guard posix_memalign(&buffer, pageSize, length) == 0, buffer != nil else { return SGOutcome(doResult: -ENOMEM) }
        }
        defer { free(buffer) }
        let data = buffer.map { UnsafeMutableBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: length) }

        return cdb.withUnsafeMutableBufferPointer { cdbBuf in
            sense.withUnsafeMutableBufferPointer { senseBuf in
                set_scsi_pt_cdb(obj, cdbBuf.baseAddress, Int32(cdbBuf.count))
                set_scsi_pt_sense(obj, senseBuf.baseAddress, Int32(senseBuf.count))
                var dataIn: UnsafeMutableBufferPointer<UInt8>?
                switch command.data {
                case .none: break
                case let .toDevice(bytes):
                    if let data {
                        _ = data.initialize(from: bytes)
                        set_scsi_pt_data_out(obj, data.baseAddress, Int32(data.count))
                    }
                case .fromDevice:
                    if let data {
                        data.initialize(repeating: 0)
                        set_scsi_pt_data_in(obj, data.baseAddress, Int32(data.count))
                        dataIn = data
                    }
                }
                return finish(obj, do_scsi_pt(obj, fd, timeoutSeconds, 0), senseBuf, dataIn: dataIn)
            }
        }
    }

    private static func finish(_ obj: OpaquePointer, _ rc: Int32, _ sense: UnsafeMutableBufferPointer<UInt8>,
                               dataIn: UnsafeMutableBufferPointer<UInt8>?) -> SGOutcome {
        var o = SGOutcome(doResult: rc, osError: get_scsi_pt_os_err(obj))
        guard rc == 0 else { return o }
        o.category = get_scsi_pt_result_category(obj)
        o.status = UInt8(truncatingIfNeeded: get_scsi_pt_status_response(obj))
        o.hostStatus = get_scsi_pt_transport_err(obj)
        if o.category == SGOutcome.resultTransportError {
            var text = [CChar](repeating: 0, count: 256)
            _ = get_scsi_pt_transport_err_str(obj, Int32(text.count), &text)
            o.transportDetail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let senseLength = max(0, min(Int(get_scsi_pt_sense_len(obj)), sense.count))
        o.sense = Array(sense.prefix(senseLength))
        if let dataIn {
            let resid = max(0, Int(get_scsi_pt_resid(obj)))
            o.data = Array(dataIn.prefix(max(0, dataIn.count - resid)))
        }
        return o
    }

    /// Whole seconds for the kernel's timer: at least 1, rounded up, within what SG_IO takes.
    static func seconds(_ d: Duration) -> Int32 {
        let c = d.components
        let whole = c.seconds + (c.attoseconds > 0 ? 1 : 0)
        return Int32(min(max(whole, 1), 2_000_000))
    }
}
