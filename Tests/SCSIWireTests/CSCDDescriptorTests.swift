import Testing
import SCSIWire

@Suite struct CSCDDescriptorTests {
    typealias S = CopyTestSupport

    @Test func identificationNAA6VectorParsesAndEncodes() throws {
        // Vector derived from targets.md §11.2 (0xE4 table), not captured.
        let vector = S.e4NAAVector(S.naaSourceValue)
        #expect(vector.count == 32)
        let cscd = try IdentificationCSCD(parsing: vector)
        #expect(cscd.luIDType == .logicalUnitDesignator)
        #expect(cscd.nul == false)
        #expect(cscd.peripheralDeviceType == 0)
        #expect(cscd.relativeInitiatorPortIdentifier == 0)
        #expect(cscd.designator == S.naaDesignator(S.naaSourceValue))
        #expect(cscd.designator.naaType == 6)
        #expect(cscd.pad == false)
        #expect(cscd.diskBlockLength == 512)

        let built = IdentificationCSCD(logicalUnit: S.naaDesignator(S.naaSourceValue), diskBlockLength: 512)
        #expect(built == cscd)
        let out = try built.encoded()
        #expect(out == vector)
        #expect(out[0] == 0xE4)
        #expect(out[1] == 0x00)
        #expect(out[2] == 0 && out[3] == 0)
        #expect(out[4] == 0x01)
        #expect(out[5] == 0x03)
        #expect(out[6] == 0)
        #expect(out[7] == 16)
        #expect(Array(out[8..<24]) == S.naaSourceValue)
        #expect(Array(out[24..<28]) == [0, 0, 0, 0])
        #expect(out[28] == 0)
        #expect(Array(out[29..<32]) == [0x00, 0x02, 0x00])
    }

    @Test func everyFieldAtItsOffset() throws {
        // Hand-built from targets.md §11.2: LU ID TYPE 01 (proxy token), NUL, PDT 1, relative
        // port 0x1234, a 20-byte ASCII T10 vendor ID designator, PAD, block length 4096.
        let name = Array("FREEBSD MYDEVICE0001".utf8)
        #expect(name.count == 20)
        let vector: [UInt8] = [0xE4, 0x61, 0x12, 0x34, 0x02, 0x01, 0x00, 0x14] + name
            + [0x04, 0x00, 0x10, 0x00]
        let cscd = try IdentificationCSCD(parsing: vector)
        #expect(cscd.luIDType == .proxyToken)
        #expect(cscd.nul)
        #expect(cscd.peripheralDeviceType == 1)
        #expect(cscd.relativeInitiatorPortIdentifier == 0x1234)
        #expect(cscd.designator.codeSet == .ascii)
        #expect(cscd.designator.association == .logicalUnit)
        #expect(cscd.designator.type == .t10VendorID)
        #expect(cscd.designator.value == name)
        #expect(cscd.pad)
        #expect(cscd.diskBlockLength == 4096)
        #expect(try cscd.encoded() == vector)
    }

    @Test func buildingFromVPDDesignatorClearsProtocolIdentifierAndPIV() throws {
        // As sg_xcopy does: desc[4] &= 0x0f; desc[5] &= 0x3f.
        let fromVPD = Designator(protocolIdentifier: 5, codeSet: .binary, piv: true,
                                 association: .logicalUnit, type: .naa, value: S.naaSourceValue)
        let cscd = IdentificationCSCD(logicalUnit: fromVPD, diskBlockLength: 512, pad: true)
        let out = try cscd.encoded()
        #expect(out[4] == 0x01)
        #expect(out[5] == 0x03)
        #expect(out[28] == 0x04)
        // A parsed descriptor keeps whatever protocol identifier and PIV it carries.
        var raw = out
        raw[4] = 0x51
        raw[5] = 0x83
        let parsed = try IdentificationCSCD(parsing: raw)
        #expect(parsed.designator.protocolIdentifier == 5)
        #expect(parsed.designator.piv)
        #expect(try parsed.encoded() == raw)
    }

    @Test func shortDesignatorIsZeroPadded() throws {
        let eui = Designator(codeSet: .binary, association: .logicalUnit, type: .eui64,
                             value: [1, 2, 3, 4, 5, 6, 7, 8])
        let out = try IdentificationCSCD(logicalUnit: eui, diskBlockLength: 512).encoded()
        #expect(out[5] == 0x02)
        #expect(out[7] == 8)
        #expect(Array(out[8..<16]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(out[16..<28]) == [UInt8](repeating: 0, count: 12))
        #expect(try IdentificationCSCD(parsing: out).designator == eui)
    }

