import ISCSIWire
import Testing

/// Login Request/Response vectors hand-built from RFC 7143 11.12 / 11.13, shaped like
/// libiscsi 1.19's first PDU without CHAP (lib/login.c: immediate, T=1, CSG=1, NSG=3,
/// ISID 0x80 + 3 random bytes + qualifier 0, TSIH 0, CID 0, version 0/0).
@Suite struct LoginPDUTests {
    typealias S = WireTestSupport

    static let text = WireTestSupport.text(["InitiatorName=iqn.a", "SessionType=Discovery"])  // 20 + 22 = 42 bytes

    static let requestVector: [UInt8] = [
        0x43, 0x87, 0x00, 0x00,                         // 0: I + 0x03; 1: T, CSG 1, NSG 3; 2-3: version 0/0
        0x00, 0x00, 0x00, 0x2A,                         // DSL 42
        0x80, 0x12, 0x34, 0x56, 0x00, 0x00,             // 8-13: ISID
        0x00, 0x00,                                     // 14-15: TSIH
        0x12, 0x34, 0xAB, 0xCD,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x00,                         // 20-21: CID; 22-23 reserved
        0x00, 0x00, 0x10, 0x00,                         // 24-27: CmdSN
        0x00, 0x00, 0x00, 0x00,                         // 28-31: ExpStatSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 32-47
    ] + text + [0, 0]                                   // 2 padding bytes

    static let isid = ISID(rawValue: 0x8012_3456_0000)

    @Test func request() throws {
        let r = LoginRequest(transit: true, currentStage: .operationalNegotiation, nextStage: .fullFeaturePhase,
                             isid: Self.isid, initiatorTaskTag: 0x1234_ABCD, cmdSN: 0x1000, data: Self.text)
        try S.checkVector(Self.requestVector, r)
        #expect(try r.parameters() == ["InitiatorName": "iqn.a", "SessionType": "Discovery"])
        #expect(Self.isid.bytes == [0x80, 0x12, 0x34, 0x56, 0, 0])
        #expect(Self.isid.format == 2)
        #expect(try ISID(bytes: Self.isid.bytes) == Self.isid)
    }

    @Test func flagsStagesAndIdentity() throws {
        let r = LoginRequest(transit: false, continues: true, currentStage: .securityNegotiation, nextStage: .operationalNegotiation,
                             versionMax: 0, versionMin: 0, isid: Self.isid, tsih: 0x0102, initiatorTaskTag: 1, cid: 0x0304,
                             cmdSN: 2, expStatSN: 3)
        let b = try r.encoded()
        #expect(b[0] == 0x43 && b[1] == 0x41)
        #expect(Array(b[14..<16]) == [0x01, 0x02] && Array(b[20..<22]) == [0x03, 0x04])
        #expect(try LoginRequest(parsing: b) == r)
    }

    @Test func reservedStageIsRefused() {
        var csg = Self.requestVector
        csg[1] = 0x80 | 0x08 | 0x03  // CSG 2
        S.expectWireError({ try LoginRequest(parsing: csg) }, S.isInvalidField)
        var nsg = Self.requestVector
        nsg[1] = 0x80 | 0x04 | 0x02  // NSG 2
        S.expectWireError({ try LoginRequest(parsing: nsg) }, S.isInvalidField)
    }

    static let responseVector: [UInt8] = [
        0x23, 0x87, 0x00, 0x00,                         // 0: 0x23; 1: T, CSG 1, NSG 3; 2: Version-max; 3: Version-active
        0x00, 0x00, 0x00, 0x00,
        0x80, 0x12, 0x34, 0x56, 0x00, 0x00,             // 8-13: ISID
        0x00, 0x07,                                     // 14-15: TSIH
        0x12, 0x34, 0xAB, 0xCD,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x00,                         // 20-23: reserved
        0x00, 0x00, 0x00, 0x01,                         // 24-27: StatSN
        0x00, 0x00, 0x10, 0x00,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x10, 0x20,                         // 32-35: MaxCmdSN
        0x00, 0x00,                                     // 36: Status-Class; 37: Status-Detail
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                   // 38-47
    ]

    @Test func response() throws {
        let r = LoginResponse(transit: true, currentStage: .operationalNegotiation, nextStage: .fullFeaturePhase, isid: Self.isid,
                              tsih: 7, initiatorTaskTag: 0x1234_ABCD, statSN: 1, expCmdSN: 0x1000, maxCmdSN: 0x1020)
        try S.checkVector(Self.responseVector, r)
    }

    @Test func failureStatusBytes() throws {
        var r = try LoginResponse(parsing: Self.responseVector)
        r.transit = false
        r.status = .authenticationFailure
        let b = try r.encoded()
        #expect(b[36] == 0x02 && b[37] == 0x01)
        let parsed = try LoginResponse(parsing: b)
        #expect(parsed.status == .authenticationFailure)
        #expect(parsed.status.statusClass == .initiatorError && parsed.status.detail == 1)
    }

    /// RFC 7143 11.13.5's table, as the 16-bit values initiators print.
    @Test func statusValues() {
        let table: [(LoginStatus, UInt16)] = [
            (.success, 0x0000), (.targetMovedTemporarily, 0x0101), (.targetMovedPermanently, 0x0102),
            (.initiatorError, 0x0200), (.authenticationFailure, 0x0201), (.authorizationFailure, 0x0202),
            (.notFound, 0x0203), (.targetRemoved, 0x0204), (.unsupportedVersion, 0x0205), (.tooManyConnections, 0x0206),
            (.missingParameter, 0x0207), (.cannotIncludeInSession, 0x0208), (.sessionTypeNotSupported, 0x0209),
            (.sessionDoesNotExist, 0x020A), (.invalidDuringLogin, 0x020B), (.targetError, 0x0300),
            (.serviceUnavailable, 0x0301), (.outOfResources, 0x0302),
        ]
        for (status, raw) in table {
            #expect(status.rawValue == raw)
            #expect(LoginStatus(statusClass: LoginStatusClass(rawValue: UInt8(raw >> 8)), detail: UInt8(raw & 0xFF)) == status)
        }
        #expect(LoginStatus.targetError.statusClass == .targetError)
        #expect(LoginStatus.targetMovedTemporarily.statusClass == .redirection)
        #expect(LoginStatus.missingParameter.description == "Missing parameter (0x0207)")
        #expect(LoginStatus.success.isSuccess && !LoginStatus.notFound.isSuccess)
    }
}
