import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import Testing

/// The `--json` documents: documented keys, their JSON types, null for unknown values, and
/// output Foundation can read back, including strings that need escaping.
@Suite("ReportJSON")
struct ReportJSONTests {
    let knowledge: HardwareKnowledge
    init() throws { knowledge = try ProbeTestSupport.knowledge() }

    static let lioTarget = "iscsi://192.0.2.10:3260/iqn.2003-01.org.linux-iscsi.lio:t1"

    func report(_ p: Personality, _ url: String = lioTarget + "/0") async throws -> DeviceReport {
        try await Prober(knowledge: knowledge).probe(p.device(at: url))
    }

    /// A JSON type, read from the JSONValue itself so bool/number/string/null are told apart
    /// exactly (Foundation bridges bools and numbers to one NSNumber).
    enum Kind: Equatable { case null, bool, number, string, array, object }

    func kind(_ v: JSONValue?) -> Kind? {
        switch v {
        case nil: return nil
        case .null?: return .null
        case .bool?: return .bool
        case .int?, .uint?, .fixed?: return .number
        case .string?: return .string
        case .array?: return .array
        case .object?: return .object
        }
    }

    func path(_ root: JSONValue, _ keys: String...) -> JSONValue? {
        var v: JSONValue? = root
        for k in keys { v = v?[k] }
        return v
    }

