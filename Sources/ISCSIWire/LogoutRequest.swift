/// Logout Request (RFC 7143 11.14).
///
///     byte 0 .|I|0x06   byte 1 1|Reason Code   16-19 ITT   20-21 CID   24-27 CmdSN
///     28-31 ExpStatSN
public struct LogoutRequest: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.logoutRequest

    public var immediate: Bool
    public var reason: LogoutReason
    public var initiatorTaskTag: UInt32
    /// The connection to close (reasons 1 and 2; reserved when closing the session).
    public var cid: UInt16
    public var cmdSN: UInt32
    public var expStatSN: UInt32

    public init(immediate: Bool = true, reason: LogoutReason = .closeSession, initiatorTaskTag: UInt32, cid: UInt16 = 0,
                cmdSN: UInt32, expStatSN: UInt32) {
        self.immediate = immediate
        self.reason = reason
        self.initiatorTaskTag = initiatorTaskTag
        self.cid = cid
        self.cmdSN = cmdSN
        self.expStatSN = expStatSN
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        immediate = h.isImmediate
        reason = LogoutReason(rawValue: h.flags)
        initiatorTaskTag = h.initiatorTaskTag
        cid = h.be16(20)
        cmdSN = h[.bytes24]
        expStatSN = h[.bytes28]
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, immediate: immediate, final: true)
        h.flags = reason.rawValue
        h.initiatorTaskTag = initiatorTaskTag
        h.setBE16(cid, 20)
        h[.bytes24] = cmdSN
        h[.bytes28] = expStatSN
        return ISCSIPDU(header: h)
    }
}
