/// RECEIVE COPY FAILURE DETAILS(LID1) response (84h SA 04h): the SCSI status and sense data
/// of a failed EXTENDED COPY(LID1), kept by the copy manager because the command's own sense
/// may have been lost. With no details, AVAILABLE DATA is 0 (CTL still returns 60 bytes).
public struct ReceiveCopyFailureDetails: Equatable, Sendable {
    /// Bytes before the sense data.
    public static let fixedLength = 60

    /// COPY COMMAND STATUS (byte 56, a SCSI status), nil when AVAILABLE DATA is 0, meaning the
    /// copy manager has no failure details for the list.
    public var copyCommandStatus: UInt8?
    /// Sense data exactly as stored (fixed or descriptor format), undecoded.
    public var senseData: [UInt8]

    public init(copyCommandStatus: UInt8?, senseData: [UInt8] = []) {
        self.copyCommandStatus = copyCommandStatus
        self.senseData = senseData
    }

    /// AVAILABLE DATA 0 parses as "no details" from 4 bytes on. Otherwise the 60 fixed bytes
    /// must be present; the sense data is clipped to what was returned.
    public init(parsing bytes: [UInt8]) throws {
        let what = "RECEIVE COPY FAILURE DETAILS response"
        let available = try bytes.be32(at: 0, what)
        if available == 0 {
            copyCommandStatus = nil
            senseData = []
            return
        }
        try bytes.checkRange(0, ReceiveCopyFailureDetails.fixedLength, what)
        copyCommandStatus = bytes[56]
        let senseLength = Int(try bytes.be16(at: 58))
        senseData = bytes.clipped(from: ReceiveCopyFailureDetails.fixedLength, count: senseLength)
    }

    /// 4 zero bytes without details; else 60 + sense bytes, AVAILABLE DATA = 56 + sense length.
    public func encoded() throws -> [UInt8] {
        guard let status = copyCommandStatus else {
            guard senseData.isEmpty else {
                throw WireError.invalidField(what: "RECEIVE COPY FAILURE DETAILS", detail: "sense data without a copy command status")
            }
            return [0, 0, 0, 0]
        }
        guard senseData.count <= Int(UInt16.max) else {
            throw WireError.valueOutOfRange(what: "failure details SENSE DATA LENGTH",
                                            value: UInt64(senseData.count), maximum: UInt64(UInt16.max))
        }
        var out = [UInt8](repeating: 0, count: ReceiveCopyFailureDetails.fixedLength)
        out.setBE32(UInt32(ReceiveCopyFailureDetails.fixedLength - 4 + senseData.count), at: 0)
        out[56] = status
        out.setBE16(UInt16(senseData.count), at: 58)
        return out + senseData
    }
}
