/// Text Response (RFC 7143 11.11).
///
///     byte 1 F|C   8-15 LUN   16-19 ITT   20-23 TTT   24-27 StatSN   28-31 ExpCmdSN
///     32-35 MaxCmdSN   data: text key=value pairs
///
/// With F set the TTT must be 0xffffffff; without it, a tag the initiator echoes to continue.
public struct TextResponse: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.textResponse

    public var final: Bool
    public var continues: Bool
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    public var targetTransferTag: UInt32
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    public var data: [UInt8]

    public init(final: Bool = true, continues: Bool = false, lun: UInt64 = 0, initiatorTaskTag: UInt32,
                targetTransferTag: UInt32 = BasicHeaderSegment.reservedTag, statSN: UInt32, expCmdSN: UInt32,
                maxCmdSN: UInt32, data: [UInt8] = []) {
        self.final = final
        self.continues = continues
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.data = data
    }

    public func parameters(repeatableKeys: Set<String> = []) throws -> TextParameters {
        try TextParameters(parsing: data, repeatableKeys: repeatableKeys)
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        final = h.isFinal
        continues = h.flags & 0x40 != 0
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTag = h[.bytes20]
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        data = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: final)
        h.flags = continues ? 0x40 : 0
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        return ISCSIPDU(header: h, data: data)
    }
}
