/// Text Request (RFC 7143 11.10).
///
///     byte 0 .|I|0x04   byte 1 F|C   8-15 LUN   16-19 ITT   20-23 TTT   24-27 CmdSN
///     28-31 ExpStatSN   data: text key=value pairs
public struct TextRequest: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.textRequest

    public var immediate: Bool
    public var final: Bool
    public var continues: Bool
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    /// 0xffffffff to start; the target's TTT to continue a multi-PDU exchange.
    public var targetTransferTag: UInt32
    public var cmdSN: UInt32
    public var expStatSN: UInt32
    public var data: [UInt8]

    public init(immediate: Bool = true, final: Bool = true, continues: Bool = false, lun: UInt64 = 0,
                initiatorTaskTag: UInt32, targetTransferTag: UInt32 = BasicHeaderSegment.reservedTag,
                cmdSN: UInt32, expStatSN: UInt32, data: [UInt8] = []) {
        self.immediate = immediate
        self.final = final
        self.continues = continues
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.cmdSN = cmdSN
        self.expStatSN = expStatSN
        self.data = data
    }

    public func parameters() throws -> TextParameters { try TextParameters(parsing: data) }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        immediate = h.isImmediate
        final = h.isFinal
        continues = h.flags & 0x40 != 0
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTag = h[.bytes20]
        cmdSN = h[.bytes24]
        expStatSN = h[.bytes28]
        data = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, immediate: immediate, final: final)
        h.flags = continues ? 0x40 : 0
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes24] = cmdSN
        h[.bytes28] = expStatSN
        return ISCSIPDU(header: h, data: data)
    }
}
