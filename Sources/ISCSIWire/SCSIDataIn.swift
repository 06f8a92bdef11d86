/// What a Data-In PDU with the S bit carries in place of a separate SCSI Response: the status,
/// StatSN and residual (RFC 7143 11.7). Without S those fields are reserved.
public struct DataInStatus: Equatable, Hashable, Sendable {
    /// SAM status byte; RFC 7143 only allows statuses without sense data here.
    public var status: UInt8
    public var statSN: UInt32
    public var residual: ResidualCount

    public init(status: UInt8, statSN: UInt32, residual: ResidualCount = .none) {
        self.status = status
        self.statSN = statSN
        self.residual = residual
    }
}

/// SCSI Data-In (RFC 7143 11.7).
///
///     byte 1 F|A|0|0|0|O|U|S   byte 3 Status (with S)   8-15 LUN   16-19 ITT   20-23 TTT
///     24-27 StatSN (with S)   28-31 ExpCmdSN   32-35 MaxCmdSN   36-39 DataSN
///     40-43 Buffer Offset   44-47 Residual Count (with S)   data: the read data
public struct SCSIDataIn: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.dataIn

    /// F: last Data-In of the command (or of the sequence); set whenever `status` is.
    public var final: Bool
    /// A: asks for a DataACK SNACK (ErrorRecoveryLevel > 0 only).
    public var acknowledge: Bool
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    public var targetTransferTag: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    public var dataSN: UInt32
    public var bufferOffset: UInt32
    /// Non-nil sets S: the command completes with this PDU.
    public var status: DataInStatus?
    public var data: [UInt8]

    public init(final: Bool, acknowledge: Bool = false, lun: UInt64 = 0, initiatorTaskTag: UInt32,
                targetTransferTag: UInt32 = BasicHeaderSegment.reservedTag, expCmdSN: UInt32, maxCmdSN: UInt32,
                dataSN: UInt32, bufferOffset: UInt32, status: DataInStatus? = nil, data: [UInt8]) {
        self.final = final
        self.acknowledge = acknowledge
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.targetTransferTag = targetTransferTag
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.dataSN = dataSN
        self.bufferOffset = bufferOffset
        self.status = status
        self.data = data
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        let f = h.flags
        final = h.isFinal
        acknowledge = f & 0x40 != 0
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        targetTransferTag = h[.bytes20]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        dataSN = h[.bytes36]
        bufferOffset = h[.bytes40]
        if f & 0x01 != 0 {
            guard final else { throw ISCSIWireError.invalidField(what: "Data-In flags", detail: "S set without F") }
            status = DataInStatus(status: h.opcodeSpecificByte3, statSN: h[.bytes24],
                                  residual: try .parse(overflow: f & 0x04 != 0, underflow: f & 0x02 != 0, count: h[.bytes44], "Data-In O/U"))
        } else {
            status = nil
        }
        data = pdu.data
    }

    /// F is forced on when `status` is set, as RFC 7143 11.7 requires.
    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: final || status != nil)
        var f: UInt8 = acknowledge ? 0x40 : 0
        if let s = status {
            f |= 0x01 | (s.residual.isOverflow ? 0x04 : 0) | (s.residual.isUnderflow ? 0x02 : 0)
            h.opcodeSpecificByte3 = s.status
            h[.bytes24] = s.statSN
            h[.bytes44] = s.residual.count
        }
        h.flags = f
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = targetTransferTag
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h[.bytes36] = dataSN
        h[.bytes40] = bufferOffset
        return ISCSIPDU(header: h, data: data)
    }
}
