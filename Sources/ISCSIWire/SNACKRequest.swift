/// SNACK types (RFC 7143 11.16.1).
public struct SNACKType: RawRepresentable, Equatable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let dataR2T = SNACKType(rawValue: 0)
    public static let status = SNACKType(rawValue: 1)
    public static let dataAck = SNACKType(rawValue: 2)
    public static let rData = SNACKType(rawValue: 3)
}

/// SNACK Request (RFC 7143 11.16), parsed only: with ErrorRecoveryLevel 0 the target answers
/// every SNACK with a Reject, and needs only the fields to log.
///
///     byte 1 1|.|.|.|Type   8-15 LUN   16-19 ITT   20-23 TTT or SNACK Tag
///     28-31 ExpStatSN   40-43 BegRun   44-47 RunLength
public struct SNACKRequest: Equatable, Sendable, ISCSIPDUDecodable {
    public static let opcode = ISCSIOpcode.snackRequest

    public var type: SNACKType
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    /// The TTT (DataACK) or SNACK Tag (R-Data).
    public var targetTransferTagOrSNACKTag: UInt32
    public var expStatSN: UInt32
    public var begRun: UInt32
    /// 0 means "all from BegRun on".
    public var runLength: UInt32

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        type = SNACKType(rawValue: h.flags)
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTagOrSNACKTag = h[.bytes20]
        expStatSN = h[.bytes28]
        begRun = h[.bytes40]
        runLength = h[.bytes44]
    }
}
