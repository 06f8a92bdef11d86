/// The Response field of a SCSI Response (RFC 7143 11.4.3): whether the target completed the
/// command at all. SCSI status only means something with `commandCompleted`.
public struct SCSIServiceResponse: RawRepresentable, Equatable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let commandCompleted = SCSIServiceResponse(rawValue: 0x00)
    public static let targetFailure = SCSIServiceResponse(rawValue: 0x01)
}

/// SCSI Response (RFC 7143 11.4).
///
///     byte 1 1|.|.|o|u|O|U|.   byte 2 Response   byte 3 Status   16-19 ITT
///     20-23 SNACK Tag   24-27 StatSN   28-31 ExpCmdSN   32-35 MaxCmdSN   36-39 ExpDataSN
///     40-43 Bidirectional Read Residual Count   44-47 Residual Count
///     data: SenseLength (2 bytes) + sense data, then response data
///
/// `status` is the SAM status byte (SCSIWire's `SCSIStatus.rawValue`; this module does not
/// depend on SCSIWire).
public struct SCSIResponsePDU: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.scsiResponse

    public var response: SCSIServiceResponse
    public var status: UInt8
    /// o/u and the Bidirectional Read Residual Count.
    public var bidirectionalReadResidual: ResidualCount
    /// O/U and the Residual Count.
    public var residual: ResidualCount
    public var initiatorTaskTag: UInt32
    public var snackTag: UInt32
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    /// Number of Data-In PDUs sent for the command (0 when none were).
    public var expDataSN: UInt32
    public var senseData: [UInt8]
    public var responseData: [UInt8]

    public init(response: SCSIServiceResponse = .commandCompleted, status: UInt8,
                bidirectionalReadResidual: ResidualCount = .none, residual: ResidualCount = .none,
                initiatorTaskTag: UInt32, snackTag: UInt32 = 0, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32,
                expDataSN: UInt32 = 0, senseData: [UInt8] = [], responseData: [UInt8] = []) {
        self.response = response
        self.status = status
        self.bidirectionalReadResidual = bidirectionalReadResidual
        self.residual = residual
        self.initiatorTaskTag = initiatorTaskTag
        self.snackTag = snackTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.expDataSN = expDataSN
        self.senseData = senseData
        self.responseData = responseData
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        let f = h.flags
        response = SCSIServiceResponse(rawValue: h.opcodeSpecificByte2)
        status = h.opcodeSpecificByte3
        bidirectionalReadResidual = try .parse(overflow: f & 0x10 != 0, underflow: f & 0x08 != 0, count: h[.bytes40], "SCSI Response o/u")
        residual = try .parse(overflow: f & 0x04 != 0, underflow: f & 0x02 != 0, count: h[.bytes44], "SCSI Response O/U")
        initiatorTaskTag = h.initiatorTaskTag
        snackTag = h[.bytes20]
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        expDataSN = h[.bytes36]
        let d = pdu.data
        if d.isEmpty {
            senseData = []
            responseData = []
        } else {
            let senseLength = Int(try d.readBE16(at: 0, "SCSI Response SenseLength"))
            try d.requireRange(2, senseLength, "SCSI Response sense data")
            senseData = Array(d[2..<(2 + senseLength)])
            responseData = Array(d[(2 + senseLength)...])
        }
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.flags = (bidirectionalReadResidual.isOverflow ? 0x10 : 0) | (bidirectionalReadResidual.isUnderflow ? 0x08 : 0)
            | (residual.isOverflow ? 0x04 : 0) | (residual.isUnderflow ? 0x02 : 0)
        h.opcodeSpecificByte2 = response.rawValue
        h.opcodeSpecificByte3 = status
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = snackTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h[.bytes36] = expDataSN
        h[.bytes40] = bidirectionalReadResidual.count
        h[.bytes44] = residual.count
        var data: [UInt8] = []
        if !senseData.isEmpty || !responseData.isEmpty {
            // SenseLength is 16 bits; sense data is at most 252 bytes (SPC), so this holds.
            data.appendBE16(UInt16(truncatingIfNeeded: senseData.count))
            data += senseData + responseData
        }
        return ISCSIPDU(header: h, data: data)
    }
}
