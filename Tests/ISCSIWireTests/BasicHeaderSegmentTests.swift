import ISCSIWire
import Testing

@Suite struct BasicHeaderSegmentTests {
    typealias S = WireTestSupport

    /// Hand-built from the RFC 7143 11.2.1 table: every common field set to a distinct value.
    static let vector: [UInt8] = [
        0x41, 0xA5, 0x12, 0x34,                         // 0: I + opcode 0x01; 1: F + flags 0x25; 2-3
        0x02, 0x01, 0x02, 0x03,                         // 4: TotalAHSLength 2; 5-7: DSL 0x010203
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // 8-15: LUN
        0xDE, 0xAD, 0xBE, 0xEF,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, // 20-27: each word holds its offset
        0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00, 0x20, // 28-35
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x28, // 36-43
        0x00, 0x00, 0x00, 0x2C,                         // 44-47
    ]

    @Test func fieldsAtTheirOffsets() throws {
        let h = try BasicHeaderSegment(parsing: Self.vector + [0xFF, 0xFF])
        #expect(h.opcode == .scsiCommand)
        #expect(h.opcodeCode == 0x01)
        #expect(h.isImmediate)
        #expect(h.isFinal)
        #expect(h.flags == 0x25)
        #expect(h.opcodeSpecificByte2 == 0x12 && h.opcodeSpecificByte3 == 0x34)
        #expect(h.totalAHSLength == 2)
        #expect(h.dataSegmentLength == 0x01_0203)
        #expect(h.lun == 0x0102_0304_0506_0708)
        #expect(h.initiatorTaskTag == 0xDEAD_BEEF)
        for word in BasicHeaderSegment.Word.allCases {
            #expect(h[word] == UInt32(word.rawValue), "word at \(word.rawValue)")
        }
        #expect(h.encoded() == Self.vector)
    }

    @Test func buildingMatchesTheVector() {
        var h = BasicHeaderSegment(opcode: .scsiCommand, immediate: true, final: true)
        h.flags = 0x25
        h.opcodeSpecificByte2 = 0x12
        h.opcodeSpecificByte3 = 0x34
        h.totalAHSLength = 2
        h.dataSegmentLength = 0x01_0203
        h.lun = 0x0102_0304_0506_0708
        h.initiatorTaskTag = 0xDEAD_BEEF
        for word in BasicHeaderSegment.Word.allCases { h[word] = UInt32(word.rawValue) }
        #expect(h.encoded() == Self.vector)
    }

    @Test func unknownOpcodesAndReservedBitsSurvive() throws {
        var v = Self.vector
        v[0] = 0x80 | 0x07  // reserved bit 7 set, opcode 0x07 is undefined
        let h = try BasicHeaderSegment(parsing: v)
        #expect(h.opcode == nil)
        #expect(h.opcodeCode == 0x07)
        #expect(!h.isImmediate)
        #expect(h.encoded() == v)
    }

    @Test func settersKeepNeighbouringBits() {
        var h = BasicHeaderSegment()
        h.isFinal = true
        h.flags = 0xFF  // only bits 6-0 are flags
        #expect(h.isFinal && h.flags == 0x7F)
        h.isFinal = false
        #expect(h.flags == 0x7F)
        h.opcodeCode = 0xFF
        #expect(h.opcodeCode == 0x3F && !h.isImmediate)
        h.dataSegmentLength = 0x1FF_FFFF  // 24 bits kept
        #expect(h.dataSegmentLength == 0xFF_FFFF)
    }

    @Test func everyTruncationThrows() {
        S.expectTruncatedForEveryPrefix(Self.vector) { try BasicHeaderSegment(parsing: $0) }
    }
}
