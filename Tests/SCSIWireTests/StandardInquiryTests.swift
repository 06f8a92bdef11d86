import Foundation
import Testing
@testable import SCSIWire

/// Standard INQUIRY data (SPC-4 6.6.2). The IBM SVC and Pure FlashArray captures
/// (Hardware/captures/IBM-SVC-2145-sg_inq.txt, PURE-FlashArray-sg_inq.txt) hold only sg_inq's
/// decoded text, no hex; the byte images below are DERIVED from that text (every bit sg_inq
/// printed is set accordingly, everything it did not print is zero), and sg_inq 2.10
/// (sg3-utils 1.46) is run on them to show the derivation reproduces the captured text.
@Suite struct StandardInquiryTests {

    /// A 96-byte image built by hand, offset by offset, from SPC-4 table 148.
    static let handBuilt: [UInt8] = {
        var b = [UInt8](repeating: 0, count: 96)
        b[0] = 0x3F         // PERIPHERAL QUALIFIER 001b, PERIPHERAL DEVICE TYPE 1Fh
        b[1] = 0x80         // RMB
        b[2] = 0x07         // VERSION: SPC-5
        b[3] = 0x32         // NORMACA (bit 5), HISUP (bit 4), RESPONSE DATA FORMAT 2
        b[4] = 91           // ADDITIONAL LENGTH (n-4): 96 bytes in all
        b[5] = 0xF9         // SCCS, ACC, TPGS 11b, 3PC, PROTECT (bits 2-1 reserved)
        b[6] = 0x50         // ENCSERV (bit 6), MULTIP (bit 4)
        b[7] = 0x02         // CMDQUE
        b.replaceSubrange(8..<16, with: Array("ACME    ".utf8))                 // T10 VENDOR IDENTIFICATION
        b.replaceSubrange(16..<32, with: Array("Copy Engine 9000".utf8))        // PRODUCT IDENTIFICATION
        b.replaceSubrange(32..<36, with: Array("1.2a".utf8))                     // PRODUCT REVISION LEVEL
        // VERSION DESCRIPTORS 1-8 at bytes 58-73: SAM-5, SPC-4, SBC-3, iSCSI, then zeros.
        b.replaceSubrange(58..<66, with: [0x00, 0xA0, 0x04, 0x60, 0x04, 0xC0, 0x09, 0x60])
        return b
    }()

    @Test("Hand-built SPC-4 image: every field at its offset")
    func handBuiltFields() throws {
        let q = try StandardInquiry(parsing: Self.handBuilt)
        #expect(q.peripheralQualifier == 1)
        #expect(q.peripheralDeviceType == 0x1F)
        #expect(q.removable)
        #expect(q.version == 7)
        #expect(q.normACA && q.hiSup)
        #expect(q.responseDataFormat == 2)
        #expect(q.sccs && q.acc)
        #expect(q.tpgs == 3)
        #expect(q.thirdPartyCopy)
        #expect(q.protect)
        #expect(q.encServ && q.multiP && q.cmdQue)
        #expect(q.vendor == "ACME")
        #expect(q.product == "Copy Engine 9000")
        #expect(q.revision == "1.2a")
        #expect(q.versionDescriptors == [0x00A0, 0x0460, 0x04C0, 0x0960])
        #expect(q.encoded() == Self.handBuilt, "byte-exact re-encoding")
    }

    /// (byte, mask, the one property that mask must set).
    static let singleBits: [(Int, UInt8, String)] = [
        (1, 0x80, "removable"), (3, 0x20, "normACA"), (3, 0x10, "hiSup"), (5, 0x80, "sccs"), (5, 0x40, "acc"),
        (5, 0x20, "tpgs2"), (5, 0x10, "tpgs1"), (5, 0x08, "thirdPartyCopy"), (5, 0x01, "protect"),
        (6, 0x40, "encServ"), (6, 0x10, "multiP"), (7, 0x02, "cmdQue"),
    ]

