/// NOP-In (RFC 7143 11.19): the answer to a NOP-Out ping (ITT echoed, TTT 0xffffffff, ping
/// data echoed) or a target ping (ITT 0xffffffff, TTT set, answered by a NOP-Out).
///
///     byte 1 F=1   8-15 LUN   16-19 ITT   20-23 TTT   24-27 StatSN
///     28-31 ExpCmdSN   32-35 MaxCmdSN   data: ping data
public struct NOPIn: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.nopIn

    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    public var targetTransferTag: UInt32
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    public var pingData: [UInt8]

    public init(lun: UInt64 = 0, initiatorTaskTag: UInt32, targetTransferTag: UInt32 = BasicHeaderSegment.reservedTag,
                statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32, pingData: [UInt8] = []) {
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.pingData = pingData
    }

    /// The reply to `ping`: ITT, LUN and data echoed.
    public init(answering ping: NOPOut, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32) {
        self.init(lun: ping.lun, initiatorTaskTag: ping.initiatorTaskTag, statSN: statSN,
                  expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, pingData: ping.pingData)
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTag = h[.bytes20]
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        pingData = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        return ISCSIPDU(header: h, data: pingData)
    }
}
