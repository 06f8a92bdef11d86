/// Login Response (RFC 7143 11.13).
///
///     byte 1 T|C|.|.|CSG|NSG   byte 2 Version-max   byte 3 Version-active   8-13 ISID
///     14-15 TSIH   16-19 ITT   24-27 StatSN   28-31 ExpCmdSN   32-35 MaxCmdSN
///     36 Status-Class   37 Status-Detail   data: text key=value pairs
public struct LoginResponse: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.loginResponse

    public var transit: Bool
    public var continues: Bool
    public var currentStage: LoginStage
    public var nextStage: LoginStage
    public var versionMax: UInt8
    public var versionActive: UInt8
    public var isid: ISID
    /// 0 until the final response, which carries the session's handle.
    public var tsih: UInt16
    public var initiatorTaskTag: UInt32
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    public var status: LoginStatus
    public var data: [UInt8]

    public init(transit: Bool, continues: Bool = false, currentStage: LoginStage, nextStage: LoginStage,
                versionMax: UInt8 = 0, versionActive: UInt8 = 0, isid: ISID, tsih: UInt16 = 0, initiatorTaskTag: UInt32,
                statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32, status: LoginStatus = .success, data: [UInt8] = []) {
        self.transit = transit
        self.continues = continues
        self.currentStage = currentStage
        self.nextStage = nextStage
        self.versionMax = versionMax
        self.versionActive = versionActive
        self.isid = isid
        self.tsih = tsih
        self.initiatorTaskTag = initiatorTaskTag
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.status = status
        self.data = data
    }

    public func parameters() throws -> TextParameters { try TextParameters(parsing: data) }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        transit = h.isFinal
        continues = h.flags & 0x40 != 0
        currentStage = try LoginStage.parse(h.flags >> 2, "Login Response CSG")
        nextStage = try LoginStage.parse(h.flags, "Login Response NSG")
        versionMax = h.opcodeSpecificByte2
        versionActive = h.opcodeSpecificByte3
        isid = ISID(rawValue: h.lun >> 16)
        tsih = UInt16(truncatingIfNeeded: h.lun)
        initiatorTaskTag = h.initiatorTaskTag
        statSN = h[.bytes24]
        expCmdSN = h[.bytes28]
        maxCmdSN = h[.bytes32]
        status = LoginStatus(rawValue: h.be16(36))
        data = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: transit)
        h.flags = (continues ? 0x40 : 0) | currentStage.rawValue << 2 | nextStage.rawValue
        h.opcodeSpecificByte2 = versionMax
        h.opcodeSpecificByte3 = versionActive
        h.lun = isid.rawValue << 16 | UInt64(tsih)
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h.setBE16(status.rawValue, 36)
        return ISCSIPDU(header: h, data: data)
    }
}