    @Test("Each flag bit sets exactly its own field; reserved/obsolete bits set none")
    func bitIsolation() throws {
        func flags(_ q: StandardInquiry) -> Set<String> {
            var s: Set<String> = []
            if q.removable { s.insert("removable") }
            if q.normACA { s.insert("normACA") }
            if q.hiSup { s.insert("hiSup") }
            if q.sccs { s.insert("sccs") }
            if q.acc { s.insert("acc") }
            if q.tpgs & 2 != 0 { s.insert("tpgs2") }
            if q.tpgs & 1 != 0 { s.insert("tpgs1") }
            if q.thirdPartyCopy { s.insert("thirdPartyCopy") }
            if q.protect { s.insert("protect") }
            if q.encServ { s.insert("encServ") }
            if q.multiP { s.insert("multiP") }
            if q.cmdQue { s.insert("cmdQue") }
            return s
        }
        var base = [UInt8](repeating: 0x20, count: 36)
        for i in 0..<8 { base[i] = 0 }
        base[4] = 31
        #expect(flags(try StandardInquiry(parsing: base)).isEmpty)
        for (byte, mask, name) in Self.singleBits {
            var b = base
            b[byte] |= mask
            #expect(flags(try StandardInquiry(parsing: b)) == [name], "byte \(byte) mask \(hexByte(mask))")
            let q = try StandardInquiry(parsing: b)
            #expect(Array(q.encoded()[0..<8]) == Array(b[0..<8]), "re-encoding byte \(byte) mask \(hexByte(mask))")
        }
        // Bits that are reserved or obsolete in SPC-4 (byte 1 bits 6-0, byte 3 bits 7-6,
        // byte 5 bits 2-1, byte 6 bits 7, 5, 3-0 (VS, ADDR16...), byte 7 bits 7-2 and 0) must not
        // raise any flag.
        for (byte, mask) in [(1, UInt8(0x7F)), (3, 0xC0), (5, 0x06), (6, 0xAF), (7, 0xFD)] {
            var b = base
            b[byte] |= mask
            #expect(flags(try StandardInquiry(parsing: b)).isEmpty, "byte \(byte) mask \(hexByte(mask))")
        }
    }