    func parsed(_ v: JSONValue, pretty: Bool = false) throws -> [String: Any] {
        let data = Data(v.rendered(pretty: pretty).utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    // MARK: single LUN

    @Test func singleLUNDocumentedKeysAndTypes() async throws {
        let json = ReportJSON.device(try await report(Personalities.lio()))
        let expected: [([String], Kind)] = [
            (["device", "vendor"], .string), (["device", "product"], .string), (["device", "revision"], .string),
            (["device", "blockSize"], .number), (["device", "blocks"], .number), (["device", "designators"], .array),
            (["device", "address"], .string), (["device", "serial"], .string), (["device", "thirdPartyCopy"], .bool),
            (["device", "family"], .string),
            (["xcopy", "supported"], .bool), (["xcopy", "reason"], .string), (["xcopy", "limits"], .object),
            (["xcopy", "limits", "maxCSCDDescriptors"], .number), (["xcopy", "limits", "maxSegmentDescriptors"], .number),
            (["xcopy", "limits", "maxDescriptorListLength"], .number), (["xcopy", "limits", "maxSegmentLength"], .number),
            (["xcopy", "limits", "maxConcurrentCopies"], .number),
            (["odx", "supported"], .bool), (["odx", "reason"], .string),
            (["vpd", "thirdPartyCopy"], .null), (["vpd", "thirdPartyCopyAbsent"], .string),
            (["receiveCopyOperatingParameters"], .object), (["receiveCopyOperatingParametersAbsent"], .null),
        ]
        for (keys, k) in expected {
            var v: JSONValue? = json
            for key in keys { v = v?[key] }
            #expect(kind(v) == k, "\(keys.joined(separator: ".")): \(String(describing: kind(v))), expected \(k)")
        }

        let doc = try parsed(json)
        let device = try #require(doc["device"] as? [String: Any])
        #expect(device["vendor"] as? String == "LIO-ORG")
        #expect(device["product"] as? String == "IBLOCK")
        #expect(device["revision"] as? String == "4.0")
        #expect((device["blockSize"] as? NSNumber)?.intValue == 512)
        #expect((device["blocks"] as? NSNumber)?.intValue == 2_097_152)
        #expect(device["family"] as? String == "lio")
        #expect(device["address"] as? String == Self.lioTarget + "/0")
        let designators = try #require(device["designators"] as? [[String: Any]])
        #expect(designators.count == 5)
        #expect(designators.first?["type"] as? String == "NAA")
        #expect(designators.first?["hex"] as? String == hexString(Personalities.lioNAA(serial: "3f2a1c5e-8b7d-4e21-9a0c-5d6e7f809a1b")))
        for d in designators {
            for key in ["type", "association", "codeSet", "protocolIdentifier", "value", "hex"] {
                #expect(d[key] != nil, "designator key \(key)")
            }
        }
        let xcopy = try #require(doc["xcopy"] as? [String: Any])
        #expect(xcopy["supported"] as? Bool == true)
        let limits = try #require(xcopy["limits"] as? [String: Any])
        #expect((limits["maxCSCDDescriptors"] as? NSNumber)?.intValue == 2)
        #expect((limits["maxSegmentDescriptors"] as? NSNumber)?.intValue == 1)
        #expect((limits["maxDescriptorListLength"] as? NSNumber)?.intValue == 1024)
        #expect((limits["maxSegmentLength"] as? NSNumber)?.intValue == 268_435_456)
        #expect((limits["maxConcurrentCopies"] as? NSNumber)?.intValue == 1)
        let odx = try #require(doc["odx"] as? [String: Any])
        #expect(odx["supported"] as? Bool == false)
        #expect((odx["reason"] as? String)?.isEmpty == false)
    }

    @Test("a fixed-point number renders as a JSON number with its decimals; not finite is null")
    func fixedNumbers() throws {
        #expect(JSONValue.fixed(0.5734, decimals: 3).rendered() == "0.573")
        #expect(JSONValue.fixed(12, decimals: 0).rendered() == "12")
        #expect(JSONValue.fixed(.infinity, decimals: 3).rendered() == "null")
        let o = try parsed(.object([("seconds", .fixed(1.25, decimals: 3))]))
        #expect(o["seconds"] as? Double == 1.25)
    }

    @Test func unknownLimitsAreNullNotZeroOrMissing() async throws {
        // CTL reports MAXIMUM SEGMENT LENGTH 0 = not reported.
        let ctl = ReportJSON.device(try await report(try Personalities.freebsdCTL()))
        #expect(kind(path(ctl, "xcopy", "limits", "maxSegmentLength")) == .null)
        #expect(kind(path(ctl, "xcopy", "limits", "maxCSCDDescriptors")) == .number)
        #expect(kind(path(ctl, "vpd", "thirdPartyCopy")) == .object)
        #expect(kind(path(ctl, "vpd", "thirdPartyCopyAbsent")) == .null)

        // QNAP with RCOP refused: XCOPY supported, every limit unknown, every key present.
        let qnap = ReportJSON.device(try await report(Personalities.qnap(rcop: nil)))
        #expect(kind(path(qnap, "xcopy", "supported")) == .bool)
        for key in ["maxCSCDDescriptors", "maxSegmentDescriptors", "maxDescriptorListLength", "maxSegmentLength", "maxConcurrentCopies"] {
            #expect(kind(path(qnap, "xcopy", "limits", key)) == .null, "\(key)")
        }
        #expect(kind(path(qnap, "receiveCopyOperatingParameters")) == .null)
        #expect(kind(path(qnap, "receiveCopyOperatingParametersAbsent")) == .string)
        let doc = try parsed(qnap)
        let limits = try #require((doc["xcopy"] as? [String: Any])?["limits"] as? [String: Any])
        #expect(limits["maxSegmentLength"] is NSNull)
    }

    @Test func noCopyManagerHasNullLimits() async throws {
        let tgt = ReportJSON.device(try await report(Personalities.tgt(), "iscsi://192.0.2.20/iqn.2024-01.test.tgt:disk0/1"))
        #expect(kind(path(tgt, "xcopy", "supported")) == .bool)
        #expect(kind(path(tgt, "xcopy", "limits")) == .null)
        let doc = try parsed(tgt)
        let xcopy = try #require(doc["xcopy"] as? [String: Any])
        #expect(xcopy["supported"] as? Bool == false)
        #expect((xcopy["reason"] as? String)?.contains("3PC=0") == true)
        #expect(xcopy["limits"] is NSNull)
    }

    @Test func malformedDesignatorsAreReportedAsProblems() async throws {
        let json = ReportJSON.device(try await report(Personalities.malformed83()))
        guard case let .array(problems)? = path(json, "device", "designatorProblems") else {
            Issue.record("device.designatorProblems is not an array")
            return
        }
        #expect(problems.count == 1)
    }

    // MARK: pair

    @Test func pairDocumentedKeysAndTypes() async throws {
        let s = try await report(Personalities.lio(serial: "aaaa0001"), Self.lioTarget + "/0")
        let d = try await report(Personalities.lio(serial: "bbbb0002"), Self.lioTarget + "/1")
        let verdict = PairPlanner.decide(source: s, destination: d)
        let json = ReportJSON.pair(verdict, source: s, destination: d)
        #expect(kind(json["method"]) == .string)
        #expect(kind(json["reasons"]) == .array)
        #expect(kind(json["plan"]) == .object)
        for key in ["blockSize", "blocksPerSegment", "segmentsPerCommand", "concurrency", "granularityBlocks"] {
            #expect(kind(path(json, "plan", key)) == .number, "plan.\(key)")
        }
        #expect(kind(path(json, "source", "device", "vendor")) == .string)
        #expect(kind(path(json, "destination", "xcopy", "supported")) == .bool)

        let doc = try parsed(json, pretty: true)
        #expect(doc["method"] as? String == "xcopy")
        let reasons = try #require(doc["reasons"] as? [String])
        #expect(reasons == verdict.reasons)
        let plan = try #require(doc["plan"] as? [String: Any])
        #expect((plan["blocksPerSegment"] as? NSNumber)?.intValue == 65535)
        #expect((plan["segmentsPerCommand"] as? NSNumber)?.intValue == 1)
        #expect((plan["concurrency"] as? NSNumber)?.intValue == 1)
        #expect((plan["blockSize"] as? NSNumber)?.intValue == 512)
    }

    @Test func hostPairIsValidJSONToo() async throws {
        let s = try await report(Personalities.tgt(lun: 1), "iscsi://192.0.2.20/iqn.2024-01.test.tgt:disk0/1")
        let d = try await report(Personalities.tgt(lun: 2), "iscsi://192.0.2.20/iqn.2024-01.test.tgt:disk0/2")
        let doc = try parsed(ReportJSON.pair(PairPlanner.decide(source: s, destination: d), source: s, destination: d))
        #expect(doc["method"] as? String == "host")
    }

    // MARK: escaping

    @Test func stringsNeedingEscapesRoundTrip() throws {
        let nasty = "quote \" backslash \\ slash / newline \n return \r tab \t nul \u{0} bell \u{7} esc \u{1B} unit \u{1F} del \u{7F} é 日本 🚀 \u{2028}"
        let json = JSONValue.object([(nasty, .string(nasty)), ("list", .array([.string(nasty), .null, .bool(true), .int(-5), .uint(UInt64.max)]))])
        for pretty in [false, true] {
            let text = json.rendered(pretty: pretty)
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && (!pretty || $0 != "\n") },
                    "raw control characters in the output")
            let doc = try parsed(json, pretty: pretty)
            #expect(doc[nasty] as? String == nasty)
            let list = try #require(doc["list"] as? [Any])
            #expect(list.first as? String == nasty)
            #expect(list[1] is NSNull)
            #expect((list[3] as? NSNumber)?.intValue == -5)
            #expect(list[4] is NSNumber)
            #expect(text.contains("18446744073709551615"))
        }
        #expect(JSONValue.string("a\"b").rendered() == #""a\"b""#)
        #expect(JSONValue.string("\u{1}").rendered() == #""\u0001""#)
        #expect(JSONValue.string("\\").rendered() == #""\\""#)
    }

