import Testing
import SCSIWire

@Suite struct SegmentDescriptorTests {
    typealias S = CopyTestSupport

    // Derived from targets.md §11.2 (segment 0x02 table), not captured: FCO+DC+CAT, source CSCD 0,
    // destination 0xFFFF (the copy manager LU), 65535 blocks.
    static let blockToBlockVector: [UInt8] = [
        0x02,                                           // 0: type code
        0x07,                                           // 1: FCO (bit 2), DC (bit 1), CAT (bit 0)
        0x00, 0x18,                                     // 2-3: descriptor length 24
        0x00, 0x00,                                     // 4-5: source CSCD index
        0xFF, 0xFF,                                     // 6-7: destination CSCD index
        0x00, 0x00,                                     // 8-9: reserved
        0xFF, 0xFF,                                     // 10-11: number of blocks
        0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, // 12-19: source LBA
        0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, // 20-27: destination LBA
    ]

    // Derived from targets.md §11.2 (segment 0x0A table / libiscsi populate_seg_desc_b2b_off).
    static let offsetVector: [UInt8] = [
        0x0A,                                           // 0: type code
        0x01,                                           // 1: CAT
        0x00, 0x1C,                                     // 2-3: descriptor length 28
        0x00, 0x01,                                     // 4-5: source CSCD index
        0x00, 0x02,                                     // 6-7: destination CSCD index
        0x00, 0x01, 0x00, 0x00,                         // 8-11: number of bytes 65536
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, // 12-19: source LBA
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, // 20-27: destination LBA
        0x01, 0x00,                                     // 28-29: source byte offset 256
        0x00, 0x80,                                     // 30-31: destination byte offset 128
    ]

    @Test func blockToBlockVector() throws {
        let segment = try BlockToBlockSegment(parsing: Self.blockToBlockVector)
        #expect(segment.fco && segment.dc && segment.cat)
        #expect(segment.sourceCSCDIndex == 0)
        #expect(segment.destinationCSCDIndex == CSCDDescriptor.copyManagerLogicalUnit)
        #expect(segment.numberOfBlocks == 65535)
        #expect(segment.sourceLBA == 0x0000_0001_0203_0405)
        #expect(segment.destinationLBA == 0x8000_0000_0000_0010)
        #expect(try segment.encoded() == Self.blockToBlockVector)
        #expect(try SegmentDescriptor(parsing: Self.blockToBlockVector) == .blockToBlock(segment))
    }

    @Test func blockToBlockBitsSeparately() throws {
        let plain = BlockToBlockSegment(sourceCSCDIndex: 0, destinationCSCDIndex: 1, numberOfBlocks: 128,
                                        sourceLBA: 0, destinationLBA: 0)
        #expect(try plain.encoded()[1] == 0x00)
        var fco = plain; fco.fco = true
        #expect(try fco.encoded()[1] == 0x04)
        var dc = plain; dc.dc = true
        #expect(try dc.encoded()[1] == 0x02)
        var cat = plain; cat.cat = true
        #expect(try cat.encoded()[1] == 0x01)
        let out = try plain.encoded()
        #expect(Array(out[10..<12]) == [0x00, 0x80])
        #expect(Array(out[8..<10]) == [0, 0])
    }

    @Test func blockToBlockCountOverflowThrows() {
        let segment = BlockToBlockSegment(sourceCSCDIndex: 0, destinationCSCDIndex: 1, numberOfBlocks: 65536,
                                          sourceLBA: 0, destinationLBA: 0)
        S.expectOutOfRange { try segment.encoded() }
        S.expectOutOfRange { try SegmentDescriptor.blockToBlock(segment).encoded() }
        var max = segment
        max.numberOfBlocks = UInt32.max
        S.expectOutOfRange { try max.encoded() }
    }

    @Test func blockToBlockWrongDescriptorLengthIsInvalid() {
        // LIO and SCST answer 26/00 for a 0x02 descriptor whose length is not 0x18.
        var vector = Self.blockToBlockVector + [0, 0, 0, 0]
        vector[3] = 0x1C
        S.expectInvalidField { try SegmentDescriptor(parsing: vector) }
        S.expectInvalidField { try BlockToBlockSegment(parsing: vector) }
    }

    @Test func offsetVector() throws {
        let segment = try BlockToBlockOffsetSegment(parsing: Self.offsetVector)
        #expect(segment.cat)
        #expect(segment.sourceCSCDIndex == 1)
        #expect(segment.destinationCSCDIndex == 2)
        #expect(segment.numberOfBytes == 65536)
        #expect(segment.sourceLBA == 0x1000)
        #expect(segment.destinationLBA == 0x2000)
        #expect(segment.sourceByteOffset == 256)
        #expect(segment.destinationByteOffset == 128)
        #expect(segment.encoded() == Self.offsetVector)
        let wrapped = try SegmentDescriptor(parsing: Self.offsetVector)
        #expect(wrapped == .blockToBlockWithOffset(segment))
        #expect(wrapped.typeCode == 0x0A)
        var wrongLength = Self.offsetVector
        wrongLength[3] = 0x18
        S.expectInvalidField { try SegmentDescriptor(parsing: Array(wrongLength.prefix(28))) }
    }

    @Test func unknownTypesAreKeptWithTheirLength() throws {
        // 0x07 verify CSCD: 4-byte header, descriptor length 8.
        let verify: [UInt8] = [0x07, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        let parsed = try SegmentDescriptor(parsing: verify + [0xAA, 0xBB])
        #expect(parsed == .unsupported(typeCode: 0x07, bytes: verify))
        #expect(parsed.typeCode == 0x07)
        #expect(try SegmentDescriptor.encodedLength(atStartOf: verify) == 12)
        #expect(try parsed.encoded() == verify)
        S.expectTruncatedForEveryPrefix(verify) { try SegmentDescriptor(parsing: $0) }
        S.expectInvalidField { try SegmentDescriptor.unsupported(typeCode: 0x07, bytes: Array(verify.prefix(8))).encoded() }
        S.expectInvalidField { try SegmentDescriptor.unsupported(typeCode: 0x03, bytes: verify).encoded() }
    }

    @Test func roundTrips() throws {
        let segments: [SegmentDescriptor] = [
            .blockToBlock(BlockToBlockSegment(dc: true, sourceCSCDIndex: 3, destinationCSCDIndex: 4,
                                              numberOfBlocks: 1, sourceLBA: .max, destinationLBA: 7)),
            .blockToBlockWithOffset(BlockToBlockOffsetSegment(sourceCSCDIndex: 0, destinationCSCDIndex: 0,
                                                              numberOfBytes: .max, sourceLBA: 1, destinationLBA: 2,
                                                              sourceByteOffset: .max, destinationByteOffset: 0)),
        ]
        for segment in segments {
            #expect(try SegmentDescriptor(parsing: segment.encoded()) == segment)
        }
        #expect(try SegmentDescriptor(parsing: Self.blockToBlockVector).encoded() == Self.blockToBlockVector)
        #expect(try SegmentDescriptor(parsing: Self.offsetVector).encoded() == Self.offsetVector)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.blockToBlockVector) { try SegmentDescriptor(parsing: $0) }
        S.expectTruncatedForEveryPrefix(Self.blockToBlockVector) { try BlockToBlockSegment(parsing: $0) }
        S.expectTruncatedForEveryPrefix(Self.offsetVector) { try SegmentDescriptor(parsing: $0) }
        S.expectTruncatedForEveryPrefix(Self.offsetVector) { try BlockToBlockOffsetSegment(parsing: $0) }
    }
}
