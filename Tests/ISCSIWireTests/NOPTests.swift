import ISCSIWire
import Testing

/// NOP-Out and NOP-In vectors hand-built from the RFC 7143 11.18 / 11.19 tables.
@Suite struct NOPTests {
    typealias S = WireTestSupport

    static let nopOutVector: [UInt8] = [
        0x40, 0x80, 0x00, 0x00,                         // 0: I + 0x00; 1: F
        0x00, 0x00, 0x00, 0x05,                         // 4: no AHS; 5-7: DSL 5
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 1
        0x00, 0x00, 0x00, 0x10,                         // 16-19: ITT
        0xFF, 0xFF, 0xFF, 0xFF,                         // 20-23: TTT reserved
        0x00, 0x00, 0x00, 0x07,                         // 24-27: CmdSN
        0x00, 0x00, 0x00, 0x03,                         // 28-31: ExpStatSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 32-47: reserved
        0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x00, 0x00, 0x00, // 48: "hello" + 3 padding bytes
    ]

    @Test func nopOutPing() throws {
        let ping = NOPOut(immediate: true, lun: 1 << 48, initiatorTaskTag: 0x10, cmdSN: 7, expStatSN: 3, pingData: Array("hello".utf8))
        try S.checkVector(Self.nopOutVector, ping)
        #expect(ping.expectsResponse)
        #expect(!NOPOut(initiatorTaskTag: 0xFFFF_FFFF, targetTransferTag: 9, cmdSN: 1, expStatSN: 1).expectsResponse)
    }

    static let nopInVector: [UInt8] = [
        0x20, 0x80, 0x00, 0x00,                         // 0: 0x20; 1: F
        0x00, 0x00, 0x00, 0x05,                         // DSL 5 (echoed ping data)
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 1
        0x00, 0x00, 0x00, 0x10,                         // 16-19: ITT echoed
        0xFF, 0xFF, 0xFF, 0xFF,                         // 20-23: TTT reserved
        0x00, 0x00, 0x00, 0x04,                         // 24-27: StatSN
        0x00, 0x00, 0x00, 0x07,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x00, 0x26,                         // 32-35: MaxCmdSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             // 36-47: reserved
        0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x00, 0x00, 0x00,
    ]

    @Test func nopInAnswersThePing() throws {
        let ping = try NOPOut(parsing: Self.nopOutVector)
        let answer = NOPIn(answering: ping, statSN: 4, expCmdSN: 7, maxCmdSN: 0x26)
        try S.checkVector(Self.nopInVector, answer)
    }

    @Test func targetPingRoundTrips() throws {
        let probe = NOPIn(initiatorTaskTag: 0xFFFF_FFFF, targetTransferTag: 0x55, statSN: 9, expCmdSN: 2, maxCmdSN: 33)
        let b = try probe.encoded()
        #expect(b.count == 48)
        #expect(Array(b[16..<24]) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x55])
        #expect(try NOPIn(parsing: b) == probe)
    }
}
