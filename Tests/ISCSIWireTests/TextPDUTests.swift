import ISCSIWire
import Testing

/// Text Request/Response vectors hand-built from RFC 7143 11.10 / 11.11; the request is what
/// libiscsi 1.19 sends for discovery (lib/discovery.c: immediate, F, TTT 0xffffffff).
@Suite struct TextPDUTests {
    typealias S = WireTestSupport

    static let requestVector: [UInt8] = [
        0x44, 0x80, 0x00, 0x00,                         // 0: I + 0x04; 1: F
        0x00, 0x00, 0x00, 0x10,                         // DSL 16
        0, 0, 0, 0, 0, 0, 0, 0,                         // 8-15: LUN
        0x00, 0x00, 0x00, 0x02,                         // 16-19: ITT
        0xFF, 0xFF, 0xFF, 0xFF,                         // 20-23: TTT
        0x00, 0x00, 0x00, 0x08,                         // 24-27: CmdSN
        0x00, 0x00, 0x00, 0x02,                         // 28-31: ExpStatSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ] + Array("SendTargets=All".utf8) + [0]             // 16 bytes, no padding

    @Test func sendTargetsRequest() throws {
        let r = TextRequest(initiatorTaskTag: 2, cmdSN: 8, expStatSN: 2, data: WireTestSupport.text(["SendTargets=All"]))
        try S.checkVector(Self.requestVector, r)
        #expect(try r.parameters()["SendTargets"] == "All")
    }

    @Test func continuationFlagsAndTags() throws {
        let r = TextRequest(immediate: false, final: false, continues: true, initiatorTaskTag: 3, targetTransferTag: 0x77,
                            cmdSN: 1, expStatSN: 1, data: [0x41])
        let b = try r.encoded()
        #expect(b[0] == 0x04 && b[1] == 0x40)
        #expect(try TextRequest(parsing: b) == r)
    }

    static let responseText = WireTestSupport.text(["TargetName=iqn.t", "TargetAddress=10.0.0.1:3260,1"])  // 17 + 30

    static let responseVector: [UInt8] = [
        0x24, 0x80, 0x00, 0x00,                         // 0: 0x24; 1: F (libiscsi requires exactly 0x80)
        0x00, 0x00, 0x00, 0x2F,                         // DSL 47
        0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0x00, 0x02,                         // ITT
        0xFF, 0xFF, 0xFF, 0xFF,                         // TTT
        0x00, 0x00, 0x00, 0x05,                         // StatSN
        0x00, 0x00, 0x00, 0x08,                         // ExpCmdSN
        0x00, 0x00, 0x00, 0x18,                         // MaxCmdSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ] + responseText + [0]                              // 1 padding byte

    @Test func response() throws {
        let r = TextResponse(initiatorTaskTag: 2, statSN: 5, expCmdSN: 8, maxCmdSN: 0x18, data: Self.responseText)
        try S.checkVector(Self.responseVector, r)
        let c = TextResponse(final: false, continues: true, initiatorTaskTag: 2, targetTransferTag: 1, statSN: 5, expCmdSN: 8,
                             maxCmdSN: 9, data: [0x41])
        let b = try c.encoded()
        #expect(b[1] == 0x40)
        #expect(try TextResponse(parsing: b) == c)
    }
}
