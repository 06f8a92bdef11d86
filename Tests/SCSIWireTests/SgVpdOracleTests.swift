import Foundation
import Testing
@testable import SCSIWire

/// Differential test: our VPD decoders against sg_vpd 1.46 (sg3-utils 1.46-3, `sg_vpd --version`
/// "1.63 20210328"), the oracle named in Hardware/captures/sg3_utils-inhex/README.md. sg_vpd
/// >= 1.48 must not be used: it reads 0x8F Parameter Data "Maximum inline data length" at
/// offset 17. A missing or different sg_vpd FAILS these tests; they never skip.
///
/// Inputs: every page with a code we decode (00h, 80h, 83h, 8Fh, B0h, B2h) in every
/// `sg3_utils-inhex/vpd_*.hex` (synthetic sg3_utils vectors; vpd_sdeb.hex holds several pages back
/// to back and is split by page header, because sg_vpd 1.46 `--inhex` decodes only a file's first
/// page, even with `-p`); the FreeBSD CTL 0x8F pages (DERIVED FROM SOURCE, NOT A CAPTURE); and
/// byte images DERIVED from the decoded text of real captures (LIO 4Kn, IBM DS8870, Hitachi
/// VSP/VMware, unknown SAS/array/ESXi), for which sg_vpd's decode of the derived bytes is first
/// checked against the captured text.
///
/// Fields sg_vpd prints that are not compared, and why, are listed in `Oracle.notCompared` and in
/// the comments of each comparator (e.g. UNMAP GRANULARITY ALIGNMENT when UGAVALID is 0: our model
/// drops it; B2 provisioning group descriptor: not modelled).
@Suite struct SgVpdOracleTests {

    static let supportedCodes: Set<UInt8> = [0x00, 0x80, 0x83, 0x8F, 0xB0, 0xB2]

    struct VectorPage: Sendable, CustomTestStringConvertible {
        var file: String
        var code: UInt8
        var testDescription: String { "\(file) page \(hexByte(code))" }
    }

    /// What the vector directory holds that we decode. `coverage()` fails if this list and the
    /// directory disagree, so a new vector cannot slip past the oracle.
    static let vectorPages: [VectorPage] = [
        VectorPage(file: "vpd_bl.hex", code: 0xB0),
        VectorPage(file: "vpd_dev_id.hex", code: 0x83),
        VectorPage(file: "vpd_di_all.hex", code: 0x83),
        VectorPage(file: "vpd_di_bad_all.hex", code: 0x83),
        VectorPage(file: "vpd_di_name_inject.hex", code: 0x83),
        VectorPage(file: "vpd_di_old_emc_symm.hex", code: 0x83),
        VectorPage(file: "vpd_lbpv.hex", code: 0xB2),
        VectorPage(file: "vpd_sdeb.hex", code: 0x00),
        VectorPage(file: "vpd_sdeb.hex", code: 0x80),
        VectorPage(file: "vpd_sdeb.hex", code: 0x83),
        VectorPage(file: "vpd_sdeb.hex", code: 0xB0),
        VectorPage(file: "vpd_sdeb.hex", code: 0xB2),
        VectorPage(file: "vpd_tpc.hex", code: 0x8F),
    ]

    @Test("sg_vpd is sg3-utils 1.46 (sg_vpd 1.63 20210328)")
    func oracleVersion() throws {
        _ = try TestVectors.requireSgVpd()
    }

