import ISCSIWire
import Testing

@Suite struct CRC32CTests {
    typealias S = WireTestSupport

    /// RFC 3720 B.4 (kept in RFC 7143's references): digests as the bytes that go on the wire.
    @Test func rfc3720Vectors() {
        let cases: [([UInt8], String)] = [
            ([UInt8](repeating: 0, count: 32), "aa36918a"),
            ([UInt8](repeating: 0xFF, count: 32), "43aba862"),
            ((0..<32).map { UInt8($0) }, "4e79dd46"),
            ((0..<32).map { UInt8(31 - $0) }, "5cdb3f11"),
        ]
        for (input, wire) in cases {
            var c = CRC32C()
            c.update(input)
            #expect(S.hex(c.digestBytes) == wire)
        }
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    /// RFC 3720 B.4 "An iSCSI - SCSI Read (10) Command PDU": 48 bytes, CRC 56 3a 96 d9.
    static let rfcReadCommand = WireTestSupport.bytes("""
        01 c0 00 00  00 00 00 00  00 00 00 00  00 00 00 00
        14 00 00 00  00 00 04 00  00 00 00 14  00 00 00 18
        28 00 00 00  00 00 00 00  02 00 00 00  00 00 00 00
        """)

    @Test func rfc3720ReadCommandPDU() throws {
        var c = CRC32C()
        c.update(Self.rfcReadCommand)
        #expect(c.digestBytes == [0x56, 0x3A, 0x96, 0xD9])
        #expect(try CRC32C.digestValue(wireBytes: [0x56, 0x3A, 0x96, 0xD9]) == c.value)
    }

    /// Incremental updates, in any split (including the slicing-by-8 boundary), match one pass.
    @Test func incrementalMatchesOnePass() {
        let data = (0..<301).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 150, 300, 301] {
            var c = CRC32C()
            c.update(Array(data[..<split]))
            c.update(data[split...])
            #expect(c.value == whole, "split at \(split)")
        }
        // "123456789" is the standard CRC-32C check value 0xE3069283.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func shortWireDigestThrows() {
        S.expectTruncatedForEveryPrefix([1, 2, 3, 4]) { try CRC32C.digestValue(wireBytes: $0) }
    }
}
