import ISCSIWire
import Testing

@Suite struct SCSICommandPDUTests {
    typealias S = WireTestSupport

    /// The RFC 3720 B.4 example (a real READ(10) command PDU) as a typed view.
    @Test func rfc3720ReadCommand() throws {
        let cmd = try SCSICommandPDU(parsing: CRC32CTests.rfcReadCommand)
        #expect(cmd.final && cmd.read && !cmd.write && !cmd.immediate)
        #expect(cmd.attribute == .untagged)
        #expect(cmd.lun == 0)
        #expect(cmd.initiatorTaskTag == 0x1400_0000)
        #expect(cmd.expectedDataTransferLength == 1024)
        #expect(cmd.cmdSN == 0x14 && cmd.expStatSN == 0x18)
        #expect(cmd.cdb == [0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0])
        #expect(cmd.bidirectionalReadLength == nil && cmd.immediateData.isEmpty)
        #expect(try cmd.encoded() == CRC32CTests.rfcReadCommand)
    }

    /// WRITE(10) with 8 bytes of immediate data, hand-built from RFC 7143 11.3.
    static let writeVector: [UInt8] = [
        0x01, 0x21, 0x00, 0x00,                         // 0: opcode; 1: W + ATTR simple, F clear
        0x00, 0x00, 0x00, 0x08,                         // 4: no AHS; DSL 8
        0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 2
        0x00, 0x00, 0x00, 0x2A,                         // 16-19: ITT
        0x00, 0x00, 0x10, 0x00,                         // 20-23: EDTL 4096
        0x00, 0x00, 0x00, 0x05,                         // 24-27: CmdSN
        0x00, 0x00, 0x00, 0x06,                         // 28-31: ExpStatSN
        0x2A, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, // 32-47: CDB WRITE(10) LBA 0x10, 8 blocks
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        1, 2, 3, 4, 5, 6, 7, 8,                         // 48: immediate data
    ]

    @Test func writeWithImmediateData() throws {
        let cmd = SCSICommandPDU(final: false, write: true, attribute: .simple, lun: 2 << 48, initiatorTaskTag: 0x2A,
                                 expectedDataTransferLength: 4096, cmdSN: 5, expStatSN: 6,
                                 cdb: [0x2A, 0, 0, 0, 0, 0x10, 0, 0, 0x08, 0], immediateData: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(cmd.cdb.count == 16)
        try S.checkVector(Self.writeVector, cmd)
    }

    /// A 32-byte CDB: Extended CDB AHS with AHSLength 17 (32 - 15), type 1, a reserved byte
    /// and CDB bytes 16-31 (RFC 7143 11.2.2.3): 20 bytes, 5 words.
    @Test func extendedCDBAndBidirectionalAHS() throws {
        let cdb = (0..<32).map { UInt8(0x80 + $0) }
        let cmd = SCSICommandPDU(read: true, write: true, initiatorTaskTag: 1, expectedDataTransferLength: 512, cmdSN: 1,
                                 expStatSN: 1, cdb: cdb, bidirectionalReadLength: 0x1234)
        let b = try cmd.encoded()
        #expect(b[4] == 7)  // 5 words of extended CDB + 2 of bidirectional length
        #expect(Array(b[32..<48]) == Array(cdb[0..<16]))
        #expect(Array(b[48..<52]) == [0x00, 0x11, 0x01, 0x00])
        #expect(Array(b[52..<68]) == Array(cdb[16..<32]))
        #expect(Array(b[68..<76]) == [0x00, 0x05, 0x02, 0x00, 0x00, 0x00, 0x12, 0x34])
        #expect(b.count == 76)
        #expect(try SCSICommandPDU(parsing: b) == cmd)
        S.expectTruncatedForEveryPrefix(b) { try SCSICommandPDU(parsing: $0) }
    }

    /// A 260-byte CDB needs AHSLength 245 and one padding byte (248 bytes, 62 words).
    @Test func longestCDB() throws {
        let cdb = (0..<260).map { UInt8(truncatingIfNeeded: $0) }
        let cmd = SCSICommandPDU(initiatorTaskTag: 2, cmdSN: 2, expStatSN: 2, cdb: cdb)
        let b = try cmd.encoded()
        #expect(b[4] == 62)
        #expect(Array(b[48..<51]) == [0x00, 0xF5, 0x01])
        #expect(b.count == 48 + 248)
        #expect(try SCSICommandPDU(parsing: b).cdb == cdb)
    }

    @Test func malformedAHSIsRefused() throws {
        var b = try SCSICommandPDU(initiatorTaskTag: 1, cmdSN: 1, expStatSN: 1, cdb: Array(repeating: 1, count: 20)).encoded()
        // AHSLength claiming more than TotalAHSLength holds.
        var long = b
        long[49] = 0x40
        S.expectWireError({ try SCSICommandPDU(parsing: long) }, S.isInvalidField)
        // Two Extended CDB AHS.
        b[4] = 4
        b += Array(b[48..<56])
        S.expectWireError({ try SCSICommandPDU(parsing: b) }, S.isInvalidField)
        // Bidirectional AHS with the wrong length.
        var bidi = try SCSICommandPDU(initiatorTaskTag: 1, cmdSN: 1, expStatSN: 1, cdb: [0x28], bidirectionalReadLength: 1).encoded()
        bidi[49] = 4
        S.expectWireError({ try SCSICommandPDU(parsing: bidi) }, S.isInvalidField)
    }

    /// AHS of unknown types are kept, not dropped.
    @Test func unknownAHSIsKept() throws {
        let odd = AdditionalHeaderSegment(type: AHSType(rawValue: 60), specific: [9, 9])
        let cmd = SCSICommandPDU(initiatorTaskTag: 1, cmdSN: 1, expStatSN: 1, cdb: [0], otherAHS: [odd])
        #expect(try SCSICommandPDU(parsing: cmd.encoded()).otherAHS == [odd])
    }

    @Test func taskAttributes() throws {
        for attr in [TaskAttribute.untagged, .simple, .ordered, .headOfQueue, .aca, TaskAttribute(rawValue: 7)] {
            let cmd = SCSICommandPDU(attribute: attr, initiatorTaskTag: 1, cmdSN: 1, expStatSN: 1, cdb: [0])
            let b = try cmd.encoded()
            #expect(b[1] & 0x07 == attr.rawValue)
            #expect(try SCSICommandPDU(parsing: b).attribute == attr)
        }
    }
}
