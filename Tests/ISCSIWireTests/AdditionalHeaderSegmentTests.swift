import ISCSIWire
import Testing

/// AHS layouts from RFC 7143 11.2.2: AHSLength counts from byte 3 (the AHS-specific byte).
@Suite struct AdditionalHeaderSegmentTests {
    typealias S = WireTestSupport

    @Test func extendedCDB() throws {
        let ahs = AdditionalHeaderSegment.extendedCDB([0xA0, 0xA1, 0xA2, 0xA3])  // a 20-byte CDB
        #expect(try ahs.encoded() == [0x00, 0x05, 0x01, 0x00, 0xA0, 0xA1, 0xA2, 0xA3])
        #expect(ahs.encodedLength == 8)
        #expect(ahs.extendedCDBBytes == [0xA0, 0xA1, 0xA2, 0xA3])
        #expect(ahs.bidirectionalReadLength == nil)
    }

    @Test func bidirectionalReadLength() throws {
        let ahs = AdditionalHeaderSegment.bidirectionalReadDataLength(0x0102_0304)
        #expect(try ahs.encoded() == [0x00, 0x05, 0x02, 0x00, 0x01, 0x02, 0x03, 0x04])
        #expect(ahs.bidirectionalReadLength == 0x0102_0304)
    }

    @Test func parseAllAndPadding() throws {
        let odd = AdditionalHeaderSegment(type: AHSType(rawValue: 61), specific: [1, 2])
        let area = try odd.encoded() + AdditionalHeaderSegment.bidirectionalReadDataLength(5).encoded()
        #expect(area == [0x00, 0x02, 0x3D, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x05, 0x02, 0x00, 0, 0, 0, 5])
        #expect(try AdditionalHeaderSegment.parseAll(area) == [odd, .bidirectionalReadDataLength(5)])
        #expect(try AdditionalHeaderSegment.parseAll([]) == [])
    }

    @Test func malformedAreasThrow() {
        S.expectWireError({ try AdditionalHeaderSegment.parseAll([0x00, 0x09, 0x01, 0x00]) }, S.isInvalidField)
        S.expectWireError({ try AdditionalHeaderSegment.parseAll([0x00, 0x00, 0x01, 0x00]) }, S.isInvalidField)
        S.expectWireError({ try AdditionalHeaderSegment.parseAll([0x00, 0x01, 0x02, 0x00]) }, S.isInvalidField)
        S.expectWireError({ try AdditionalHeaderSegment.parseAll([0x00]) }) { if case .truncated = $0 { return true }; return false }
    }
}
