/// Logout Response (RFC 7143 11.15).
///
///     byte 1 1   byte 2 Response   16-19 ITT   24-27 StatSN   28-31 ExpCmdSN   32-35 MaxCmdSN
///     40-41 Time2Wait   42-43 Time2Retain
public struct LogoutResponse: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.logoutResponse

    public var response: LogoutResponseCode
    public var initiatorTaskTag: UInt32
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    /// Seconds to wait before reconnecting for task reassignment (recovery logouts).
    public var time2Wait: UInt16
    /// Seconds the target keeps connection state for reassignment; 0 for a plain close.
    public var time2Retain: UInt16

    public init(response: LogoutResponseCode = .closedSuccessfully, initiatorTaskTag: UInt32, statSN: UInt32,
                expCmdSN: UInt32, maxCmdSN: UInt32, time2Wait: UInt16 = 0, time2Retain: UInt16 = 0) {
        self.response = response
        self.initiatorTaskTag = initiatorTaskTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.time2Wait = time2Wait
        self.time2Retain = time2Retain
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        response = LogoutResponseCode(rawValue: h.opcodeSpecificByte2)
        initiatorTaskTag = h.initiatorTaskTag
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        time2Wait = h.be16(40)
        time2Retain = h.be16(42)
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.opcodeSpecificByte2 = response.rawValue
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h.setBE16(time2Wait, 40)
        h.setBE16(time2Retain, 42)
        return ISCSIPDU(header: h)
    }
}
