import SCSITransport
import SCSIWire

/// Why a probe could not produce a report. The CLI maps each to its own exit code.
public enum ProbeError: Error, CustomStringConvertible {
    /// A command every SCSI block device must answer failed (INQUIRY, READ CAPACITY).
    case deviceError(command: String, status: SCSIStatus, sense: SenseData?)
    /// The device answered with data the wire module cannot read.
    case malformedAnswer(command: String, error: WireError)
    case notABlockDevice(peripheralDeviceType: UInt8)
    case noLogicalUnit(peripheralQualifier: UInt8)

    public var description: String {
        switch self {
        case let .deviceError(command, status, sense):
            return "\(command) failed: \(status)" + (sense.map { ", \($0)" } ?? "")
        case let .malformedAnswer(command, error):
            return "\(command): malformed answer: \(error)"
        case let .notABlockDevice(pdt):
            return "not a block device (peripheral device type \(hexByte(pdt)))"
        case let .noLogicalUnit(pq):
            return "no logical unit at this address (peripheral qualifier \(pq))"
        }
    }
}