    /// Text from the device goes into the report verbatim: a vendor or designator with quotes
    /// and backslashes must not break the document.
    @Test func deviceTextWithQuotesAndBackslashes() async throws {
        var p = Personalities.lio()
        p.inquiry.replaceSubrange(8..<16, with: Array(#"A"B\C   "#.utf8))
        p.inquiry.replaceSubrange(16..<32, with: Array(#"x"\"y            "#.utf8.prefix(16)))
        p.vpd[0x80] = UnitSerialNumberPage(serialNumber: "ser\"ial\\01").encoded()
        p.vpd[0x83] = Personalities.page83([Personalities.naa(Personalities.lioNAA(serial: "01")),
                                           Personalities.t10("q\"uo\\te\ttab")])
        let r = try await report(p)
        #expect(r.inquiry.vendor == #"A"B\C"#)
        let doc = try parsed(ReportJSON.device(r))
        let device = try #require(doc["device"] as? [String: Any])
        #expect(device["vendor"] as? String == #"A"B\C"#)
        #expect(device["product"] as? String == r.inquiry.product)
        #expect(device["serial"] as? String == "ser\"ial\\01")
        let designators = try #require(device["designators"] as? [[String: Any]])
        #expect(designators.last?["value"] as? String == r.designators.last?.valueText)
    }

    @Test func equalityIsByRendering() {
        #expect(JSONValue.object([("a", .uint(1))]) == JSONValue.object([("a", .uint(1))]))
        #expect(JSONValue.object([("a", .uint(1)), ("b", .null)]) != JSONValue.object([("b", .null), ("a", .uint(1))]))
        #expect(JSONValue.from(Int?.none) == .null)
        #expect(JSONValue.from(-3) == .int(-3))
        #expect(JSONValue.from(UInt8(7)) == .uint(7))
        #expect(JSONValue.from(String?.none) == .null)
    }
}
