import Foundation
import SCSIWire
import SimArray
import Testing

@Suite struct LogicalUnitIdentityTests {
    @Test("NAA 6: NAA nibble, 24-bit company ID across the nibble boundary, 100 random bits")
    func naaLayout() {
        var rng = SeededGenerator(seed: 42)
        let id = LogicalUnitIdentity.generate(companyID: 0x589CFC, using: &rng)
        #expect(id.naa.count == 16)
        #expect(id.naa[0] == 0x65, "NAA 6, then the company ID's first nibble 5")
        #expect(id.naa[1] == 0x89 && id.naa[2] == 0xCF)
        #expect(id.naa[3] >> 4 == 0xC, "the company ID's last nibble opens byte 3")
        #expect(id.companyID == 0x589CFC)
        #expect(id.naaDesignator.naaType == 6)
        #expect(id.eui64.count == 8 && Array(id.eui64[0..<3]) == [0x58, 0x9C, 0xFC])
        #expect(id.unitSerial == hexString(Array(id.naa[8..<16])).uppercased())
        #expect(id.unitSerial.count == 16)
    }

    @Test func identitiesDifferAndAreReproducibleFromTheGenerator() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1), c = SeededGenerator(seed: 2)
        let x = LogicalUnitIdentity.generate(using: &a)
        #expect(x == LogicalUnitIdentity.generate(using: &b))
        #expect(x.naa != LogicalUnitIdentity.generate(using: &c).naa)
        let many = Set((0..<200).map { _ in LogicalUnitIdentity.generate().naa })
        #expect(many.count == 200)
        #expect(LogicalUnitIdentity.generate().companyID == LogicalUnitIdentity.defaultCompanyID)
    }

    @Test func designatorsAsVPD83ShowsThem() {
        var rng = SeededGenerator(seed: 7)
        let id = LogicalUnitIdentity.generate(t10VendorID: "ACME", using: &rng)
        #expect(id.designators.map(\.type) == [.naa, .eui64, .t10VendorID])
        #expect(id.naaDesignator.codeSet == .binary && id.naaDesignator.association == .logicalUnit)
        #expect(id.eui64Designator.value == id.eui64)
        #expect(id.t10Designator.codeSet == .ascii)
        #expect(id.t10Designator.value == Array("ACME    \(id.unitSerial)".utf8))
    }

    @Test("Exposure decides what VPD 0x83 shows and what a CSCD can match")
    func exposure() {
        var rng = SeededGenerator(seed: 9)
        var id = LogicalUnitIdentity.generate(exposing: [.eui64], using: &rng)
        #expect(id.designators == [id.eui64Designator])
        #expect(id.matches(id.eui64Designator))
        #expect(!id.matches(id.naaDesignator), "a hidden NAA cannot be known to an initiator")
        var withHeader = id.eui64Designator
        withHeader.protocolIdentifier = 5
        withHeader.piv = true
        #expect(id.matches(withHeader), "protocol identifier and PIV are ignored, as in a CSCD")
        var other = id.eui64Designator
        other.value[7] ^= 1
        #expect(!id.matches(other))
        id.exposedDesignators = [.naa]
        #expect(id.designators == [id.naaDesignator])
    }

    @Test("A truncated designator: header promises 8 bytes, 4 follow (SCST/JovianDSS)")
    func truncatedDesignator() throws {
        var rng = SeededGenerator(seed: 3)
        let id = LogicalUnitIdentity.generate(exposing: [.truncated(.eui64, keptBytes: 4), .naa], using: &rng)
        #expect(id.designators == [id.naaDesignator], "malformed entries are not designators")
        #expect(id.malformedDesignatorBytes == [0x01, 0x02, 0x00, 0x08] + Array(id.eui64[0..<4]))
        let unit = LogicalUnit(identity: id, store: MemoryBlockStore(blockCount: 8))
        let page = try DeviceIdentificationPage(parsing: unit.deviceIdentificationPage())
        #expect(page.designators == [id.naaDesignator], "a defensive parser keeps the good designator")
        #expect(page.problems.count == 1)
    }

    @Test func verbatimBytesGoLastAndCountInThePageLength() {
        var rng = SeededGenerator(seed: 4)
        let id = LogicalUnitIdentity.generate(exposing: [.verbatim([0xDE, 0xAD]), .t10VendorID], using: &rng)
        let unit = LogicalUnit(identity: id, store: MemoryBlockStore(blockCount: 8))
        let page = unit.deviceIdentificationPage()
        #expect(Array(page.suffix(2)) == [0xDE, 0xAD])
        #expect(Int(page[2]) << 8 | Int(page[3]) == page.count - 4)
    }

    @Test func jsonRoundTripKeepsEverythingAndUsesHex() throws {
        var rng = SeededGenerator(seed: 11)
        let id = LogicalUnitIdentity.generate(companyID: 0x001405, t10VendorID: "LIO-ORG",
                                              exposing: [.naa, .truncated(.eui64, keptBytes: 2), .verbatim([1, 2, 3])], using: &rng)
        let json = try JSONEncoder().encode(id)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(hexString(id.naa)))
        #expect(try JSONDecoder().decode(LogicalUnitIdentity.self, from: json) == id)
    }

    @Test func malformedJSONIsRejected() {
        let bad = #"{"naa":"60zz","eui64":"0011223344556677","t10VendorID":"X","unitSerial":"1"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LogicalUnitIdentity.self, from: Data(bad.utf8)) }
        let short = #"{"naa":"60","eui64":"0011223344556677","t10VendorID":"X","unitSerial":"1"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LogicalUnitIdentity.self, from: Data(short.utf8)) }
    }
}
