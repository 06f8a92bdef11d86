/// NOP-Out (RFC 7143 11.18): an initiator ping (ITT set, answered by a NOP-In) or the answer to
/// a target's NOP-In (ITT 0xffffffff, TTT echoed).
///
///     byte 0 .|I|0x00   byte 1 F=1   8-15 LUN   16-19 ITT   20-23 TTT
///     24-27 CmdSN       28-31 ExpStatSN         data: ping data
public struct NOPOut: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.nopOut

    public var immediate: Bool
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    public var targetTransferTag: UInt32
    public var cmdSN: UInt32
    public var expStatSN: UInt32
    public var pingData: [UInt8]

    public init(immediate: Bool = true, lun: UInt64 = 0, initiatorTaskTag: UInt32,
                targetTransferTag: UInt32 = BasicHeaderSegment.reservedTag, cmdSN: UInt32, expStatSN: UInt32,
                pingData: [UInt8] = []) {
        self.immediate = immediate
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.cmdSN = cmdSN
        self.expStatSN = expStatSN
        self.pingData = pingData
    }

    /// True when the initiator expects a NOP-In back (its ITT is not the reserved value).
    public var expectsResponse: Bool { initiatorTaskTag != BasicHeaderSegment.reservedTag }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        immediate = h.isImmediate
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTag = h[.bytes20]
        cmdSN = h[.bytes24]
        expStatSN = h[.bytes28]
        pingData = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, immediate: immediate, final: true)
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes24] = cmdSN
        h[.bytes28] = expStatSN
        return ISCSIPDU(header: h, data: pingData)
    }
}
