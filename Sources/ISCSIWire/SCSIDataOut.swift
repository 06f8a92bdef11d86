/// SCSI Data-Out (RFC 7143 11.7): write data, unsolicited (TTT 0xffffffff) or answering an R2T
/// (its TTT echoed).
///
///     byte 1 F   8-15 LUN   16-19 ITT   20-23 TTT   28-31 ExpStatSN   36-39 DataSN
///     40-43 Buffer Offset   data: the write data
public struct SCSIDataOut: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.dataOut

    /// F: last PDU of this sequence (of the unsolicited burst or of the R2T's data).
    public var final: Bool
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    public var targetTransferTag: UInt32
    public var expStatSN: UInt32
    /// Counts from 0 within each sequence (per R2T, or the unsolicited burst).
    public var dataSN: UInt32
    public var bufferOffset: UInt32
    public var data: [UInt8]

    public init(final: Bool, lun: UInt64 = 0, initiatorTaskTag: UInt32, targetTransferTag: UInt32 = BasicHeaderSegment.reservedTag,
                expStatSN: UInt32, dataSN: UInt32, bufferOffset: UInt32, data: [UInt8]) {
        self.final = final
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.expStatSN = expStatSN
        self.dataSN = dataSN
        self.bufferOffset = bufferOffset
        self.data = data
    }

    public var isUnsolicited: Bool { targetTransferTag == BasicHeaderSegment.reservedTag }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        final = h.isFinal
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTag = h[.bytes20]
        expStatSN = h[.bytes28]
        dataSN = h[.bytes36]
        bufferOffset = h[.bytes40]
        data = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: final)
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes28] = expStatSN
        h[.bytes36] = dataSN
        h[.bytes40] = bufferOffset
        return ISCSIPDU(header: h, data: data)
    }
}
