/// SCSI Command (RFC 7143 11.3).
///
///     byte 0 .|I|0x01   byte 1 F|R|W|.|.|ATTR   8-15 LUN   16-19 ITT
///     20-23 Expected Data Transfer Length   24-27 CmdSN   28-31 ExpStatSN   32-47 CDB
///     AHS type 1: CDB bytes beyond 16; AHS type 2: bidirectional expected read length
///     data: immediate (write) data
public struct SCSICommandPDU: Equatable, Sendable, ISCSIPDUDecodable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.scsiCommand

    public var immediate: Bool
    /// F: no unsolicited Data-Out follows this PDU.
    public var final: Bool
    /// R: the command reads (Data-In expected).
    public var read: Bool
    /// W: the command writes (Data-Out expected).
    public var write: Bool
    public var attribute: TaskAttribute
    public var lun: UInt64
    public var initiatorTaskTag: UInt32
    public var expectedDataTransferLength: UInt32
    public var cmdSN: UInt32
    public var expStatSN: UInt32
    /// The whole CDB: at least 16 bytes (the BHS field, zero-padded); longer CDBs carry the
    /// rest in an Extended CDB AHS.
    public var cdb: [UInt8]
    /// Expected read length of a bidirectional command (AHS type 2), when present.
    public var bidirectionalReadLength: UInt32?
    /// AHS of other types, kept so nothing received is lost.
    public var otherAHS: [AdditionalHeaderSegment]
    public var immediateData: [UInt8]

    public init(immediate: Bool = false, final: Bool = true, read: Bool = false, write: Bool = false,
                attribute: TaskAttribute = .simple, lun: UInt64 = 0, initiatorTaskTag: UInt32,
                expectedDataTransferLength: UInt32 = 0, cmdSN: UInt32, expStatSN: UInt32, cdb: [UInt8],
                bidirectionalReadLength: UInt32? = nil, otherAHS: [AdditionalHeaderSegment] = [],
                immediateData: [UInt8] = []) {
        self.immediate = immediate
        self.final = final
        self.read = read
        self.write = write
        self.attribute = attribute
        self.lun = lun
        self.initiatorTaskTag = initiatorTaskTag
        self.expectedDataTransferLength = expectedDataTransferLength
        self.cmdSN = cmdSN
        self.expStatSN = expStatSN
        self.cdb = cdb.count < 16 ? cdb + [UInt8](repeating: 0, count: 16 - cdb.count) : cdb
        self.bidirectionalReadLength = bidirectionalReadLength
        self.otherAHS = otherAHS
        self.immediateData = immediateData
    }

    public init(pdu: ISCSIPDU) throws {
        let h = pdu.header
        try h.require(Self.opcode)
        immediate = h.isImmediate
        final = h.isFinal
        read = h.flags & 0x40 != 0
        write = h.flags & 0x20 != 0
        attribute = TaskAttribute(rawValue: h.flags & 0x07)
        lun = h.lun
        initiatorTaskTag = h.initiatorTaskTag
        expectedDataTransferLength = h[.bytes20]
        cmdSN = h[.bytes24]
        expStatSN = h[.bytes28]
        cdb = h.bytes(32, 16)
        bidirectionalReadLength = nil
        otherAHS = []
        var sawExtendedCDB = false
        for ahs in pdu.additionalHeaderSegments {
            if let extra = ahs.extendedCDBBytes {
                guard !sawExtendedCDB else {
                    throw ISCSIWireError.invalidField(what: "SCSI Command AHS", detail: "two Extended CDB AHS")
                }
                sawExtendedCDB = true
                cdb += extra
            } else if let length = ahs.bidirectionalReadLength {
                guard bidirectionalReadLength == nil else {
                    throw ISCSIWireError.invalidField(what: "SCSI Command AHS", detail: "two bidirectional read length AHS")
                }
                bidirectionalReadLength = length
            } else {
                otherAHS.append(ahs)
            }
        }
        immediateData = pdu.data
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, immediate: immediate, final: final)
        h.flags = (read ? 0x40 : 0) | (write ? 0x20 : 0) | attribute.rawValue
        h.lun = lun
        h.initiatorTaskTag = initiatorTaskTag
        h[.bytes20] = expectedDataTransferLength
        h[.bytes24] = cmdSN
        h[.bytes28] = expStatSN
        let first16 = Array(cdb.prefix(16))
        h.setBytes(first16 + [UInt8](repeating: 0, count: 16 - first16.count), 32)
        var ahs: [AdditionalHeaderSegment] = []
        if cdb.count > 16 { ahs.append(.extendedCDB(Array(cdb[16...]))) }
        if let length = bidirectionalReadLength { ahs.append(.bidirectionalReadDataLength(length)) }
        return ISCSIPDU(header: h, additionalHeaderSegments: ahs + otherAHS, data: immediateData)
    }
}
