#if canImport(Glibc)
import Glibc
#endif
import SCSITransport

/// What one SG_IO pass-through returned, as plain numbers read from libsgutils2's object.
/// Kept apart from the C calls so the mapping to answers and errors is tested without a device.
public struct SGOutcome: Sendable, Equatable {
    /// do_scsi_pt's return: 0 sent, negative -errno, positive SCSI_PT_DO_* code.
    public var doResult: Int32
    /// get_scsi_pt_os_err: errno of the ioctl, 0 if none.
    public var osError: Int32
    /// get_scsi_pt_result_category: SCSI_PT_RESULT_*.
    public var category: Int32
    /// get_scsi_pt_status_response: the SCSI status byte.
    public var status: UInt8
    /// get_scsi_pt_transport_err: Linux host byte (DID_*).
    public var hostStatus: Int32
    /// libsgutils2's text for a transport error (get_scsi_pt_transport_err_str), when there is one.
    public var transportDetail: String
    public var sense: [UInt8]
    /// Data-in bytes the device returned: the allocation length less get_scsi_pt_resid.
    public var data: [UInt8]

    public init(doResult: Int32 = 0, osError: Int32 = 0, category: Int32 = 0, status: UInt8 = 0,
                hostStatus: Int32 = 0, transportDetail: String = "", sense: [UInt8] = [], data: [UInt8] = []) {
        self.doResult = doResult
        self.osError = osError
        self.category = category
        self.status = status
        self.hostStatus = hostStatus
        self.transportDetail = transportDetail
        self.sense = sense
        self.data = data
    }

    // libsgutils2's sg_pt.h values, restated so this file needs no C.
    public static let doTimeout: Int32 = 2          // SCSI_PT_DO_TIMEOUT
    public static let doNotSupported: Int32 = 4     // SCSI_PT_DO_NOT_SUPPORTED
    public static let resultTransportError: Int32 = 3
    public static let resultOSError: Int32 = 4

    /// The message a user sees when the kernel refuses 83h/84h to a process without the capability.
    public static let rawIOReason = "EXTENDED COPY and RECEIVE COPY RESULTS need CAP_SYS_RAWIO (run as root)"

    /// The device's answer, or the transport failure that stands in for one. `target` names the
    /// device in errors; `command` supplies the opcode and timeout. `genericNode` (a block
    /// device's /dev/sgN) is suggested when the kernel refuses a command for want of
    /// CAP_SYS_RAWIO: sg checks only nodes opened read-only.
    public func result(for command: SCSICommand, target: String, genericNode: String? = nil) -> Result<SCSIResponse, TransportError> {
        let err = osError != 0 ? osError : (doResult < 0 ? -doResult : 0)
        if err != 0 {
            var e = Self.osFailure(err, command: command, target: target)
            if case let .permissionDenied(t, reason) = e, err == EPERM, let genericNode {
                e = .permissionDenied(t, reason: reason + "; or use \(genericNode), which takes them from anyone allowed to open it read-write")
            }
            return .failure(e)
        }
        if doResult == Self.doTimeout { return .failure(.timeout(target, command.timeout)) }
        if doResult == Self.doNotSupported { return .failure(.notSCSIDevice(target)) }
        if doResult > 0 { return .failure(.io(target, reason: "libsgutils2 refused the command (do_scsi_pt returned \(doResult))")) }
        if hostStatus != 0 { return .failure(Self.hostFailure(hostStatus, command: command, target: target)) }
        // A driver byte other than DRIVER_SENSE: the low-level driver failed the command.
        if category == Self.resultTransportError {
            let detail = transportDetail.split(whereSeparator: \.isNewline).joined(separator: ", ")
            if detail.contains("TIMEOUT") { return .failure(.timeout(target, command.timeout)) }
            return .failure(.io(target, reason: "transport error: " + (detail.isEmpty ? "the driver failed the command" : detail)))
        }
        let scsiStatus = SCSIStatus(rawValue: status)
        var response = SCSIResponse(status: scsiStatus)
        if scsiStatus == .good || status == 0x04 /* CONDITION MET */ {
            response.data = data
        } else {
            response.senseBytes = sense
        }
        return .success(response)
    }

    static func osFailure(_ err: Int32, command: SCSICommand, target: String) -> TransportError {
        let op = command.cdb.first ?? 0
        switch err {
        case EPERM:
            if op == 0x83 || op == 0x84 { return .permissionDenied(target, reason: rawIOReason) }
            return .permissionDenied(target, reason: "the kernel lets only processes with CAP_SYS_RAWIO send SCSI command 0x\(hex(op))")
        case EACCES:
            return .permissionDenied(target, reason: "SCSI command 0x\(hex(op)) needs the device opened read-write")
        case ENODEV, ENXIO:
            return .deviceGone(target)
        case ETIMEDOUT:
            return .timeout(target, command.timeout)
        case ENOTTY, ENOTSUP:
            return .notSCSIDevice(target)
        case EINVAL:
            var size = 0
            switch command.data {
            case let .toDevice(b): size = b.count
            case let .fromDevice(n): size = n
            case .none: break
            }
            return .io(target, reason: "the kernel refused SCSI command 0x\(hex(op)) with \(size) data bytes (EINVAL: more than the queue's max_hw_sectors_kb or max_segments take in one call, or a malformed CDB)")
        case ENOMEM:
            return .io(target, reason: "the kernel could not map \(dataBytes(command)) data bytes for SCSI command 0x\(hex(op)) (ENOMEM)")
        default:
            return .io(target, reason: "SG_IO failed for SCSI command 0x\(hex(op)): \(String(cString: strerror(err))) (errno \(err))")
        }
    }

    /// Linux host byte names (include/scsi/scsi_status.h).
    static let hostByteNames = ["DID_OK", "DID_NO_CONNECT", "DID_BUS_BUSY", "DID_TIME_OUT", "DID_BAD_TARGET", "DID_ABORT",
                                "DID_PARITY", "DID_ERROR", "DID_RESET", "DID_BAD_INTR", "DID_PASSTHROUGH", "DID_SOFT_ERROR",
                                "DID_IMM_RETRY", "DID_REQUEUE", "DID_TRANSPORT_DISRUPTED", "DID_TRANSPORT_FAILFAST",
                                "DID_TARGET_FAILURE", "DID_NEXUS_FAILURE", "DID_ALLOC_FAILURE", "DID_MEDIUM_ERROR",
                                "DID_TRANSPORT_MARGINAL"]

    static func hostFailure(_ host: Int32, command: SCSICommand, target: String) -> TransportError {
        let name = (0..<hostByteNames.count).contains(Int(host)) ? hostByteNames[Int(host)] : "unknown"
        let what = "host status 0x\(hex(UInt8(truncatingIfNeeded: host))) (\(name))"
        switch host {
        case 0x03: return .timeout(target, command.timeout)
        case 0x01, 0x04: return .deviceGone(target)
        case 0x0E, 0x0F, 0x11, 0x14:
            return .connectionLost(target, reason: "the path to the logical unit failed: \(what)")
        default:
            return .io(target, reason: "transport error: \(what)")
        }
    }

    private static func dataBytes(_ c: SCSICommand) -> Int {
        switch c.data {
        case let .toDevice(b): return b.count
        case let .fromDevice(n): return n
        case .none: return 0
        }
    }
}

func hex(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
}
