import Foundation
import Testing
@testable import SCSIWire

/// VPD page 0x83. Vectors: sg3_utils `inhex/vpd_dev_id.hex`, `vpd_di_all.hex`,
/// `vpd_di_bad_all.hex`, `vpd_di_name_inject.hex`, `vpd_sdeb.hex` (synthetic / scsi_debug data)
/// and `vpd_di_old_emc_symm.hex` (a real pre-T10 page from an old EMC Symmetrix, per the file's
/// comment). The SCST malformed case is SYNTHETIC: the JovianDSS capture
/// (SCST-JovianDSS-rcop-inquiry-xcopy.txt) only quotes sg_xcopy's warning "designator too long:
/// says it is 8 bytes, but given 4 bytes", so the page below is built to produce exactly that.
@Suite struct DeviceIdentificationPageTests {

    typealias D = Designator

    @Test("vpd_dev_id.hex: NAA LU; NAA + relative port (SAS, PIV); NAA + SCSI name string of the target device")
    func devIdVector() throws {
        let b = try TestVectors.inhex("vpd_dev_id.hex")
        #expect(b.count == 4 + 0x48)
        let page = try DeviceIdentificationPage(parsing: b)
        #expect(page.problems.isEmpty)
        let expected: [Designator] = [
            D(protocolIdentifier: 0, codeSet: .binary, piv: false, association: .logicalUnit, type: .naa,
              value: TestVectors.hex("50 00 c5 00 30 11 cb 2b")),
            D(protocolIdentifier: 6, codeSet: .binary, piv: true, association: .targetPort, type: .naa,
              value: TestVectors.hex("50 00 c5 00 30 11 cb 29")),
            D(protocolIdentifier: 6, codeSet: .binary, piv: true, association: .targetPort, type: .relativeTargetPort,
              value: [0, 0, 0, 1]),
            D(protocolIdentifier: 6, codeSet: .binary, piv: true, association: .targetDevice, type: .naa,
              value: TestVectors.hex("50 00 c5 00 30 11 cb 28")),
            D(protocolIdentifier: 0, codeSet: .utf8, piv: false, association: .targetDevice, type: .scsiNameString,
              value: Array("naa.5000C5003011CB28".utf8) + [0, 0, 0, 0]),
        ]
        #expect(page.designators == expected)
        #expect(page.designators[0].naaType == 5)
        #expect(page.designators[2].naaType == nil)
        #expect(page.designators[0].valueText == "5000c5003011cb2b")
        #expect(page.designators[4].valueText == "naa.5000C5003011CB28", "NUL padding is not shown")
        #expect(page.designators[4].value.count == 24, "the value is kept exactly, padding included")
        #expect(page.logicalUnitDesignators == [expected[0]])
        #expect(page.preferredCopyDesignator == expected[0])
    }

    /// (code set, PIV, association, type, value length) of each designator in vpd_di_all.hex.
    static let diAllShape: [(UInt8, Bool, Designator.Association, UInt8, Int)] = [
        (1, false, .logicalUnit, 0, 22),   // vendor specific
        (2, false, .logicalUnit, 1, 20),   // T10 vendor ID "ABC     XYZ123456789"
        (1, false, .logicalUnit, 2, 8),    // EUI-64
        (1, false, .logicalUnit, 2, 12),   // EUI-64 + ID extension
        (1, false, .logicalUnit, 2, 16),   // EUI-64 16 bytes
        (1, false, .logicalUnit, 3, 8),    // NAA 5
        (1, false, .logicalUnit, 3, 16),   // NAA 6
        (1, false, .targetPort, 4, 4),     // relative target port 2
        (1, false, .targetPort, 5, 4),     // target port group 3
        (1, false, .logicalUnit, 6, 4),    // logical unit group 4
        (1, false, .logicalUnit, 7, 16),   // MD5
        (3, false, .targetDevice, 8, 40),  // SCSI name string
        (1, true, .targetPort, 9, 4),      // protocol specific, USB (protocol 9)
        (1, true, .targetPort, 9, 8),      // protocol specific, PCIe (protocol A)
        (1, false, .logicalUnit, 0xA, 18), // UUID
    ]

