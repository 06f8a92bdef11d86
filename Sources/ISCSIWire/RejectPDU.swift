/// Reject (RFC 7143 11.17): the target refuses a PDU and returns its header.
///
///     byte 1 1   byte 2 Reason   16-19 0xffffffff   24-27 StatSN   28-31 ExpCmdSN
///     32-35 MaxCmdSN   36-39 DataSN/R2TSN   data: the rejected PDU's header
public struct RejectPDU: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.reject

    public var reason: RejectReason
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    /// The DataSN/R2TSN to resend from (for SNACK rejects with recovery), else 0.
    public var dataSNOrR2TSN: UInt32
    /// The rejected PDU's header (48 bytes of BHS; initiators such as libiscsi read its ITT).
    public var rejectedHeader: [UInt8]

    public init(reason: RejectReason, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32, dataSNOrR2TSN: UInt32 = 0,
                rejectedHeader: [UInt8]) {
        self.reason = reason
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.dataSNOrR2TSN = dataSNOrR2TSN
        self.rejectedHeader = rejectedHeader
    }

    /// Rejects the PDU with header `rejected`.
    public init(reason: RejectReason, rejecting rejected: BasicHeaderSegment, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32) {
        self.init(reason: reason, statSN: statSN, expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, rejectedHeader: rejected.encoded())
    }

    /// The rejected header, typed (nil when fewer than 48 bytes came back).
    public var rejected: BasicHeaderSegment? { try? BasicHeaderSegment(parsing: rejectedHeader) }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        reason = RejectReason(rawValue: h.opcodeSpecificByte2)
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        dataSNOrR2TSN = h[.bytes36]
        rejectedHeader = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.opcodeSpecificByte2 = reason.rawValue
        h.initiatorTaskTag = BasicHeaderSegment.reservedTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h[.bytes36] = dataSNOrR2TSN
        return ISCSIPDU(header: h, data: rejectedHeader)
    }
}