    @Test("Every VPD vector in sg3_utils-inhex with a page we decode is in the oracle's list")
    func coverage() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestVectors.inhexDirectory.path)
            .filter { $0.hasPrefix("vpd_") && $0.hasSuffix(".hex") }.sorted()
        #expect(files.count >= 20, "\(files)")
        var found: [String] = []
        for file in files {
            for page in TestVectors.splitVPDPages(try TestVectors.inhex(file)) where Self.supportedCodes.contains(page[1]) {
                found.append(VectorPage(file: file, code: page[1]).testDescription)
            }
        }
        #expect(found == Self.vectorPages.map(\.testDescription))
    }

    @Test("sg_vpd 1.46 and our decoder agree on every supported page of every sg3_utils vector", arguments: vectorPages)
    func vectorPage(_ v: VectorPage) throws {
        let oracle = try Oracle()
        let pages = TestVectors.splitVPDPages(try TestVectors.inhex(v.file))
        let page = try #require(pages.first { $0[1] == v.code })
        if pages.count == 1 {
            try oracle.compare(page: page, file: TestVectors.inhexDirectory.appendingPathComponent(v.file), label: v.testDescription)
        } else {
            try oracle.compare(page: page, label: v.testDescription)
        }
        oracle.finish()
        #expect(oracle.compared >= Self.minimumComparisons[v.testDescription, default: 1],
                "\(v.testDescription): only \(oracle.compared) fields compared")
    }

    /// Lower bounds on the number of fields compared, so a broken output parser cannot pass by
    /// comparing nothing.
    static let minimumComparisons: [String: Int] = [
        "vpd_bl.hex page 0xB0": 16, "vpd_dev_id.hex page 0x83": 25, "vpd_di_all.hex page 0x83": 70,
        "vpd_di_bad_all.hex page 0x83": 70, "vpd_di_name_inject.hex page 0x83": 5, "vpd_lbpv.hex page 0xB2": 10,
        "vpd_sdeb.hex page 0x00": 12, "vpd_sdeb.hex page 0x83": 40, "vpd_sdeb.hex page 0xB0": 16,
        "vpd_sdeb.hex page 0xB2": 10, "vpd_tpc.hex page 0x8F": 20,
    ]

    // MARK: - CTL (derived from source) and synthetic 0x8F pages

    @Test("sg_vpd 1.46 and our decoder agree on the FreeBSD CTL 0x8F pages (derived, not captured)",
          arguments: ["main", "legacy-ffff", "truenas-early"])
    func ctlPage(variant: String) throws {
        let page = try #require(try TestVectors.ctlDerivedTPCPages()[variant])
        let oracle = try Oracle()
        try oracle.compare(page: page, label: "CTL \(variant) (derived)")
        oracle.finish()
        #expect(oracle.compared >= 45, "only \(oracle.compared) fields compared")
    }

    @Test("sg_vpd 1.46 and our decoder agree on a synthetic page with 9101h, C001h and an unknown descriptor")
    func rareDescriptorsPage() throws {
        let page = TestVectors.hex("""
            00 8f 00 1c
            91 01 00 08  00 00 10 00 00 00 00 00
            c0 01 00 08  00 00 20 00 05 00 00 00
            12 34 00 00
            """)
        let oracle = try Oracle()
        try oracle.compare(page: page, label: "synthetic 9101h/C001h")
        oracle.finish()
        #expect(oracle.compared >= 4)
    }

    // MARK: - Pages derived from real captures

    struct DerivedPage: Sendable, CustomTestStringConvertible {
        var name: String
        var capture: String
        /// The decoded text in the capture lies between these markers.
        var from: String
        var to: String
        /// How many `key: value` lines of that text are fields of the page.
        var capturedFields: Int
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    typealias BL = BlockLimitsAndProvisioningTests

    static let derivedPages: [DerivedPage] = [
        DerivedPage(name: "LIO iblock 4Kn B0 (sg_inq -p 0xb0)", capture: "LIO-iblock-4Kn-sg_inq-b0-MTL-in-512b-bug.txt",
                    from: "sg_inq -p 0xb0 /dev/sdc", to: "This happens because", capturedFields: 5,
                    bytes: BL.blockLimits(mcawl: 1, otlg: 1, mtl: 256, otl: 32)),
        DerivedPage(name: "IBM DS8870 B0", capture: "IBM-DS8870-sg_vpd-bl-lbpv-readcap.txt",
                    from: "# sg_vpd -p bl /dev/sde", to: "# sg_vpd -p lbpv /dev/sde", capturedFields: 17,
                    bytes: BL.blockLimits(mcawl: 1, mul: 0xFFFF_FFFF, oug: 2_097_152, ugaValid: true)),
        DerivedPage(name: "IBM DS8870 B2", capture: "IBM-DS8870-sg_vpd-bl-lbpv-readcap.txt",
                    from: "# sg_vpd -p lbpv /dev/sde", to: "# mkfs.ext4", capturedFields: 10,
                    bytes: BL.page(0xB2, [21, 0x40, 0x00, 0x00])),
        DerivedPage(name: "VMware vdisk on Hitachi thin LU B0", capture: "HITACHI-VSP-sg_vpd-b0-b2-RDM-vs-vmdk.txt",
                    from: "sg_vpd --page=0xb0 /dev/sdb -vvv", to: "sg_vpd --page=0xb2 /dev/sdb -vvv", capturedFields: 12,
                    bytes: BL.blockLimits(mul: 65536, mubdc: 64, oug: 2048, ugaValid: true)),
        DerivedPage(name: "VMware vdisk on Hitachi thin LU B2", capture: "HITACHI-VSP-sg_vpd-b0-b2-RDM-vs-vmdk.txt",
                    from: "sg_vpd --page=0xb2 /dev/sdb -vvv", to: "##### vdisk3", capturedFields: 8,
                    bytes: BL.page(0xB2, [1, 0x84, 0x02, 0x00])),
        DerivedPage(name: "Hitachi VSP LDEV (RDM) B0", capture: "HITACHI-VSP-sg_vpd-b0-b2-RDM-vs-vmdk.txt",
                    from: "sg_vpd --page=0xb0 /dev/sdc -vvv", to: "#### Execute", capturedFields: 12,
                    bytes: BL.blockLimits(mcawl: 1, otlg: 128, otl: 86016, mul: 0xFFFF_FFFF, mubdc: 1, oug: 512)),
        DerivedPage(name: "Unknown SAS device B0", capture: "UNKNOWN-array-SAS-and-ESXi-vdisk-sg_vpd-bl.txt",
                    from: "# SAS Device", to: "# Dogfood", capturedFields: 12,
                    bytes: BL.blockLimits(mul: 262_143, mubdc: 32, oug: 1)),
        DerivedPage(name: "Unknown array 'Dogfood 17.95' B0", capture: "UNKNOWN-array-SAS-and-ESXi-vdisk-sg_vpd-bl.txt",
                    from: "# Dogfood 17.95", to: "# ESXi", capturedFields: 12,
                    bytes: BL.blockLimits(wsnz: true, mcawl: 1, otlg: 8, mtl: 2560, otl: 2560, mul: 2048, mubdc: 1, oug: 512,
                                          ugaValid: true, uga: 512, mwsl: 0x80000)),
        DerivedPage(name: "ESXi guest vdisk B0", capture: "UNKNOWN-array-SAS-and-ESXi-vdisk-sg_vpd-bl.txt",
                    from: "# ESXi", to: "```", capturedFields: 17,
                    bytes: BL.blockLimits(wsnz: true, mul: 65536, mubdc: 64, oug: 2048, ugaValid: true, mwsl: 0x2000)),
    ]

    /// Older sg_vpd wording -> 1.46 wording.
    static let keyAliases: [String: String] = [
        "Write same no zero (WSNZ)": "Write same non-zero (WSNZ)",
        "Maximum prefetch length": "Maximum prefetch transfer length",
        "Write same (16) with unmap bit supported (LBWS)": "Write same (16) with unmap bit supported (LBPWS)",
        "Write same (10) with unmap bit supported (LBWS10)": "Write same (10) with unmap bit supported (LBPWS10)",
    ]

    @Test("Pages derived from real captures: sg_vpd reproduces the captured text, and we agree with sg_vpd",
          arguments: derivedPages)
    func derivedPage(_ d: DerivedPage) throws {
        let oracle = try Oracle()
        let text = try TestVectors.captureText(d.capture)
        let start = try #require(text.range(of: d.from), "\(d.capture): no '\(d.from)'")
        let end = try #require(text.range(of: d.to, range: start.upperBound..<text.endIndex), "\(d.capture): no '\(d.to)'")
        let captured = String(text[start.upperBound..<end.lowerBound])

        let out = try oracle.run(page: d.bytes)
        let sgFields = Dictionary(Oracle.keyValues(out.stdout).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var matched = 0
        for (rawKey, value) in Oracle.keyValues(captured) {
            let key = Self.keyAliases[rawKey] ?? rawKey
            guard let sgValue = sgFields[key] else { continue }
            matched += 1
            #expect(Oracle.number(value, width: 32) == Oracle.number(sgValue, width: 32),
                    "\(d.name): \(key): captured \"\(value)\", sg_vpd on the derived bytes \"\(sgValue)\"")
        }
        #expect(matched == d.capturedFields, "\(d.name): \(matched) captured fields matched sg_vpd's, expected \(d.capturedFields)")

        try oracle.compare(page: d.bytes, label: d.name)
        oracle.finish()
        #expect(oracle.compared >= 10)
    }

    // MARK: - Negative controls: the comparison can fail

    struct Mutation: Sendable, CustomTestStringConvertible {
        var file: String
        var code: UInt8
        /// Page offset to change and the byte to put there.
        var offset: Int
        var byte: UInt8
        /// Text the mismatch report must contain.
        var field: String
        var testDescription: String { "\(file) page \(hexByte(code)) byte \(offset) -> \(hexByte(byte))" }
    }

    static let mutations: [Mutation] = [
        Mutation(file: "vpd_tpc.hex", code: 0x8F, offset: 60 + 19, byte: 0x78, field: "Maximum inline data length"),
        Mutation(file: "vpd_tpc.hex", code: 0x8F, offset: 40 + 13, byte: 0x12, field: "command 3"),
        Mutation(file: "vpd_tpc.hex", code: 0x8F, offset: 100 + 9, byte: 0x02, field: "CSCD IDs"),
        Mutation(file: "vpd_dev_id.hex", code: 0x83, offset: 15, byte: 0x2C, field: "NAA value"),
        Mutation(file: "vpd_dev_id.hex", code: 0x83, offset: 17, byte: 0xA3, field: "association"),
        Mutation(file: "vpd_di_all.hex", code: 0x83, offset: 35, byte: 0x41, field: "T10 vendor ID text"),
        Mutation(file: "vpd_bl.hex", code: 0xB0, offset: 11, byte: 0xFE, field: "Maximum transfer length"),
        Mutation(file: "vpd_bl.hex", code: 0xB0, offset: 32, byte: 0x80, field: "Unmap granularity alignment valid"),
        Mutation(file: "vpd_lbpv.hex", code: 0xB2, offset: 5, byte: 0x41, field: "LBPWS"),
        Mutation(file: "vpd_sdeb.hex", code: 0x00, offset: 7, byte: 0x86, field: "page 3"),
        Mutation(file: "vpd_sdeb.hex", code: 0x80, offset: 7, byte: 0x31, field: "unit serial number"),
    ]

    @Test("Negative controls: a decode that differs from sg_vpd's in one field is reported, naming that field",
          arguments: mutations)
    func negativeControl(_ m: Mutation) throws {
        let oracle = try Oracle()
        let original = try #require(TestVectors.splitVPDPages(try TestVectors.inhex(m.file)).first { $0[1] == m.code })
        var mutated = original
        try #require(mutated[m.offset] != m.byte, "the mutation must change the byte")
        mutated[m.offset] = m.byte
        // sg_vpd reads the original page, our decoder the mutated one.
        let url = try TestVectors.writeTemporaryInhex(original)
        defer { TestVectors.removeTemporary(url) }
        try oracle.compare(page: mutated, file: url, label: m.testDescription)
        #expect(oracle.mismatches.contains { $0.contains(m.field) }, "mismatches reported: \(oracle.mismatches)")
    }

    // MARK: - The oracle

    /// Runs sg_vpd on one page and compares its printout with our decoder, field by field.
    /// Every mismatch names the page, the field, our value and sg_vpd's; `finish()` records them
    /// as issues (the negative controls inspect them instead).
    final class Oracle {
        let sgVpd: String
        private(set) var compared = 0
        private(set) var notCompared: [String] = []
        private(set) var mismatches: [String] = []

        /// Records every mismatch as an issue of the calling test.
        func finish(sourceLocation: SourceLocation = #_sourceLocation) {
            for m in mismatches { Issue.record(Comment(rawValue: m), sourceLocation: sourceLocation) }
            mismatches = []
        }

        func fail(_ message: String) { mismatches.append(message) }

        init(sourceLocation: SourceLocation = #_sourceLocation) throws {
            sgVpd = try TestVectors.requireSgVpd(sourceLocation: sourceLocation)
        }

        func run(_ arguments: [String]) throws -> TestVectors.ProcessResult {
            let r = try TestVectors.run(sgVpd, arguments)
            try #require(r.status == 0, "sg_vpd \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr)")
            return r
        }

        func run(page: [UInt8], extra: [String] = []) throws -> TestVectors.ProcessResult {
            let url = try TestVectors.writeTemporaryInhex(page)
            defer { TestVectors.removeTemporary(url) }
            return try run(extra + ["--inhex=" + url.path])
        }

        func compare(page: [UInt8], label: String) throws {
            let url = try TestVectors.writeTemporaryInhex(page)
            defer { TestVectors.removeTemporary(url) }
            try compare(page: page, file: url, label: label)
        }

        /// `file` holds `page` (or a file whose first page is `page`) in inhex form.
        func compare(page: [UInt8], file: URL, label: String) throws {
            let out = try run(["--inhex=" + file.path]).stdout
            switch page[1] {
            case 0x00: try compareSupportedPages(page, out, label)
            case 0x80: try compareSerialNumber(page, out, label)
            case 0x83:
                try compareDeviceIdentification(page, out, label)
                let asis = try run(["-p", "di_asis", "--inhex=" + file.path]).stdout
                try compareDeviceIdentificationOrder(page, asis, label)
                try compareProblems(page, file, label) { try DeviceIdentificationPage(parsing: $0).problems }
            case 0x8F:
                try compareThirdPartyCopy(page, out, label)
                try compareProblems(page, file, label) { try ThirdPartyCopyPage(parsing: $0).problems }
            case 0xB0: try compareBlockLimits(page, out, label)
            case 0xB2: try compareProvisioning(page, out, label)
            default: fail("\(label): no comparator for page \(hexByte(page[1]))")
            }
        }

        // MARK: helpers

        func check<T: Equatable>(_ label: String, _ field: String, ours: T?, sg: T?) {
            compared += 1
            if ours != sg {
                fail("\(label): \(field): ours \(ours.map { "\($0)" } ?? "nil"), sg_vpd \(sg.map { "\($0)" } ?? "nothing")")
            }
        }

        func skip(_ label: String, _ what: String) { notCompared.append("\(label): \(what)") }

        static func keyValues(_ text: String) -> [(key: String, value: String)] {
            text.components(separatedBy: "\n").compactMap { line in
                let t = line.trimmingCharacters(in: .whitespaces)
                guard let r = t.range(of: ": ") else { return nil }
                return (String(t[..<r.lowerBound]), String(t[r.upperBound...]))
            }
        }

        /// The first word of an sg_vpd value as a number: decimal, 0x-hex, -1 (all ones of
        /// `width` bits), true/false, yes/no.
        static func number(_ value: String, width: Int) -> UInt64? {
            let token = value.split(separator: " ").first.map(String.init) ?? ""
            switch token {
            case "-1": return width >= 64 ? .max : (UInt64(1) << width) - 1
            case "true", "yes": return 1
            case "false", "no": return 0
            default:
                if token.hasPrefix("0x") { return UInt64(token.dropFirst(2), radix: 16) }
                return UInt64(token)
            }
        }

        /// Compares numeric `key: value` fields. `fields` maps sg_vpd's key to (our value, bit width,
        /// optional). An optional field sg_vpd does not print must be nil in ours; a field sg_vpd
        /// prints that is not in `fields` (and not in `ignoring`) is an issue.
        func compareFields(_ label: String, _ printed: [(key: String, value: String)],
                           _ fields: [(String, UInt64?, Int, Bool)], ignoring: Set<String> = []) {
            let sg = Dictionary(printed.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            let known = Set(fields.map(\.0))
            for (key, ours, width, optional) in fields {
                if let value = sg[key] {
                    guard let n = Self.number(value, width: width) else {
                        fail("\(label): \(key): cannot read sg_vpd's value \"\(value)\""); continue
                    }
                    check(label, key, ours: ours, sg: n)
                } else if optional {
                    check(label, "\(key) (absent from sg_vpd's output)", ours: ours, sg: nil)
                } else {
                    fail("\(label): sg_vpd printed no \"\(key)\"")
                }
            }
            for (key, _) in printed where !known.contains(key) && !ignoring.contains(key) {
                fail("\(label): sg_vpd printed \"\(key)\", which this comparator does not know")
            }
        }

        /// Lines of sg_vpd's page decode after its title line.
        static func bodyLines(_ out: String) -> [String] {
            var lines = out.components(separatedBy: "\n")
            if lines.last == "" { lines.removeLast() }
            return Array(lines.dropFirst())
        }

        // MARK: 00h

        func compareSupportedPages(_ page: [UInt8], _ out: String, _ label: String) throws {
            let ours = try SupportedVPDPages(parsing: page).pages.map(\.rawValue)
            // sg_vpd's own acronym table (`sg_vpd -e`) turns "Name [acronym]" back into a code.
            var acronyms: [String: UInt8] = [:]
            let table = try run(["-e"]).stdout.components(separatedBy: "Vendor/product identifiers:")[0]
            for line in table.components(separatedBy: "\n") {
                let w = line.split(separator: " ")
                if w.count >= 2, w[1].hasPrefix("0x"), let code = UInt8(w[1].dropFirst(2), radix: 16) { acronyms[String(w[0])] = code }
            }
            try #require(acronyms["sv"] == 0x00 && acronyms["bl"] == 0xB0, "sg_vpd -e table: \(acronyms)")
            var sg: [UInt8] = []
            for line in Self.bodyLines(out) {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasSuffix("]"), let open = t.lastIndex(of: "["), let code = acronyms[String(t[t.index(after: open)..<t.index(before: t.endIndex)])] {
                    sg.append(code)
                } else if t.hasPrefix("0x"), let code = UInt8(t.dropFirst(2).prefix { $0.isHexDigit }, radix: 16) {
                    sg.append(code)
                } else {
                    fail("\(label): cannot read sg_vpd's line \"\(line)\"")
                }
            }
            check(label, "page count", ours: ours.count, sg: sg.count)
            for (i, (o, s)) in zip(ours, sg).enumerated() { check(label, "page \(i)", ours: hexByte(o), sg: hexByte(s)) }
        }

        // MARK: 80h

        func compareSerialNumber(_ page: [UInt8], _ out: String, _ label: String) throws {
            let ours = try UnitSerialNumberPage(parsing: page).serialNumber
            let sg = Self.keyValues(out).first { $0.key == "Unit serial number" }?.value
            check(label, "unit serial number", ours: ours, sg: sg?.trimmingCharacters(in: .whitespaces))
        }

        // MARK: 83h

        struct SgDesignator {
            var association: Int
            var typeName: String
            var codeSetName: String
            var transport: String?
            var body: [String] = []
        }

        static func sgDesignators(_ out: String) -> [SgDesignator] {
            let associations = ["  Addressed logical unit:": 0, "  Target port:": 1, "  Target device that contains addressed lu:": 2]
            var result: [SgDesignator] = []
            var association = -1
            var current: SgDesignator?
            for line in bodyLines(out) {
                if let a = associations[line] {
                    if let c = current { result.append(c); current = nil }
                    association = a
                } else if line.hasPrefix("    designator type: ") {
                    if let c = current { result.append(c) }
                    let rest = line.dropFirst("    designator type: ".count)
                    let parts = rest.components(separatedBy: ",  code set: ")
                    current = SgDesignator(association: association, typeName: parts[0], codeSetName: parts.count > 1 ? parts[1] : "")
                } else if current != nil, current!.body.isEmpty, current!.transport == nil, line.hasPrefix("     transport: ") {
                    current!.transport = String(line.dropFirst("     transport: ".count))
                } else if current != nil {
                    current!.body.append(line)
                }
            }
            if let c = current { result.append(c) }
            return result
        }

        static let typeNames: [String: UInt8] = [
            "vendor specific [0x0]": 0, "T10 vendor identification": 1, "EUI-64 based": 2, "NAA": 3,
            "Relative target port": 4, "Target port group": 5, "Logical unit group": 6,
            "MD5 logical unit identifier": 7, "SCSI name string": 8, "Protocol specific port identifier": 9,
            "UUID identifier": 0xA,
        ]
        static let codeSetNames: [String: UInt8] = ["Binary": 1, "ASCII": 2, "UTF-8": 3]
        /// Transport names sg_vpd 1.46 prints (sg_get_trans_proto_str); only those met so far.
        static let transportNames: [String: UInt8] = [
            "Serial Attached SCSI Protocol (SPL-4)": 6, "USB Attached SCSI (UAS-2)": 9, "SCSI over PCI Express (SOP)": 0xA,
        ]

        /// Bytes of sg_vpd's hex dump lines ("11 22 ... ff ed    ."3DUfw...").
        static func hexDump(_ lines: [String]) -> [UInt8] {
            lines.flatMap { line in
                String(line.prefix(49)).split(separator: " ").compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
            }
        }

        static func hexValue(_ s: String) -> [UInt8]? {
            let t = s.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("0x"), t.count % 2 == 0 else { return nil }
            let digits = Array(t.dropFirst(2))
            return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
        }

        static func numberAfter(_ label: String, in lines: [String]) -> UInt64? {
            for line in lines {
                if let r = line.range(of: label) {
                    return number(String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces), width: 64)
                }
            }
            return nil
        }

        /// The text of a designator value as sg_vpd prints it (raw; NUL ends it, as with %.*s).
        static func text(_ value: [UInt8]) -> String {
            String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
        }

        /// Compares one designator's value with what sg_vpd printed for it.
        func compareValue(_ d: Designator, _ s: SgDesignator, _ label: String) {
            let body = s.body
            let joined = body.joined(separator: "\n")
            switch d.type.rawValue {
            case 0, 7:  // vendor specific, MD5: a title line then a hex dump
                check(label, "\(d.type) bytes", ours: hexString(d.value), sg: hexString(Self.hexDump(Array(body.dropFirst()))))
            case 1:     // T10: "vendor id: " + 8 raw characters, then "vendor specific: " + the rest
                guard let r = joined.range(of: "vendor id: ") else { fail("\(label): T10 designator without vendor id"); return }
                let afterID = joined[r.upperBound...]
                var sgText = String(afterID.prefix(8))
                if let v = afterID.dropFirst(8).range(of: "vendor specific: ") { sgText += String(afterID.dropFirst(8)[v.upperBound...]) }
                check(label, "T10 vendor ID text", ours: Self.text(d.value), sg: sgText)
            case 2, 3:  // EUI-64, NAA: 0x + hex
                check(label, "\(d.type) value", ours: hexString(d.value), sg: body.first.flatMap(Self.hexValue).map(hexString))
            case 4, 5, 6:
                let name = ["Relative target port: ", "Target port group: ", "Logical unit group: "][Int(d.type.rawValue) - 4]
                let ours: UInt64? = d.value.count >= 4 ? UInt64(try! d.value.be16(at: 2)) : nil
                check(label, "\(d.type)", ours: ours, sg: Self.numberAfter(name, in: body))
            case 8:     // "SCSI name string:" then the raw string (may span lines)
                guard body.count >= 2, body[0].hasSuffix("SCSI name string:") else {
                    fail("\(label): SCSI name string printed as \(body)"); return
                }
                let sgText = String(body[1].dropFirst(6)) + body.dropFirst(2).map { "\n" + $0 }.joined()
                check(label, "SCSI name string", ours: Self.text(d.value), sg: sgText)
            case 9 where d.protocolIdentifier == 9 && d.value.count >= 4:   // UAS
                check(label, "USB device address", ours: UInt64(d.value[0] & 0x7F), sg: Self.numberAfter("USB device address: ", in: body))
                check(label, "USB interface number", ours: UInt64(d.value[2]), sg: Self.numberAfter("USB interface number: ", in: body))
            case 9 where d.protocolIdentifier == 0xA && d.value.count >= 2: // SOP
                check(label, "PCIe bus number", ours: UInt64(d.value[0]), sg: Self.numberAfter("PCIe routing ID, bus number: ", in: body))
                check(label, "PCIe function number", ours: UInt64(d.value[1]), sg: Self.numberAfter("    function number: ", in: body))
            case 0xA where d.value.count == 18:
                let uuid = body.first { $0.contains("UUID: ") }.map { String($0[$0.range(of: "UUID: ")!.upperBound...]) }
                check(label, "UUID", ours: hexString(Array(d.value[2...])), sg: uuid?.replacingOccurrences(of: "-", with: ""))
            default:
                skip(label, "value of a \(d.type) designator (protocol \(d.protocolIdentifier)): no comparator")
            }
        }

        func compareDesignator(_ d: Designator, _ s: SgDesignator, _ label: String) {
            check(label, "association", ours: Int(d.association.rawValue), sg: s.association)
            check(label, "designator type", ours: d.type.rawValue, sg: Self.typeNames[s.typeName])
            check(label, "code set", ours: d.codeSet.rawValue, sg: Self.codeSetNames[s.codeSetName])
            // sg_vpd names the transport only for PIV=1 port and target-device designators.
            let showsTransport = d.piv && (d.association == .targetPort || d.association == .targetDevice)
            check(label, "transport (protocol identifier)", ours: showsTransport ? d.protocolIdentifier : nil,
                  sg: s.transport.flatMap { Self.transportNames[$0] ?? 0xFF })
            compareValue(d, s, label)
        }

        /// Default output: designators grouped by association, page order within each group.
        func compareDeviceIdentification(_ page: [UInt8], _ out: String, _ label: String) throws {
            let ours = try DeviceIdentificationPage(parsing: page).designators
            let sg = Self.sgDesignators(out)
            let grouped = [Designator.Association.logicalUnit, .targetPort, .targetDevice].flatMap { a in ours.filter { $0.association == a } }
            if grouped.count != ours.count { skip(label, "designators with the reserved association (sg_vpd does not print them)") }
            check(label, "designator count", ours: grouped.count, sg: sg.count)
            for (i, (d, s)) in zip(grouped, sg).enumerated() { compareDesignator(d, s, "\(label) designator \(i)") }
        }

        /// `-p di_asis`: designators in page order.
        func compareDeviceIdentificationOrder(_ page: [UInt8], _ out: String, _ label: String) throws {
            let ours = try DeviceIdentificationPage(parsing: page).designators
            let sg = Self.sgDesignators(out)
            check(label, "di_asis designator count", ours: ours.count, sg: sg.count)
            for (i, (d, s)) in zip(ours, sg).enumerated() {
                check(label, "di_asis designator \(i) association", ours: Int(d.association.rawValue), sg: s.association)
                check(label, "di_asis designator \(i) type", ours: d.type.rawValue, sg: Self.typeNames[s.typeName])
            }
        }

        /// sg_vpd -v complains on stderr about exactly the pages we report problems for.
        func compareProblems(_ page: [UInt8], _ file: URL, _ label: String, _ ours: ([UInt8]) throws -> [String]) throws {
            let stderr = try run(["-v", "--inhex=" + file.path]).stderr
            let complaints = stderr.components(separatedBy: "\n").filter { !$0.isEmpty && !$0.hasPrefix("Guessing from --inhex") }
            let problems = try ours(page)
            check(label, "malformed page flagged", ours: !problems.isEmpty, sg: !complaints.isEmpty)
            if problems.isEmpty != complaints.isEmpty {
                fail("\(label): our problems \(problems); sg_vpd -v said \(complaints)")
            }
        }

        // MARK: 8Fh

        static let sectionTitles: [UInt16: String] = [
            0x0000: "Block Device ROD Token Limits", 0x0001: "Supported commands", 0x0004: "Parameter data",
            0x0008: "Supported descriptors", 0x000C: "Supported CSCD IDs (above 0x7ff)", 0x000D: "Copy group identifier",
            0x0106: "ROD token features", 0x0108: "Supported ROD token and ROD types", 0x8001: "General copy operations",
            0x9101: "Stream copy operations", 0xC001: "Held data",
        ]

        /// sg3_utils 1.46 names of the commands in the Supported Commands descriptor (sg_lib_data.c).
        static let commandNames: [String: String] = [
            "00": "Test Unit Ready", "03": "Request Sense", "12": "Inquiry",
            "83/00": "Extended copy(LID1)", "83/01": "Extended copy", "83/10": "Populate token",
            "83/11": "Write using token", "83/1c": "Copy operation abort",
            "84/00": "Receive copy status(LID1)", "84/01": "Receive copy data(LID1)",
            "84/03": "Receive copy operating parameters", "84/04": "Receive copy failure details(LID1)",
            "84/05": "Receive copy status", "84/06": "Receive copy data", "84/07": "Receive ROD token information",
            "84/08": "Report all ROD tokens",
        ]

        static func sections(_ out: String) -> [(title: String, lines: [String])] {
            var result: [(title: String, lines: [String])] = []
            for line in bodyLines(out) {
                if line.hasPrefix(" "), !line.hasPrefix("  "), line.hasSuffix(":") {
                    result.append((String(line.dropFirst().dropLast()), []))
                } else if !result.isEmpty {
                    result[result.count - 1].lines.append(line.trimmingCharacters(in: .whitespaces))
                }
            }
            return result
        }

        static func lastHex(_ line: String) -> UInt64? {
            guard let r = line.range(of: "0x", options: .backwards) else { return nil }
            return UInt64(line[r.upperBound...].prefix { $0.isHexDigit }, radix: 16)
        }

        func compareThirdPartyCopy(_ page: [UInt8], _ out: String, _ label: String) throws {
            let ours = try ThirdPartyCopyPage(parsing: page)
            let sg = Self.sections(out)
            let expectedTitles = ours.descriptors.compactMap { Self.sectionTitles[$0.typeCode] }
            check(label, "descriptor sections", ours: expectedTitles, sg: sg.map(\.title))
            for d in ours.descriptors where Self.sectionTitles[d.typeCode] == nil {
                skip(label, "descriptor \(String(format: "%04X", d.typeCode))h: sg_vpd 1.46 prints nothing for it")
            }
            var sections = sg[...]
            for d in ours.descriptors {
                guard let title = Self.sectionTitles[d.typeCode] else { continue }
                guard let s = sections.first, s.title == title else { break }
                sections = sections.dropFirst()
                let l = "\(label) \(title)"
                let kv = Self.keyValues(s.lines.joined(separator: "\n"))
                switch d {
                case let .blockDeviceRODLimits(v):
                    compareFields(l, kv, [
                        ("Maximum range descriptors", UInt64(v.maximumRangeDescriptors), 16, false),
                        ("Maximum inactivity timeout", UInt64(v.maximumInactivityTimeout), 32, false),
                        ("Default inactivity timeout", UInt64(v.defaultInactivityTimeout), 32, false),
                        ("Maximum token transfer size", v.maximumTokenTransferSize, 64, false),
                        ("Optimal transfer count", v.optimalTransferCount, 64, false),
                    ])
                case let .supportedCommands(list):
                    let names = list.flatMap { c -> [String] in
                        let op = hexString([c.operationCode.rawValue])
                        if c.serviceActions.isEmpty { return [Self.commandNames[op] ?? "?? \(op)"] }
                        return c.serviceActions.map { Self.commandNames["\(op)/\(hexString([$0]))"] ?? "?? \(op)/\(hexString([$0]))" }
                    }
                    check(l, "command count", ours: names.count, sg: s.lines.count)
                    for (i, (o, n)) in zip(names, s.lines).enumerated() { check(l, "command \(i)", ours: o, sg: n) }
                case let .parameterData(v):
                    compareFields(l, kv, [
                        ("Maximum CSCD descriptor count", UInt64(v.maximumCSCDDescriptorCount), 16, false),
                        ("Maximum segment descriptor count", UInt64(v.maximumSegmentDescriptorCount), 16, false),
                        ("Maximum descriptor list length", UInt64(v.maximumDescriptorListLength), 32, false),
                        ("Maximum inline data length", UInt64(v.maximumInlineDataLength), 32, false),
                    ])
                case let .supportedDescriptors(codes):
                    check(l, "descriptor codes", ours: codes.map { UInt64($0) }, sg: s.lines.map { Self.lastHex($0) ?? 0xFFFF })
                case let .supportedCSCDIDs(ids):
                    check(l, "CSCD IDs", ours: ids.map { UInt64($0) }, sg: s.lines.map { Self.lastHex($0) ?? 0xFFFF_FFFF })
                case let .copyGroupIdentifier(id):
                    if id.count == 18, id[0] >> 4 == 1, let line = s.lines.first(where: { $0.contains("UUID: ") }) {
                        let uuid = line[line.range(of: "UUID: ")!.upperBound...].replacingOccurrences(of: "-", with: "")
                        check(l, "copy group UUID", ours: hexString(Array(id[2...])), sg: uuid)
                    } else {
                        skip(l, "copy group identifier that is not a locally assigned UUID")
                    }
                case let .rodTokenFeatures(v):
                    var fields: [(String, UInt64?, Int, Bool)] = [
                        ("Remote tokens", UInt64(v.remoteTokens), 8, false),
                        ("Minimum token lifetime", UInt64(v.minimumTokenLifetime), 32, false),
                        ("Maximum token lifetime", UInt64(v.maximumTokenLifetime), 32, false),
                        ("Maximum token inactivity timeout", UInt64(v.maximumTokenInactivityTimeout), 32, false),
                    ]
                    if let b = v.blockDevice {
                        fields += [("Optimal block ROD length granularity", UInt64(b.optimalBlockRODLengthGranularity), 16, false),
                                   ("Maximum Bytes in block ROD", b.maximumBytesInBlockROD, 64, false),
                                   ("Optimal Bytes in block ROD transfer", b.optimalBytesInBlockRODTransfer, 64, false),
                                   ("Optimal Bytes to token per segment", b.optimalBytesToTokenPerSegment, 64, false),
                                   ("Optimal Bytes from token per segment", b.optimalBytesFromTokenPerSegment, 64, false)]
                    }
                    if !v.otherDeviceTypeDescriptors.isEmpty { skip(l, "ROD features of other device types") }
                    compareFields(l, kv, fields)
                case let .supportedRODTypes(types):
                    // Entries start at "ROD type: <name> [0x...]".
                    var entries: [[String]] = []
                    for line in s.lines {
                        if line.hasPrefix("ROD type: ") { entries.append([line]) } else if !entries.isEmpty { entries[entries.count - 1].append(line) }
                    }
                    check(l, "ROD type count", ours: types.count, sg: entries.count)
                    for (i, (t, e)) in zip(types, entries).enumerated() {
                        let ekv = Self.keyValues(e.dropFirst().joined(separator: "\n"))
                        check(l, "ROD type \(i)", ours: UInt64(t.rodType.rawValue), sg: Self.lastHex(e[0]))
                        compareFields("\(l) entry \(i)", ekv, [
                            ("Internal", t.internalCopy ? 1 : 0, 1, false), ("Token in", t.tokenIn ? 1 : 0, 1, false),
                            ("Token out", t.tokenOut ? 1 : 0, 1, false), ("Preference", UInt64(t.preferenceIndication), 16, false),
                        ])
                    }
                case let .generalCopyOperations(v):
                    compareFields(l, kv, [
                        ("Total concurrent copies", UInt64(v.totalConcurrentCopies), 32, false),
                        ("Maximum identified concurrent copies", UInt64(v.maximumIdentifiedConcurrentCopies), 32, false),
                        ("Maximum segment length", UInt64(v.maximumSegmentLength), 32, false),
                        // sg_vpd prints 2^n for the log2 granularities.
                        ("Data segment granularity", UInt64(1) << v.dataSegmentGranularityLog2, 64, false),
                        ("Inline data granularity", UInt64(1) << v.inlineDataGranularityLog2, 64, false),
                    ])
                case let .streamCopyOperations(size):
                    compareFields(l, kv, [("Maximum stream device transfer size", UInt64(size), 32, false)])
                case let .heldData(limit, granularity):
                    compareFields(l, kv, [("Held data limit", UInt64(limit), 32, false),
                                          ("Held data granularity", UInt64(1) << granularity, 64, false)])
                case .unknown:
                    break
                }
            }
        }

        // MARK: B0h

        func compareBlockLimits(_ page: [UInt8], _ out: String, _ label: String) throws {
            let p = try BlockLimitsPage(parsing: page)
            let printed = Self.keyValues(out)
            let ugaValid = printed.first { $0.key == "Unmap granularity alignment valid" }.flatMap { Self.number($0.value, width: 1) }
            var ignoring: Set<String> = []
            if ugaValid == 0 {
                // sg_vpd prints the raw field "[invalid]"; our model drops it (nil) when UGAVALID is 0.
                ignoring.insert("Unmap granularity alignment")
                skip(label, "UNMAP GRANULARITY ALIGNMENT value while UGAVALID=0 (not kept by BlockLimitsPage)")
            }
            let o32: (UInt32?) -> UInt64? = { $0.map(UInt64.init) }
            compareFields(label, printed, [
                ("Write same non-zero (WSNZ)", p.writeSameNonZero ? 1 : 0, 1, false),
                ("Maximum compare and write length", UInt64(p.maximumCompareAndWriteLength), 8, false),
                ("Optimal transfer length granularity", UInt64(p.optimalTransferLengthGranularity), 16, false),
                ("Maximum transfer length", UInt64(p.maximumTransferLength), 32, false),
                ("Optimal transfer length", UInt64(p.optimalTransferLength), 32, false),
                ("Maximum prefetch transfer length", UInt64(p.maximumPrefetchLength), 32, false),
                ("Maximum unmap LBA count", o32(p.maximumUnmapLBACount), 32, true),
                ("Maximum unmap block descriptor count", o32(p.maximumUnmapBlockDescriptorCount), 32, true),
                ("Optimal unmap granularity", o32(p.optimalUnmapGranularity), 32, true),
                ("Unmap granularity alignment valid", ugaValid == nil && p.unmapGranularityAlignment == nil ? nil
                    : (p.unmapGranularityAlignment != nil ? 1 : 0), 1, true),
                ("Maximum write same length", p.maximumWriteSameLength, 64, true),
                ("Maximum atomic transfer length", o32(p.maximumAtomicTransferLength), 32, true),
                ("Atomic alignment", o32(p.atomicAlignment), 32, true),
                ("Atomic transfer length granularity", o32(p.atomicTransferLengthGranularity), 32, true),
                ("Maximum atomic transfer length with atomic boundary", o32(p.maximumAtomicTransferLengthWithAtomicBoundary), 32, true),
                ("Maximum atomic boundary size", o32(p.maximumAtomicBoundarySize), 32, true),
            ] + (ugaValid == 0 ? [] : [("Unmap granularity alignment", o32(p.unmapGranularityAlignment), 31, true)]),
            ignoring: ignoring)
            if page.count > 64 { skip(label, "bytes 64-\(page.count - 1) (SBC-6 fields; sg_vpd 1.46 does not print them either)") }
        }

        // MARK: B2h

        func compareProvisioning(_ page: [UInt8], _ out: String, _ label: String) throws {
            let p = try LogicalBlockProvisioningPage(parsing: page)
            var text = out
            if let r = out.range(of: "Provisioning group descriptor:") {
                text = String(out[..<r.lowerBound])
                skip(label, "provisioning group descriptor (not modelled by LogicalBlockProvisioningPage)")
            }
            compareFields(label, Self.keyValues(text), [
                ("Unmap command supported (LBPU)", p.lbpu ? 1 : 0, 1, false),
                ("Write same (16) with unmap bit supported (LBPWS)", p.lbpws ? 1 : 0, 1, false),
                ("Write same (10) with unmap bit supported (LBPWS10)", p.lbpws10 ? 1 : 0, 1, false),
                ("Logical block provisioning read zeros (LBPRZ)", UInt64(p.lbprz), 3, false),
                ("Anchored LBAs supported (ANC_SUP)", p.anchorSupported ? 1 : 0, 1, false),
                ("Threshold exponent", UInt64(p.thresholdExponent), 8, false),
                ("Descriptor present (DP)", p.descriptorPresent ? 1 : 0, 1, false),
                ("Minimum percentage", UInt64(p.minimumPercentage), 5, false),
                ("Provisioning type", UInt64(p.provisioningType), 3, false),
                ("Threshold percentage", UInt64(p.thresholdPercentage), 8, false),
            ])
        }
    }
}
