import ISCSIWire
import Testing

/// Text format of RFC 7143 6.1: key=value pairs, each NUL-terminated, UTF-8.
@Suite struct TextParametersTests {
    typealias S = WireTestSupport

    @Test func parseKeepsOrderAndEncodesBack() throws {
        let bytes = S.text(["InitiatorName=iqn.2026-01.org.example:host", "HeaderDigest=None,CRC32C", "SendTargets=",
                            "InitiatorAlias=caf\u{e9} \u{1F600}", "X-com.example.thing=a=b"])
        let p = try TextParameters(parsing: bytes)
        #expect(p.keys == ["InitiatorName", "HeaderDigest", "SendTargets", "InitiatorAlias", "X-com.example.thing"])
        #expect(p["HeaderDigest"] == "None,CRC32C")
        #expect(p.pairs[1].listValues == ["None", "CRC32C"])
        #expect(p["SendTargets"] == "")
        #expect(p["InitiatorAlias"] == "caf\u{e9} \u{1F600}")
        #expect(p["X-com.example.thing"] == "a=b")  // only the first '=' separates
        #expect(p["Missing"] == nil)
        #expect(p.encoded() == bytes)
        let literal: TextParameters = ["A": "1", "B": "2"]
        #expect(literal.encoded() == Array("A=1\0B=2\0".utf8))
    }

    @Test func specialValuesAreRecognised() throws {
        let p = try TextParameters(parsing: S.text(["A=Reject", "B=Irrelevant", "C=NotUnderstood", "D=None", "E=reject"]))
        #expect(p.pairs.map(\.specialValue) == [.reject, .irrelevant, .notUnderstood, nil, nil])
    }

    @Test func duplicatesAreAProtocolError() throws {
        S.expectWireError({ try TextParameters(parsing: S.text(["MaxBurstLength=512", "MaxBurstLength=1024"])) }) {
            $0 == .duplicateKey("MaxBurstLength")
        }
        let repeated = try TextParameters(parsing: S.text(["TargetName=a", "TargetAddress=x", "TargetName=b"]),
                                          repeatableKeys: SendTargets.repeatableKeys)
        #expect(repeated.values(for: "TargetName") == ["a", "b"])
    }

    @Test func trailingNULsAreTolerated() throws {
        #expect(try TextParameters(parsing: S.text(["A=1"]) + [0, 0, 0]).keys == ["A"])
        #expect(try TextParameters(parsing: []).isEmpty)
        #expect(try TextParameters(parsing: [0]).isEmpty)
    }

    @Test func malformedTextIsRefused() {
        func malformed(_ bytes: [UInt8]) {
            S.expectWireError({ try TextParameters(parsing: bytes) }) { if case .malformedText = $0 { return true }; return false }
        }
        malformed(Array("A=1".utf8))                      // no NUL
        malformed(S.text(["A=1"]) + Array("B=2".utf8))    // last pair unterminated
        malformed(S.text(["NoEquals"]))
        malformed(S.text(["=value"]))
        malformed(S.text(["Bad Key=1"]))
        malformed(S.text(["Bad/Key=1"]))
        malformed(S.text([String(repeating: "K", count: 64) + "=1"]))
        malformed(S.text(["A=1"]) + [0] + S.text(["B=2"]))  // empty pair in the middle
        malformed(Array("A=".utf8) + [0xFF, 0xFE, 0])      // not UTF-8
        #expect((try? TextParameters(parsing: S.text([String(repeating: "K", count: 63) + "=1"]))) != nil)
        #expect((try? TextParameters(parsing: S.text(["a.b-c+d@e_f9=1"]))) != nil)
    }

    @Test func segmentsForContinuation() {
        let p: TextParameters = ["TargetName": "iqn.x", "TargetAddress": "1.2.3.4:3260,1"]
        let all = p.encoded()
        let parts = p.encodedSegments(maximumLength: 8)
        #expect(parts.flatMap { $0 } == all)
        #expect(parts.allSatisfy { $0.count <= 8 })
        #expect(p.encodedSegments(maximumLength: 1000) == [all])
        #expect(TextParameters().encodedSegments(maximumLength: 8) == [[]])
    }
}

@Suite struct TextAccumulatorTests {
    typealias S = WireTestSupport

    /// A pair cut across PDUs (C bit) is only parsed when the last PDU arrives.
    @Test func joinsContinuedText() throws {
        let whole = S.text(["InitiatorName=iqn.2026-01.org.example:host", "SessionType=Normal"])
        var acc = TextAccumulator()
        #expect(try acc.append(Array(whole[0..<10]), continues: true) == nil)
        #expect(acc.isContinuing)
        #expect(try acc.append(Array(whole[10..<30]), continues: true) == nil)
        let done = try acc.append(Array(whole[30...]), continues: false)
        #expect(done?["SessionType"] == "Normal")
        #expect(!acc.isContinuing && acc.pending.isEmpty)
        #expect(try acc.append(S.text(["A=1"]), continues: false)?["A"] == "1")
    }

    @Test func limitAndErrorsReset() throws {
        var acc = TextAccumulator(limit: 16)
        #expect(try acc.append([UInt8](repeating: 0x41, count: 10), continues: true) == nil)
        S.expectWireError({ try acc.append([UInt8](repeating: 0x41, count: 10), continues: true) }) {
            $0 == .textTooLong(length: 20, limit: 16)
        }
        #expect(acc.pending.isEmpty)
        S.expectWireError({ try acc.append(Array("A=1".utf8), continues: false) }) {
            if case .malformedText = $0 { return true }; return false
        }
        #expect(!acc.isContinuing)
    }
}
