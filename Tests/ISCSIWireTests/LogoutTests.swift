import ISCSIWire
import Testing

/// Logout Request/Response vectors hand-built from RFC 7143 11.14 / 11.15; the request is what
/// libiscsi 1.19 sends (lib/login.c: immediate, flags 0x80 = close the session).
@Suite struct LogoutTests {
    typealias S = WireTestSupport

    static let requestVector: [UInt8] = [
        0x46, 0x81, 0x00, 0x00,                         // 0: I + 0x06; 1: 1 + reason 1 (close connection)
        0x00, 0x00, 0x00, 0x00,
        0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0x00, 0x33,                         // 16-19: ITT
        0x00, 0x07, 0x00, 0x00,                         // 20-21: CID 7
        0x00, 0x00, 0x00, 0x40,                         // 24-27: CmdSN
        0x00, 0x00, 0x00, 0x12,                         // 28-31: ExpStatSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]

    @Test func request() throws {
        let r = LogoutRequest(reason: .closeConnection, initiatorTaskTag: 0x33, cid: 7, cmdSN: 0x40, expStatSN: 0x12)
        try S.checkVector(Self.requestVector, r)
        var session = Self.requestVector
        session[1] = 0x80
        #expect(try LogoutRequest(parsing: session).reason == .closeSession)
        session[1] = 0x82
        #expect(try LogoutRequest(parsing: session).reason == .removeConnectionForRecovery)
    }

    static let responseVector: [UInt8] = [
        0x26, 0x80, 0x00, 0x00,                         // 0: 0x26; 1: 1; 2: Response 0
        0x00, 0x00, 0x00, 0x00,
        0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0x00, 0x33,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x12,                         // 24-27: StatSN
        0x00, 0x00, 0x00, 0x40,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x00, 0x60,                         // 32-35: MaxCmdSN
        0x00, 0x00, 0x00, 0x00,                         // 36-39: reserved
        0x00, 0x02, 0x00, 0x14,                         // 40-41: Time2Wait 2; 42-43: Time2Retain 20
        0x00, 0x00, 0x00, 0x00,
    ]

    @Test func response() throws {
        let r = LogoutResponse(initiatorTaskTag: 0x33, statSN: 0x12, expCmdSN: 0x40, maxCmdSN: 0x60, time2Wait: 2, time2Retain: 20)
        try S.checkVector(Self.responseVector, r)
        for (code, raw) in [(LogoutResponseCode.closedSuccessfully, UInt8(0)), (.cidNotFound, 1),
                            (.connectionRecoveryNotSupported, 2), (.cleanupFailed, 3)] {
            var v = Self.responseVector
            v[2] = raw
            #expect(try LogoutResponse(parsing: v).response == code)
        }
    }
}
