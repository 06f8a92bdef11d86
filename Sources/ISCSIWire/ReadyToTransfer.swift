/// Ready To Transfer, R2T (RFC 7143 11.8): the target asks for a range of write data.
///
///     byte 1 1   8-15 LUN   16-19 ITT   20-23 TTT   24-27 StatSN   28-31 ExpCmdSN
///     32-35 MaxCmdSN   36-39 R2TSN   40-43 Buffer Offset   44-47 Desired Data Transfer Length
public struct ReadyToTransfer: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.readyToTransfer

    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    /// The tag the initiator echoes in the Data-Out PDUs answering this R2T.
    public var targetTransferTag: UInt32
    /// The next StatSN (R2Ts do not advance it).
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    /// Counts the command's R2Ts from 0.
    public var r2tSN: UInt32
    public var bufferOffset: UInt32
    /// At most MaxBurstLength.
    public var desiredDataTransferLength: UInt32

    public init(lun: UInt64 = 0, initiatorTaskTag: UInt32, targetTransferTag: UInt32, statSN: UInt32, expCmdSN: UInt32,
                maxCmdSN: UInt32, r2tSN: UInt32, bufferOffset: UInt32, desiredDataTransferLength: UInt32) {
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.r2tSN = r2tSN
        self.bufferOffset = bufferOffset
        self.desiredDataTransferLength = desiredDataTransferLength
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
        r2tSN = h[.bytes36]
        bufferOffset = h[.bytes40]
        desiredDataTransferLength = h[.bytes44]
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h[.bytes36] = r2tSN
        h[.bytes40] = bufferOffset
        h[.bytes44] = desiredDataTransferLength
        return ISCSIPDU(header: h)
    }
}
