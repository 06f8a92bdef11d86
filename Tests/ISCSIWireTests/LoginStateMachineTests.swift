import ISCSIWire
import Testing

/// Login flows as libiscsi 1.19 drives them (see `LibiscsiLogin`), plus the RFC 7143 error
/// statuses a target must produce.
@Suite struct LoginStateMachineTests {
    typealias L = LibiscsiLogin

    static let chapUser = CHAPAuthenticatorTests.initiator
    static let chapTarget = CHAPAuthenticatorTests.target

    static func machine(_ auth: AuthenticationRequirement = .none, discovery: AuthenticationRequirement = .none,
                        alias: String? = nil) -> LoginStateMachine {
        let config = LoginTargetConfiguration(
            targets: [TargetNodeConfiguration(name: L.targetName, alias: alias, authentication: auth)],
            discoveryAuthentication: discovery)
        return LoginStateMachine(configuration: config, challengeSource: CHAPAuthenticatorTests.source())
    }

    @Test func libiscsiWithoutCHAP() throws {
        var m = Self.machine(alias: "sim")
        let request = L.operationalLogin()
        let reply = m.handle(request)
        #expect(reply.status == .success && reply.failureReason == nil)
        #expect(reply.transit && reply.currentStage == .operationalNegotiation && reply.nextStage == .fullFeaturePhase)
        #expect(reply.parameters == L.pairs([
            "HeaderDigest=None", "DataDigest=None", "InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=262144",
            "FirstBurstLength=262144", "DefaultTime2Wait=2", "DefaultTime2Retain=0", "MaxOutstandingR2T=1",
            "ErrorRecoveryLevel=0", "IFMarker=Reject", "OFMarker=Reject", "MaxConnections=1", "DataPDUInOrder=Yes",
            "DataSequenceInOrder=Yes", "TargetPortalGroupTag=1", "TargetAlias=sim", "MaxRecvDataSegmentLength=262144",
        ]))
        let session = try #require(reply.completedSession)
        #expect(reply.isComplete && m.phase == .fullFeaturePhase && m.session == session)
        #expect(session.targetMaxRecvDataSegmentLength == 262_144 && session.initiatorMaxRecvDataSegmentLength == 262_144)
        #expect(session.authMethod == .none && session.digests == .none)

        // The Login Response the server sends: echoes, TSIH only now, status 0.
        let response = reply.response(to: request, tsih: 0x0101, statSN: 1, expCmdSN: L.cmdSN, maxCmdSN: L.cmdSN &+ 31)
        let b = try response.encoded()
        #expect(b[0] == 0x23 && b[1] == 0x87 && b[2] == 0 && b[3] == 0)
        #expect(Array(b[8..<16]) == [0x80, 0xAB, 0xCD, 0xEF, 0x00, 0x00, 0x01, 0x01])
        #expect(Array(b[16..<20]) == [0x6B, 0x8B, 0x45, 0x67])
        #expect(Array(b[36..<38]) == [0, 0])
        #expect(try response.parameters() == reply.parameters)

        // Nothing more is accepted on this connection as login.
        #expect(m.handle(request).status == .initiatorError)
    }

    @Test func libiscsiDiscovery() throws {
        var m = Self.machine()
        let reply = m.handle(L.operationalLogin(session: .discovery))
        #expect(reply.status == .success)
        #expect(reply.parameters["TargetPortalGroupTag"] == nil)  // Normal sessions only
        #expect(reply.parameters["InitialR2T"] == "Irrelevant")
        #expect(reply.parameters["MaxRecvDataSegmentLength"] == "262144")
        #expect(reply.completedSession?.sessionType == .discovery)
        #expect(reply.completedSession?.targetName == nil)
    }

    /// libiscsi with CHAP credentials against a target requiring one-way CHAP.
    @Test func libiscsiOneWayCHAP() throws {
        var m = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        let r1 = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                    keys: L.declarations(session: .normal) + ["AuthMethod=CHAP,None"]))
        #expect(r1.status == .success && !r1.transit && r1.currentStage == .securityNegotiation)
        #expect(r1.parameters == L.pairs(["AuthMethod=CHAP", "TargetPortalGroupTag=1"]))

        let r2 = m.handle(L.request(transit: false, stage: .securityNegotiation, next: .operationalNegotiation, keys: ["CHAP_A=5"]))
        #expect(!r2.transit)
        #expect(r2.parameters == L.pairs(["CHAP_A=5", "CHAP_I=42", "CHAP_C=0x000102030405060708090a0b0c0d0e0f"]))

        let r3 = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                    keys: ["CHAP_N=\(Self.chapUser.name)", "CHAP_R=0x146466A8B34B56526E0619FA9872F517"]))
        #expect(r3.status == .success && r3.transit && r3.nextStage == .operationalNegotiation)
        #expect(r3.parameters.isEmpty)
        #expect(m.phase == .operationalNegotiation)

        let r4 = m.handle(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase, keys: L.operationalKeys))
        #expect(r4.isComplete)
        #expect(r4.parameters["MaxRecvDataSegmentLength"] == "262144")
        #expect(r4.parameters["TargetPortalGroupTag"] == nil)  // already sent
        #expect(r4.completedSession?.authMethod == .chap)
        #expect(r4.completedSession?.authenticatedName == Self.chapUser.name)
    }

    /// Mutual CHAP: libiscsi adds CHAP_I (its counter, 1) and a 32-byte CHAP_C and requires
    /// CHAP_N and CHAP_R in the transit reply.
    @Test func libiscsiMutualCHAP() throws {
        var m = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser, target: Self.chapTarget)))
        _ = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                               keys: L.declarations(session: .normal) + ["AuthMethod=CHAP,None"]))
        _ = m.handle(L.request(transit: false, stage: .securityNegotiation, next: .operationalNegotiation, keys: ["CHAP_A=5"]))
        let r3 = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation, keys: [
            "CHAP_N=\(Self.chapUser.name)", "CHAP_R=0x146466A8B34B56526E0619FA9872F517", "CHAP_I=1",
            "CHAP_C=\(CHAPAuthenticatorTests.mutualChallenge)",
        ]))
        #expect(r3.transit)
        #expect(r3.parameters == L.pairs(["CHAP_N=sim-target", "CHAP_R=0x1721bfe20ee46e55c65d7dc467940282"]))
    }

    @Test func wrongCHAPPasswordIs0201() {
        var m = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        _ = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                               keys: L.declarations(session: .normal) + ["AuthMethod=CHAP,None"]))
        _ = m.handle(L.request(transit: false, stage: .securityNegotiation, next: .operationalNegotiation, keys: ["CHAP_A=5"]))
        let r = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                   keys: ["CHAP_N=\(Self.chapUser.name)", "CHAP_R=0x00000000000000000000000000000000"]))
        #expect(r.status == .authenticationFailure && r.isFailure && !r.transit)
        #expect(r.parameters.isEmpty)
        #expect(r.failureReason?.contains("CHAP_R") == true)
        #expect(m.phase == .failed)
    }

    /// libiscsi with credentials offers CHAP,None; a target without authentication picks None,
    /// and libiscsi then repeats its declarations in the operational PDU (see the fixture).
    @Test func libiscsiCredentialsAgainstOpenTarget() {
        var m = Self.machine()
        let r1 = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                    keys: L.declarations(session: .normal) + ["AuthMethod=CHAP,None"]))
        #expect(r1.transit && r1.nextStage == .operationalNegotiation)
        #expect(r1.parameters == L.pairs(["AuthMethod=None", "TargetPortalGroupTag=1"]))
        let r2 = m.handle(L.operationalLogin())
        #expect(r2.status == .success && r2.isComplete)
        // A changed redeclaration is still an error.
        var n = Self.machine()
        _ = n.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                               keys: L.declarations(session: .normal) + ["AuthMethod=None"]))
        let changed = n.handle(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                         keys: ["InitiatorName=iqn.someone.else"]))
        #expect(changed.status == .initiatorError)
    }

    @Test func authenticationPolicies() {
        // CHAP required but the login starts in the operational stage.
        var skip = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        #expect(skip.handle(L.operationalLogin()).status == .authenticationFailure)
        // CHAP required, the initiator offers only None.
        var none = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        #expect(none.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                      keys: L.declarations(session: .normal) + ["AuthMethod=None"])).status == .authenticationFailure)
        // CHAP required, the initiator never names an AuthMethod and asks to move on.
        var silent = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        #expect(silent.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                        keys: L.declarations(session: .normal))).status == .authenticationFailure)
        // No authentication here, the initiator insists on CHAP.
        var insist = Self.machine()
        #expect(insist.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                        keys: L.declarations(session: .normal) + ["AuthMethod=CHAP"])).status == .authenticationFailure)
        // Discovery has its own policy.
        var discovery = Self.machine(.none, discovery: .chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        #expect(discovery.handle(L.operationalLogin(session: .discovery)).status == .authenticationFailure)
        // CHAP keys without AuthMethod=CHAP.
        var early = Self.machine(.chap(CHAPTargetCredentials(initiator: Self.chapUser)))
        #expect(early.handle(L.request(transit: false, stage: .securityNegotiation, next: .operationalNegotiation,
                                       keys: L.declarations(session: .normal) + ["CHAP_A=5"])).status == .authenticationFailure)
    }

    @Test func statusesForBadFirstRequests() {
        func status(_ request: LoginRequest, _ m: LoginStateMachine = Self.machine()) -> LoginStatus {
            var m = m
            return m.handle(request).status
        }
        let ops = L.operationalKeys
        #expect(status(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                 keys: ["TargetName=\(L.targetName)"] + ops)) == .missingParameter)
        #expect(status(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                 keys: ["InitiatorName=\(L.initiatorName)", "SessionType=Normal"] + ops)) == .missingParameter)
        #expect(status(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                 keys: ["InitiatorName=\(L.initiatorName)", "TargetName=iqn.nope"] + ops)) == .notFound)
        #expect(status(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                 keys: ["InitiatorName=\(L.initiatorName)", "SessionType=Bogus"])) == .sessionTypeNotSupported)
        var version = L.operationalLogin()
        version.versionMin = 1
        version.versionMax = 2
        #expect(status(version) == .unsupportedVersion)
        var existing = L.operationalLogin()
        existing.tsih = 5
        #expect(status(existing) == .sessionDoesNotExist)
        let accepting = LoginStateMachine(configuration: LoginTargetConfiguration(
            targets: [TargetNodeConfiguration(name: L.targetName)], acceptsExistingSessions: true))
        #expect(status(existing, accepting) == .success)
        var ffp = L.operationalLogin()
        ffp.currentStage = .fullFeaturePhase
        #expect(status(ffp) == .initiatorError)
        var both = L.operationalLogin()
        both.continues = true
        #expect(status(both) == .initiatorError)
        var backwards = L.operationalLogin()
        backwards.nextStage = .securityNegotiation
        #expect(status(backwards) == .initiatorError)
        let malformed = LoginRequest(transit: true, currentStage: .operationalNegotiation, nextStage: .fullFeaturePhase,
                                     isid: L.isid, initiatorTaskTag: 1, cmdSN: 1, data: Array("InitiatorName".utf8) + [0])
        #expect(status(malformed) == .initiatorError)
    }

    @Test func sequenceErrorsLaterInTheLogin() {
        func secondReply(_ second: (inout LoginRequest) -> Void, keys: [String] = L.operationalKeys) -> LoginStatus {
            var m = Self.machine()
            _ = m.handle(L.request(transit: false, stage: .securityNegotiation, next: .operationalNegotiation,
                                   keys: L.declarations(session: .normal)))
            var r = L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation, keys: keys)
            second(&r)
            return m.handle(r).status
        }
        #expect(secondReply({ _ in }) == .success)
        #expect(secondReply({ $0.isid = ISID(rawValue: 1) }) == .initiatorError)
        #expect(secondReply({ $0.cid = 1 }) == .initiatorError)
        #expect(secondReply({ $0.currentStage = .operationalNegotiation; $0.nextStage = .fullFeaturePhase }) == .initiatorError)
        #expect(secondReply({ _ in }, keys: ["InitiatorName=\(L.initiatorName)", "AuthMethod=None"]) == .success)
    }

    @Test func keysTwiceAndSecurityKeysLate() {
        var twice = Self.machine()
        _ = twice.handle(L.request(transit: true, stage: .securityNegotiation, next: .operationalNegotiation,
                                   keys: L.declarations(session: .normal) + ["MaxBurstLength=65536"]))
        #expect(twice.handle(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                       keys: ["MaxBurstLength=65536"])).status == .initiatorError)
        var late = Self.machine()
        #expect(late.handle(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                      keys: L.declarations(session: .normal) + ["AuthMethod=None"])).status == .initiatorError)
        var duplicateInOnePDU = Self.machine()
        #expect(duplicateInOnePDU.handle(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                                                   keys: L.declarations(session: .normal) + ["MaxConnections=1", "MaxConnections=1"]))
            .status == .initiatorError)
    }

    /// A Login Request with C set gets an empty reply; the text is used once complete.
    @Test func continuedLoginText() {
        var m = Self.machine()
        let all = L.pairs(L.declarations(session: .normal) + L.operationalKeys).encoded()
        var first = L.operationalLogin()
        first.transit = false
        first.continues = true
        first.data = Array(all[0..<37])
        let r1 = m.handle(first)
        #expect(r1.status == .success && !r1.transit && r1.parameters.isEmpty)
        var second = L.operationalLogin()
        second.data = Array(all[37...])
        let r2 = m.handle(second)
        #expect(r2.isComplete && r2.parameters["MaxBurstLength"] == "262144")
    }

    /// Security straight to Full Feature Phase is answered with NSG=1, so the target can still
    /// declare its MaxRecvDataSegmentLength; the initiator then sends an operational PDU.
    @Test func securityToFullFeatureGoesThroughOperational() {
        var m = Self.machine()
        let r1 = m.handle(L.request(transit: true, stage: .securityNegotiation, next: .fullFeaturePhase,
                                    keys: L.declarations(session: .normal) + ["AuthMethod=None"]))
        #expect(r1.transit && r1.nextStage == .operationalNegotiation && !r1.isComplete)
        let r2 = m.handle(L.request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase, keys: []))
        #expect(r2.isComplete && r2.parameters == L.pairs(["MaxRecvDataSegmentLength=262144"]))
        #expect(r2.completedSession?.firstBurstLength == 65536)  // RFC default: never offered
    }

    @Test func replyWithoutTransitWaits() {
        var m = Self.machine()
        var r = L.operationalLogin()
        r.transit = false
        let reply = m.handle(r)
        #expect(reply.status == .success && !reply.transit && !reply.isComplete)
        #expect(m.phase == .operationalNegotiation)
        let response = reply.response(to: r, tsih: 9, statSN: 0, expCmdSN: 0, maxCmdSN: 0)
        #expect(response.tsih == 0 && !response.transit)
    }
}