    @Test func designatorLongerThan20Throws() {
        let long = Designator(codeSet: .utf8, association: .logicalUnit, type: .scsiNameString,
                              value: [UInt8](repeating: 0x41, count: 21))
        S.expectOutOfRange { try IdentificationCSCD(logicalUnit: long, diskBlockLength: 512).encoded() }
        var vector = S.e4NAAVector(S.naaSourceValue)
        vector[7] = 21
        S.expectInvalidField { try IdentificationCSCD(parsing: vector) }
        S.expectInvalidField { try CSCDDescriptor(parsing: vector) }
    }

    @Test func fieldOverflowsThrow() {
        let d = S.naaDesignator(S.naaSourceValue)
        S.expectOutOfRange { try IdentificationCSCD(logicalUnit: d, diskBlockLength: 0x100_0000).encoded() }
        var cscd = IdentificationCSCD(logicalUnit: d, diskBlockLength: 512)
        cscd.peripheralDeviceType = 0x20
        S.expectOutOfRange { try cscd.encoded() }
    }

    @Test func wrongTypeCodeIsInvalidForIdentification() {
        var vector = S.e4NAAVector(S.naaSourceValue)
        vector[0] = 0xE0
        S.expectInvalidField { try IdentificationCSCD(parsing: vector) }
    }

    @Test func unknownTypeCodesAreKeptVerbatim() throws {
        var fc = [UInt8](repeating: 0, count: 32)
        fc[0] = 0xE0
        fc[8] = 0x21
        let parsed = try CSCDDescriptor(parsing: fc)
        #expect(parsed == .unsupported(typeCode: 0xE0, bytes: fc))
        #expect(parsed.typeCode == 0xE0)
        #expect(try parsed.encoded() == fc)

        // IPv6, IP copy service and ROD CSCDs are 64 bytes.
        var ipv6 = [UInt8](repeating: 0x11, count: 64)
        ipv6[0] = 0xEA
        #expect(CSCDDescriptor.length(ofTypeCode: 0xEA) == 64)
        #expect(CSCDDescriptor.length(ofTypeCode: 0xEB) == 64)
        #expect(CSCDDescriptor.length(ofTypeCode: 0xFE) == 64)
        #expect(CSCDDescriptor.length(ofTypeCode: 0xE4) == 32)
        #expect(try CSCDDescriptor(parsing: ipv6) == .unsupported(typeCode: 0xEA, bytes: ipv6))
        S.expectTruncatedForEveryPrefix(ipv6) { try CSCDDescriptor(parsing: $0) }

        S.expectInvalidField { try CSCDDescriptor.unsupported(typeCode: 0xE0, bytes: [0xE0]).encoded() }
        S.expectInvalidField { try CSCDDescriptor.unsupported(typeCode: 0xE0, bytes: Array(ipv6.prefix(32))).encoded() }
    }

    @Test func enumWrapsIdentification() throws {
        let vector = S.e4NAAVector(S.naaDestinationValue)
        let parsed = try CSCDDescriptor(parsing: vector + [0xFF, 0xFF])
        #expect(parsed == .identification(try IdentificationCSCD(parsing: vector)))
        #expect(parsed.typeCode == 0xE4)
        #expect(try parsed.encoded() == vector)
    }

    @Test func roundTrips() throws {
        let cscd = IdentificationCSCD(luIDType: .logicalUnitDesignator, nul: false, peripheralDeviceType: 0,
                                      relativeInitiatorPortIdentifier: 7, designator: S.naaDesignator(S.naaDestinationValue),
                                      pad: true, diskBlockLength: 4096)
        #expect(try IdentificationCSCD(parsing: cscd.encoded()) == cscd)
        let vector = S.e4NAAVector(S.naaSourceValue)
        #expect(try IdentificationCSCD(parsing: vector).encoded() == vector)
    }

    @Test func truncatedInputThrows() {
        let vector = S.e4NAAVector(S.naaSourceValue)
        S.expectTruncatedForEveryPrefix(vector) { try IdentificationCSCD(parsing: $0) }
        S.expectTruncatedForEveryPrefix(vector) { try CSCDDescriptor(parsing: $0) }
    }

    @Test func specialCSCDIdentifiers() {
        #expect(CSCDDescriptor.maximumListIndex == 0x07FF)
        #expect(CSCDDescriptor.nullLogicalUnitBlock == 0xC000)
        #expect(CSCDDescriptor.nullLogicalUnitStream == 0xC001)
        #expect(CSCDDescriptor.inRODToken == 0xF800)
        #expect(CSCDDescriptor.copyManagerLogicalUnit == 0xFFFF)
    }
}