    @Test("Version descriptors are read only as far as ADDITIONAL LENGTH and the data reach")
    func versionDescriptorBounds() throws {
        var b = Self.handBuilt
        b.replaceSubrange(58..<74, with: [0x00, 0xA0, 0, 0, 0x04, 0x60, 0x04, 0xC0, 0x09, 0x60, 0x1E, 0xA0, 0x20, 0x00, 0xFF, 0xFF])
        #expect(try StandardInquiry(parsing: b).versionDescriptors == [0x00A0, 0x0460, 0x04C0, 0x0960, 0x1EA0, 0x2000, 0xFFFF],
                "all eight slots, zeros dropped")
        b[4] = 31   // 36 bytes claimed: none of the descriptors count
        #expect(try StandardInquiry(parsing: b).versionDescriptors.isEmpty)
        b[4] = 64   // 69 bytes: slots 58-59 ... 67-68 (five complete)
        #expect(try StandardInquiry(parsing: b).versionDescriptors == [0x00A0, 0x0460, 0x04C0, 0x0960])
        b[4] = 91
        #expect(try StandardInquiry(parsing: Array(b.prefix(65))).versionDescriptors == [0x00A0, 0x0460],
                "a 65-byte transfer holds slots 1-3 completely (slot 2 is zero) and half of slot 4")
        #expect(try StandardInquiry(parsing: Array(b.prefix(36))).versionDescriptors.isEmpty)
    }

    @Test("Text fields: trailing spaces and NULs trimmed, control characters shown as '.'")
    func textFields() throws {
        var b = Self.handBuilt
        b.replaceSubrange(8..<16, with: [0x4C, 0x49, 0x4F, 0x2D, 0x4F, 0x52, 0x47, 0x00])      // "LIO-ORG\0"
        b.replaceSubrange(16..<32, with: Array("disk\nX=1\u{1B}[31m   ".utf8))
        b.replaceSubrange(32..<36, with: [0x34, 0x2E, 0x30, 0x20])
        let q = try StandardInquiry(parsing: b)
        #expect(q.vendor == "LIO-ORG")
        #expect(q.product == "disk.X=1.[31m")
        #expect(q.revision == "4.0")
    }

    @Test("Anything shorter than 36 bytes throws WireError.truncated")
    func shortData() {
        for length in 0..<36 {
            do {
                _ = try StandardInquiry(parsing: Array(Self.handBuilt.prefix(length)))
                Issue.record("a \(length)-byte INQUIRY parsed")
            } catch let error as WireError {
                guard case let .truncated(_, needed, available) = error else {
                    Issue.record("\(length) bytes: \(error), expected truncated"); continue
                }
                #expect(needed == 36 && available == length)
            } catch {
                Issue.record("non-wire error \(error)")
            }
        }
        #expect(throws: Never.self) { try StandardInquiry(parsing: Array(Self.handBuilt.prefix(36))) }
    }

    @Test("Round trip: parse(encode(x)) == x; 36 bytes without version descriptors, 96 with")
    func roundTrip() throws {
        let models = [
            StandardInquiry(vendor: "LIO-ORG", product: "block0", revision: "4.0"),
            StandardInquiry(peripheralQualifier: 1, version: 5, hiSup: false, tpgs: 1, thirdPartyCopy: true,
                            multiP: true, cmdQue: false, vendor: "FREEBSD", product: "CTLDISK", revision: "0001",
                            versionDescriptors: [0x0460, 0x04C0]),
            StandardInquiry(peripheralDeviceType: 0x0C, removable: true, version: 7, normACA: true, sccs: true, acc: true,
                            tpgs: 3, protect: true, encServ: true, vendor: "12345678", product: "1234567890ABCDEF",
                            revision: "WXYZ", versionDescriptors: [1, 2, 3, 4, 5, 6, 7, 8]),
        ]
        for m in models {
            let b = m.encoded()
            #expect(b.count == (m.versionDescriptors.isEmpty ? 36 : 96))
            #expect(Int(b[4]) == b.count - 5)
            #expect(try StandardInquiry(parsing: b) == m)
        }
        // Over-long text is cut to the field; more than eight descriptors keep the first eight.
        let long = StandardInquiry(vendor: "VENDOR-TOO-LONG", product: "PRODUCT-NAME-TOO-LONG", revision: "12345",
                                   versionDescriptors: Array(1...10))
        let q = try StandardInquiry(parsing: long.encoded())
        #expect(q.vendor == "VENDOR-T" && q.product == "PRODUCT-NAME-TOO" && q.revision == "1234")
        #expect(q.versionDescriptors == Array(1...8))
    }

    // MARK: - Derived from real captures, checked with sg_inq 2.10

    /// The `key=value` tokens sg_inq prints in its standard INQUIRY decode.
    static func tokens(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            let w = word.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let parts = w.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else { continue }
            out[String(parts[0]) == "Device_type" ? "PDT" : String(parts[0])] = String(parts[1])
        }
        return out
    }

    static func line(_ text: String, after label: String) -> String? {
        text.split(separator: "\n").first { $0.contains(label) }.map {
            String($0[$0.range(of: label)!.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
    }

    struct DerivedCapture: Sendable, CustomTestStringConvertible {
        var file: String
        /// Which "standard INQUIRY:" block of the capture (the Pure mail has two).
        var block: Int
        var bytes: [UInt8]
        var testDescription: String { "\(file) #\(block)" }
    }

    static func derived(pq: UInt8, byte3: UInt8, byte5: UInt8, byte6: UInt8, byte7: UInt8, length: Int,
                        vendor: String, product: String, revision: String) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: length)
        b[0] = pq << 5
        b[2] = 0x06
        b[3] = byte3
        b[4] = UInt8(length - 5)
        b[5] = byte5; b[6] = byte6; b[7] = byte7
        b.replaceSubrange(8..<16, with: StandardInquiry.padded(vendor, 8))
        b.replaceSubrange(16..<32, with: StandardInquiry.padded(product, 16))
        b.replaceSubrange(32..<36, with: StandardInquiry.padded(revision, 4))
        return b
    }

    static let captures: [DerivedCapture] = [
        // IBM SVC 2145: PQual=0 PDT=0 version=0x06 NormACA=1 HiSUP=1 Resp_data_format=2 SCCS=0
        // TPGS=1 3PC=1 MultiP=1 CmdQue=1, length=109.
        DerivedCapture(file: "IBM-SVC-2145-sg_inq.txt", block: 0,
                       bytes: derived(pq: 0, byte3: 0x32, byte5: 0x18, byte6: 0x10, byte7: 0x02, length: 109,
                                      vendor: "IBM", product: "2145", revision: "0000")),
        // Pure FlashArray /dev/sdb: PQual=1 (no connected LU); SCCS=1 TPGS=1 3PC=1, length=96.
        DerivedCapture(file: "PURE-FlashArray-sg_inq.txt", block: 0,
                       bytes: derived(pq: 1, byte3: 0x32, byte5: 0x98, byte6: 0x10, byte7: 0x02, length: 96,
                                      vendor: "PURE", product: "FlashArray", revision: "8888")),
        // Pure FlashArray /dev/sg2: the same LU with PQual=0.
        DerivedCapture(file: "PURE-FlashArray-sg_inq.txt", block: 1,
                       bytes: derived(pq: 0, byte3: 0x32, byte5: 0x98, byte6: 0x10, byte7: 0x02, length: 96,
                                      vendor: "PURE", product: "FlashArray", revision: "8888")),
    ]

    /// The capture's n-th "standard INQUIRY" block (QP-decoded text: "=3D" -> "=").
    static func captureBlock(_ c: DerivedCapture) throws -> String {
        var text = try TestVectors.captureText(c.file)
        if let r = text.range(of: "==== Section B") { text = String(text[r.lowerBound...]) }
        text = text.replacingOccurrences(of: "=3D", with: "=")
        let blocks = text.components(separatedBy: "standard INQUIRY:").dropFirst()
        let block = try #require(blocks.dropFirst(c.block).first, "\(c.file) has no block \(c.block)")
        return block.components(separatedBy: "Unit serial number").first ?? block
    }

    @Test("Derived images of real captures: sg_inq reproduces the captured text, and we agree with sg_inq",
          arguments: captures)
    func derivedCaptures(_ c: DerivedCapture) throws {
        let captured = try Self.captureBlock(c)
        let capturedTokens = Self.tokens(captured)
        try #require(capturedTokens.count >= 20, "\(c.file): capture tokens \(capturedTokens)")

        let tool = try TestVectors.requireSgInq()
        let url = try TestVectors.writeTemporaryInhex(c.bytes, name: "inquiry.hex")
        defer { TestVectors.removeTemporary(url) }
        let result = try TestVectors.run(tool, ["--inhex=" + url.path])
        try #require(result.status == 0, "sg_inq failed: \(result.stderr)")
        let sgTokens = Self.tokens(result.stdout)

        // 1. The derived bytes say what the real target said (keys sg_inq 2.10 still prints).
        for (key, value) in capturedTokens where sgTokens[key] != nil {
            #expect(sgTokens[key] == value, "\(c.file): \(key): captured \(value), sg_inq on derived bytes \(sgTokens[key]!)")
        }
        for label in ["Vendor identification:", "Product identification:", "Product revision level:"] {
            #expect(Self.line(result.stdout, after: label) == Self.line(captured, after: label), "\(c.file): \(label)")
        }

        // 2. Our decoder against sg_inq.
        let q = try StandardInquiry(parsing: c.bytes)
        func flag(_ key: String, _ value: Bool) {
            #expect(sgTokens[key] == (value ? "1" : "0"), "\(c.file): \(key): ours \(value), sg_inq \(sgTokens[key] ?? "none")")
        }
        #expect(sgTokens["PQual"] == "\(q.peripheralQualifier)")
        #expect(sgTokens["PDT"] == "\(q.peripheralDeviceType)")
        #expect(sgTokens["version"] == String(format: "0x%02x", q.version))
        #expect(sgTokens["Resp_data_format"] == "\(q.responseDataFormat)")
        #expect(sgTokens["TPGS"] == "\(q.tpgs)")
        flag("RMB", q.removable); flag("NormACA", q.normACA); flag("HiSUP", q.hiSup); flag("SCCS", q.sccs)
        flag("ACC", q.acc); flag("3PC", q.thirdPartyCopy); flag("Protect", q.protect); flag("EncServ", q.encServ)
        flag("MultiP", q.multiP); flag("CmdQue", q.cmdQue)
        #expect(sgTokens["length"] == "\(c.bytes.count)")
        #expect(Self.line(result.stdout, after: "Vendor identification:") == q.vendor)
        #expect(Self.line(result.stdout, after: "Product identification:") == q.product)
        #expect(Self.line(result.stdout, after: "Product revision level:") == q.revision)
        // What the copy engine looks at first.
        #expect(q.thirdPartyCopy && q.tpgs == 1)
        #expect(q.versionDescriptors.isEmpty, "the captures show no version descriptors; the derivation has none")
    }

    @Test("Version descriptors: sg_inq -d lists as many as we decode")
    func versionDescriptorsAgainstSgInq() throws {
        let tool = try TestVectors.requireSgInq()
        let url = try TestVectors.writeTemporaryInhex(Self.handBuilt, name: "inquiry.hex")
        defer { TestVectors.removeTemporary(url) }
        let result = try TestVectors.run(tool, ["-d", "--inhex=" + url.path])
        try #require(result.status == 0, "sg_inq -d failed: \(result.stderr)")
        let listed = result.stdout.components(separatedBy: "Version descriptors:").dropFirst().first?
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        #expect(listed == ["SAM-5 (no version claimed)", "SPC-4 (no version claimed)", "SBC-3 (no version claimed)",
                           "iSCSI (no version claimed)"])
        #expect(try StandardInquiry(parsing: Self.handBuilt).versionDescriptors.count == listed.count)
    }
}