    @Test("vpd_di_all.hex: all fifteen designator types, in page order")
    func diAllVector() throws {
        let b = try TestVectors.inhex("vpd_di_all.hex")
        #expect(b.count == 4 + 0x104)
        let page = try DeviceIdentificationPage(parsing: b)
        #expect(page.problems.isEmpty)
        try #require(page.designators.count == Self.diAllShape.count)
        for (i, (d, shape)) in zip(page.designators, Self.diAllShape).enumerated() {
            #expect(d.codeSet.rawValue == shape.0 && d.piv == shape.1 && d.association == shape.2
                    && d.type.rawValue == shape.3 && d.value.count == shape.4,
                    "designator \(i): \(d.codeSet) piv \(d.piv) \(d.association) \(d.type) \(d.value.count) bytes")
        }
        #expect(page.designators[12].protocolIdentifier == 9)
        #expect(page.designators[13].protocolIdentifier == 0xA)
        #expect(page.designators[1].valueText == "ABC     XYZ123456789")
        #expect(page.designators[11].valueText == "iqn.5886.com.acme.diskarrays-sn-a8675309")
        #expect(page.designators[14].value == TestVectors.hex("10 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee fe dc"))
        #expect(page.designators[6].naaType == 6)
        #expect(page.designators[7].value == [0, 0, 0, 2])
        // NAA is preferred over the earlier EUI-64 and T10 designators.
        #expect(page.preferredCopyDesignator == page.designators[5])
        #expect(page.logicalUnitDesignators.count == 10)
    }

    @Test("vpd_di_bad_all.hex: control characters inside ASCII/UTF-8 designators are kept in the value but never printed")
    func diBadAllVector() throws {
        let page = try DeviceIdentificationPage(parsing: TestVectors.inhex("vpd_di_bad_all.hex"))
        #expect(page.problems.isEmpty)
        try #require(page.designators.count == 15)
        let t10 = page.designators[1], name = page.designators[11]
        #expect(t10.value[7] == 0x0A)
        #expect(t10.valueText == "ABC    .XYZ123456789")
        #expect(name.value.count == 44 && name.value.contains(0x0A))
        #expect(name.valueText == "iqn.5886.com.acme.diskarrays-sn-a8675309.boo")
        #expect(!page.designators.contains { $0.valueText.contains("\n") })
    }

    @Test("vpd_di_name_inject.hex: newline in a SCSI name string is neutralised; trailing pad bytes are a problem")
    func nameInjectVector() throws {
        let page = try DeviceIdentificationPage(parsing: TestVectors.inhex("vpd_di_name_inject.hex"))
        try #require(page.designators.count == 1)
        let d = page.designators[0]
        #expect(d.type == .scsiNameString && d.codeSet == .utf8 && d.association == .logicalUnit)
        #expect(d.value == Array("iqn.2026-05.sg3\nX_SG3_PROBE=1".utf8))
        #expect(d.valueText == "iqn.2026-05.sg3.X_SG3_PROBE=1")
        // 36-byte body: 33 bytes of designator, then 3 zero bytes (sg_vpd 1.46 reports "short designator").
        #expect(page.problems.count == 1)
        #expect(page.problems.first?.contains("3 bytes left, header needs 4") == true, "\(page.problems)")
        #expect(page.preferredCopyDesignator == nil, "a SCSI name string is not a CSCD designator")
    }

    @Test("vpd_di_old_emc_symm.hex (real, pre-T10): zero designators and one problem, no crash")
    func oldEMCSymmetrix() throws {
        let b = try TestVectors.inhex("vpd_di_old_emc_symm.hex")
        #expect(b.count == 20 && b[6] == 0x04, "NAA-6 with EMC's OUI puts 04h in the reserved byte 2 position")
        let page = try DeviceIdentificationPage(parsing: b)
        #expect(page.designators.isEmpty)
        #expect(page.problems.count == 1)
        #expect(page.problems.first?.contains("reserved byte 2 is 0x04") == true, "\(page.problems)")
        #expect(page.preferredCopyDesignator == nil)
    }

    @Test("SCST-style malformed page (synthetic): designator says 8 bytes, 4 given — earlier ones kept, problem reported")
    func scstMalformedDesignator() throws {
        let b = TestVectors.hex("""
            00 83 00 1c
            01 03 00 10  60 01 40 5a bc de f0 12 34 56 78 9a bc de f0 12
            01 13 00 08  00 00 00 01
            """)
        #expect(b.count == 0x20)
        let page = try DeviceIdentificationPage(parsing: b)
        #expect(page.designators.count == 1)
        #expect(page.designators.first?.type == .naa)
        #expect(page.designators.first?.naaType == 6)
        #expect(page.problems == ["designator at page offset 24 says it is 8 bytes, only 4 remain"])
        #expect(page.preferredCopyDesignator == page.designators.first, "the good NAA is still usable for a CSCD")
    }

    @Test("A page whose PAGE LENGTH runs past the returned data keeps what arrived and says so")
    func truncatedTransfer() throws {
        let full = try TestVectors.inhex("vpd_dev_id.hex")
        let complete = try DeviceIdentificationPage(parsing: full)
        for length in 0..<full.count {
            let prefix = Array(full.prefix(length))
            guard length >= 4 else {
                #expect(throws: WireError.self) { try DeviceIdentificationPage(parsing: prefix) }
                continue
            }
            let page = try DeviceIdentificationPage(parsing: prefix)
            #expect(complete.designators.starts(with: page.designators), "prefix \(length)")
            #expect(page.problems.first == "page length says 72 bytes, only \(length - 4) returned", "prefix \(length)")
            // Designators end at page offsets 16, 28, 36, 48, 76.
            let ends = [16, 28, 36, 48, 76]
            #expect(page.designators.count == ends.filter { $0 <= length }.count, "prefix \(length)")
        }
    }

    @Test("Wrong page code throws invalidField")
    func wrongPageCode() throws {
        let tpc = try TestVectors.inhex("vpd_tpc.hex")
        let error = #expect(throws: WireError.self) { try DeviceIdentificationPage(parsing: tpc) }
        guard case .invalidField = error else {
            Issue.record("expected invalidField, got \(String(describing: error))")
            return
        }
    }

    // MARK: - preferredCopyDesignator

    static func lu(_ type: Designator.DesignatorType, _ count: Int, codeSet: Designator.CodeSet = .binary,
                   association: Designator.Association = .logicalUnit, fill: UInt8 = 0x11) -> Designator {
        Designator(codeSet: codeSet, association: association, type: type, value: [UInt8](repeating: fill, count: count))
    }

    @Test("preferredCopyDesignator: NAA > EUI-64 > T10, LU association only, 1...20 bytes")
    func preference() throws {
        let t10 = Self.lu(.t10VendorID, 20, codeSet: .ascii, fill: 0x41)
        let eui = Self.lu(.eui64, 8)
        let naa = Self.lu(.naa, 16, fill: 0x60)
        func pick(_ ds: [Designator]) -> Designator? { DeviceIdentificationPage(designators: ds).preferredCopyDesignator }
        #expect(pick([t10, eui, naa]) == naa, "NAA wins wherever it stands")
        #expect(pick([naa, eui, t10]) == naa)
        #expect(pick([t10, eui]) == eui)
        #expect(pick([t10]) == t10)
        #expect(pick([]) == nil)
        // Only designators of the logical unit itself.
        #expect(pick([Self.lu(.naa, 8, association: .targetPort), eui]) == eui)
        #expect(pick([Self.lu(.naa, 8, association: .targetDevice), Self.lu(.eui64, 8, association: .targetPort), t10]) == t10)
        #expect(pick([Self.lu(.naa, 8, association: .targetPort)]) == nil)
        // A CSCD carries at most 20 designator bytes: a 21-byte T10 ID does not fit (scsi_debug's is 28).
        #expect(pick([Self.lu(.t10VendorID, 21, codeSet: .ascii)]) == nil)
        #expect(pick([Self.lu(.t10VendorID, 28, codeSet: .ascii), eui]) == eui)
        #expect(pick([Self.lu(.eui64, 0), t10]) == t10, "an empty designator is useless")
        // Types a CSCD cannot identify an LU with.
        #expect(pick([Self.lu(.scsiNameString, 16, codeSet: .utf8), Self.lu(.uuid, 18), Self.lu(.md5LogicalUnit, 16),
                      Self.lu(.vendorSpecific, 8), Self.lu(.logicalUnitGroup, 4)]) == nil)
        // First of several NAAs.
        let naa2 = Self.lu(.naa, 8, fill: 0x50)
        #expect(pick([eui, naa2, naa]) == naa2)
    }

    @Test("preferredCopyDesignator on the sg3_utils pages")
    func preferenceOnVectors() throws {
        let sdeb = TestVectors.splitVPDPages(try TestVectors.inhex("vpd_sdeb.hex"))
        let page83 = try #require(sdeb.first { $0[1] == 0x83 })
        let p = try DeviceIdentificationPage(parsing: page83)
        #expect(p.designators.first?.type == .t10VendorID && p.designators.first?.value.count == 28)
        #expect(p.preferredCopyDesignator?.type == .naa)
        #expect(p.preferredCopyDesignator?.value == TestVectors.hex("33 33 33 30 00 00 07 d0"))
        // Without its NAA designator the page has nothing a CSCD can carry (T10 is 28 bytes).
        let withoutNAA = DeviceIdentificationPage(designators: p.designators.filter { $0.type != .naa })
        #expect(withoutNAA.preferredCopyDesignator == nil)
    }

    // MARK: - Encoding

    @Test("encode(parse(x)) == x for well-formed pages",
          arguments: ["vpd_dev_id.hex", "vpd_di_all.hex", "vpd_di_bad_all.hex", "vpd_sdeb.hex"])
    func byteExactRoundTrip(file: String) throws {
        let pages = TestVectors.splitVPDPages(try TestVectors.inhex(file)).filter { $0[1] == 0x83 }
        try #require(pages.count == 1)
        let b = pages[0]
        let page = try DeviceIdentificationPage(parsing: b)
        #expect(page.encoded(deviceType: b[0] & 0x1F) == b)
    }

    @Test("Designator header bits: protocol identifier, code set, PIV, association, type")
    func designatorHeader() throws {
        let d = Designator(protocolIdentifier: 5, codeSet: .utf8, piv: true, association: .targetDevice,
                           type: .scsiNameString, value: Array("iqn.2003-01.org.linux-iscsi:t1".utf8) + [0, 0])
        let e = d.encoded()
        #expect(Array(e[0..<4]) == [0x53, 0xA8, 0x00, 32])
        let page = DeviceIdentificationPage(designators: [d, Self.lu(.naa, 16, fill: 0x60)])
        let b = page.encoded(deviceType: 0)
        #expect(Array(b[0..<4]) == [0x00, 0x83, 0x00, 56])
        #expect(try DeviceIdentificationPage(parsing: b) == page)
        // Reserved association 3 and every type survive a round trip.
        for type in UInt8(0)...0x0F {
            let r = Designator(codeSet: .init(rawValue: 0x0F), association: .reserved, type: .init(rawValue: type), value: [type])
            #expect(try DeviceIdentificationPage(parsing: DeviceIdentificationPage(designators: [r]).encoded()).designators == [r])
        }
    }

    @Test("Random pages never trap the parser; what parses re-encodes to a prefix of the input")
    func fuzz() throws {
        var state: UInt64 = 0x0083_0083_0083
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let seed = try TestVectors.inhex("vpd_di_all.hex")
        for _ in 0..<2000 {
            var b = seed
            for _ in 0..<(1 + Int(next()) % 6) { b[4 + Int(next()) % (b.count - 4)] = next() }
            if next() & 1 == 0 { b = Array(b.prefix(Int(next()) + 4)) }
            let page = try DeviceIdentificationPage(parsing: b)
            let again = page.encoded(deviceType: b[0] & 0x1F)
            #expect(try DeviceIdentificationPage(parsing: again) == DeviceIdentificationPage(designators: page.designators))
            if page.problems.isEmpty {
                #expect(again.count == b.count, "a page parsed without problems re-encodes to its own length")
            }
            _ = page.preferredCopyDesignator
            _ = page.designators.map(\.valueText)
        }
    }
}
