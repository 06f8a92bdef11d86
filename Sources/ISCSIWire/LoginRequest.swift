/// Login Request (RFC 7143 11.12).
///
///     byte 0 .|1|0x03   byte 1 T|C|.|.|CSG|NSG   byte 2 Version-max   byte 3 Version-min
///     8-13 ISID   14-15 TSIH   16-19 ITT   20-21 CID   24-27 CmdSN   28-31 ExpStatSN
///     data: text key=value pairs
public struct LoginRequest: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.loginRequest

    /// T: the initiator is ready to move to `nextStage`.
    public var transit: Bool
    /// C: the text continues in the next Login Request.
    public var continues: Bool
    public var currentStage: LoginStage
    /// Meaningful only with `transit`.
    public var nextStage: LoginStage
    public var versionMax: UInt8
    public var versionMin: UInt8
    public var isid: ISID
    /// 0 for a new session; an existing session's handle to add or reinstate a connection.
    public var tsih: UInt16
    public var initiatorTaskTag: UInt32
    public var cid: UInt16
    public var cmdSN: UInt32
    public var expStatSN: UInt32
    public var data: [UInt8]

    public init(transit: Bool, continues: Bool = false, currentStage: LoginStage, nextStage: LoginStage,
                versionMax: UInt8 = 0, versionMin: UInt8 = 0, isid: ISID, tsih: UInt16 = 0, initiatorTaskTag: UInt32,
                cid: UInt16 = 0, cmdSN: UInt32, expStatSN: UInt32 = 0, data: [UInt8] = []) {
        self.transit = transit
        self.continues = continues
        self.currentStage = currentStage
        self.nextStage = nextStage
        self.versionMax = versionMax
        self.versionMin = versionMin
        self.isid = isid
        self.tsih = tsih
        self.initiatorTaskTag = initiatorTaskTag
        self.cid = cid
        self.cmdSN = cmdSN
        self.expStatSN = expStatSN
        self.data = data
    }

    /// The data segment as key=value pairs (complete only when `continues` is false).
    public func parameters() throws -> TextParameters { try TextParameters(parsing: data) }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        transit = h.isFinal
        continues = h.flags & 0x40 != 0
        currentStage = try LoginStage.parse(h.flags >> 2, "Login Request CSG")
        nextStage = try LoginStage.parse(h.flags, "Login Request NSG")
        versionMax = h.opcodeSpecificByte2
        versionMin = h.opcodeSpecificByte3
        isid = ISID(rawValue: h.lun >> 16)
        tsih = UInt16(truncatingIfNeeded: h.lun)
        initiatorTaskTag = h.initiatorTaskTag
        cid = h.be16(20)
        cmdSN = h[.bytes24]
        expStatSN = h[.bytes28]
        data = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, immediate: true, final: transit)
        h.flags = (continues ? 0x40 : 0) | currentStage.rawValue << 2 | nextStage.rawValue
        h.opcodeSpecificByte2 = versionMax
        h.opcodeSpecificByte3 = versionMin
        h.lun = isid.rawValue << 16 | UInt64(tsih)
        h.initiatorTaskTag = initiatorTaskTag
        h.setBE16(cid, 20)
        h[.bytes24] = cmdSN
        h[.bytes28] = expStatSN
        return ISCSIPDU(header: h, data: data)
    }
}
