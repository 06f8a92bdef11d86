/// Task Management Function Response (RFC 7143 11.6).
///
///     byte 1 1   byte 2 Response   16-19 ITT   24-27 StatSN   28-31 ExpCmdSN   32-35 MaxCmdSN
public struct TaskManagementResponse: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.taskManagementResponse

    public var response: TaskManagementResponseCode
    public var initiatorTaskTag: UInt32
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32

    public init(response: TaskManagementResponseCode, initiatorTaskTag: UInt32, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32) {
        self.response = response
        self.initiatorTaskTag = initiatorTaskTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        response = TaskManagementResponseCode(rawValue: h.opcodeSpecificByte2)
        initiatorTaskTag = h.initiatorTaskTag
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.opcodeSpecificByte2 = response.rawValue
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        return ISCSIPDU(header: h)
    }
}
