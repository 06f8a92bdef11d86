import Foundation
import OffloadProbe
import Testing

/// Hardware/arrays: every file decodes, follows the README schema, and the INQUIRY identity
/// picks the right family.
@Suite("HardwareKnowledge")
struct HardwareKnowledgeTests {
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: ProbeTestSupport.arraysDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func theArraysDirectoryIsThere() {
        #expect(Self.files.count >= 16, "Hardware/arrays not found from \(ProbeTestSupport.root.path)")
    }

    @Test func everyFileLoads() throws {
        let k = try ProbeTestSupport.knowledge()
        #expect(k.families.count == Self.files.count)
        #expect(k.families.map(\.family) == Self.files.map { String($0.dropLast(5)) })
        #expect(k.origin == ProbeTestSupport.arraysDirectory.path)
    }

    @Test(arguments: files)
    func fileFollowsTheSchema(name: String) throws {
        let data = try Data(contentsOf: ProbeTestSupport.arraysDirectory.appendingPathComponent(name))
        let f = try JSONDecoder().decode(ArrayFamily.self, from: data)
        #expect(f.family + ".json" == name)
        #expect(!f.name.isEmpty)
        #expect(["open-source-target", "array", "emulator"].contains(f.kind))
        let support = ["yes", "no", "partial", "unknown"]
        #expect(support.contains(f.xcopy.support), "xcopy.support \(f.xcopy.support)")
        #expect(support.contains(f.odx.support), "odx.support \(f.odx.support)")
        #expect(["full", "partial", "absent", "unknown"].contains(f.vpd8F))
        #expect(["device", "session", "port", "array", "unknown"].contains(f.copyScope))
        for d in f.cscdDesignators {
            #expect(["naa", "eui64", "t10", "scsiName", "any"].contains(d), "cscdDesignators \(d)")
        }
        if let t = f.tokenSemantics { #expect(["access-upon-reference", "point-in-time"].contains(t)) }
        for m in f.match {
            // T10 VENDOR IDENTIFICATION is 8 bytes, PRODUCT IDENTIFICATION 16, both trimmed.
            #expect((1...8).contains(m.vendor.utf8.count), "vendor '\(m.vendor)'")
            #expect(m.vendor == m.vendor.trimmingCharacters(in: .whitespaces))
            if let p = m.productPrefix { #expect((1...16).contains(p.utf8.count), "productPrefix '\(p)'") }
        }
        let ids = f.quirks.map(\.id)
        #expect(Set(ids).count == ids.count, "quirk ids are unique")
        #expect(!f.sources.isEmpty)
        for c in f.captures {
            let path = ProbeTestSupport.capturesDirectory.appendingPathComponent(c).path
            #expect(FileManager.default.fileExists(atPath: path), "capture \(c) is missing")
        }
        if let e = f.limits.enforcedMaxSegmentDescriptors, let m = f.limits.maxSegmentDescriptors {
            #expect(e <= m, "enforced above advertised")
        }
        // Every key of the schema is present, with null spelled out (the README's rule).
        let raw = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["family", "name", "kind", "match", "xcopy", "odx", "vpd8F", "limits", "cscdDesignators", "copyScope",
                    "blockSizesMustMatch", "tokenSemantics", "minAllocationLength", "quirks", "sources", "captures"] {
            #expect(raw[key] != nil, "\(name): key \(key) missing")
        }
        let limits = try #require(raw["limits"] as? [String: Any])
        #expect(limits.count == 12, "\(name): limits has \(limits.count) fields, the schema 12")
    }

    // MARK: matching

    @Test(arguments: [
        ("LIO-ORG", "IBLOCK", "lio"),
        ("LIO-ORG", "FILEIO", "lio"),
        ("LIO-ORG", "RAMDISK-MCP", "lio"),
        ("LIO-ORG", "TCMU device", "tcmu-runner"),
        ("IET", "VIRTUAL-DISK", "tgt"),
        ("IET", "Controller", "tgt"),
        ("FREEBSD", "CTLDISK", "freebsd-ctl"),
        ("SCST_BIO", "Storage", "scst"),
        ("SCST_FIO", "disk01", "scst"),
        ("PURE", "FlashArray", "pure"),
        ("HP", "OPEN-V", "hitachi"),
        ("HP", "MSA 2040 SAS", "hpe"),
        ("NETAPP", "LUN C-Mode", "netapp"),
        ("QEMU", "QEMU HARDDISK", "qemu-scsi-hd"),
        ("IBM", "2145", "ibm"),
    ])
    func familyByInquiryIdentity(vendor: String, product: String, family: String) throws {
        let k = try ProbeTestSupport.knowledge()
        #expect(k.family(vendor: vendor, product: product)?.family == family)
    }

    @Test(arguments: [
        ("ACME", "Disk"),
        ("LIO-ORGX", "IBLOCK"),
        ("lio-org", "IBLOCK"),
        ("PURE", "Other"),
        ("IBM", "1814"),
        ("", ""),
    ])
    func unknownIdentityHasNoFamily(vendor: String, product: String) throws {
        let k = try ProbeTestSupport.knowledge()
        #expect(k.family(vendor: vendor, product: product) == nil)
    }

    @Test func productPrefixWinsWhateverTheFileOrder() throws {
        let k = try ProbeTestSupport.knowledge()
        let reversed = HardwareKnowledge(families: k.families.reversed(), origin: "reversed")
        for kb in [k, reversed] {
            #expect(kb.family(vendor: "LIO-ORG", product: "TCMU device")?.family == "tcmu-runner")
            #expect(kb.family(vendor: "LIO-ORG", product: "IBLOCK")?.family == "lio")
            #expect(kb.family(vendor: "HP", product: "OPEN-V")?.family == "hitachi")
        }
    }

    @Test func emptyKnowledgeKnowsNothing() {
        #expect(HardwareKnowledge.empty.family(vendor: "LIO-ORG", product: "IBLOCK") == nil)
        #expect(HardwareKnowledge.empty.families.isEmpty)
    }

    // MARK: facts the prober relies on

    @Test func factsThePlannerUses() throws {
        let k = try ProbeTestSupport.knowledge()
        let lio = try #require(k.family(vendor: "LIO-ORG", product: "IBLOCK"))
        #expect(lio.cscdDesignators == ["naa"])
        #expect(lio.copyScope == "session")
        #expect(lio.blockSizesMustMatch == true)
        #expect(lio.minAllocationLength.rcop == 54)
        let pure = try #require(k.family(vendor: "PURE", product: "FlashArray"))
        #expect(pure.limits.maxSegmentDescriptors == 32)
        #expect(pure.limits.enforcedMaxSegmentDescriptors == 2)
        let ctl = try #require(k.family(vendor: "FREEBSD", product: "CTLDISK"))
        #expect(ctl.blockSizesMustMatch == false)
        #expect(ctl.limits.odxMaxRangeDescriptors == 64)
        let qnap = try #require(k.families.first { $0.family == "qnap" })
        #expect(qnap.minAllocationLength.vpd8F == 4096)
    }

    // MARK: loading and locating

    @Test func malformedFileIsAnErrorNamingTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hwk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: ProbeTestSupport.arraysDirectory.appendingPathComponent("lio.json"),
                                         to: dir.appendingPathComponent("lio.json"))
        try Data(#"{"family": "broken"}"#.utf8).write(to: dir.appendingPathComponent("broken.json"))
        try Data("not json, and not loaded".utf8).write(to: dir.appendingPathComponent("README.md"))
        do {
            _ = try HardwareKnowledge.load(directory: dir)
            Issue.record("a family file without its keys was accepted")
        } catch let KnowledgeError.malformed(file, _) {
            #expect(file.hasSuffix("broken.json"))
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("broken.json"))
        let k = try HardwareKnowledge.load(directory: dir)
        #expect(k.families.map(\.family) == ["lio"])
    }

    @Test func locateHonoursTheEnvironment() {
        let url = HardwareKnowledge.locate(environment: ["OFFLOAD_HARDWARE_DIR": "/some/where"], executable: "/nonexistent/bin/x")
        #expect(url?.path == "/some/where")
    }

    @Test func locateWalksUpFromTheExecutable() {
        let exe = ProbeTestSupport.root.appendingPathComponent(".build/debug/offload-probe").path
        let url = HardwareKnowledge.locate(environment: [:], executable: exe)
        #expect(url?.standardizedFileURL.path == ProbeTestSupport.arraysDirectory.standardizedFileURL.path)
    }
}
