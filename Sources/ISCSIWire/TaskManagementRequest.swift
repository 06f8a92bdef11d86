/// Task Management Function Request (RFC 7143 11.5).
///
///     byte 0 .|I|0x02   byte 1 1|Function   8-15 LUN   16-19 ITT   20-23 Referenced Task Tag
///     24-27 CmdSN   28-31 ExpStatSN   32-35 RefCmdSN   36-39 ExpDataSN
public struct TaskManagementRequest: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.taskManagementRequest

    public var immediate: Bool
    public var function: TaskManagementFunction
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    /// ITT of the task to abort (ABORT TASK, TASK REASSIGN), else 0xffffffff.
    public var referencedTaskTag: UInt32
    public var cmdSN: UInt32
    public var expStatSN: UInt32
    /// CmdSN of the referenced task (ABORT TASK).
    public var refCmdSN: UInt32
    /// For TASK REASSIGN: data the initiator already has.
    public var expDataSN: UInt32

    public init(immediate: Bool = true, function: TaskManagementFunction, lun: UInt64 = 0, initiatorTaskTag: UInt32,
                referencedTaskTag: UInt32 = BasicHeaderSegment.reservedTag, cmdSN: UInt32, expStatSN: UInt32,
                refCmdSN: UInt32 = 0, expDataSN: UInt32 = 0) {
        self.immediate = immediate
        self.function = function
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.referencedTaskTag = referencedTaskTag
        self.cmdSN = cmdSN
        self.expStatSN = expStatSN
        self.refCmdSN = refCmdSN
        self.expDataSN = expDataSN
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        immediate = h.isImmediate
        function = TaskManagementFunction(rawValue: h.flags)
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        referencedTaskTag = h[.bytes20]
        cmdSN = h[.bytes24]
        expStatSN = h[.bytes28]
        refCmdSN = h[.bytes32]
        expDataSN = h[.bytes36]
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, immediate: immediate, final: true)
        h.flags = function.rawValue
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = referencedTaskTag
        h[.bytes24] = cmdSN
        h[.bytes28] = expStatSN
        h[.bytes32] = refCmdSN
        h[.bytes36] = expDataSN
        return ISCSIPDU(header: h)
    }
}
