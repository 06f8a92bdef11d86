/// The target side of the iSCSI Login Phase (RFC 7143 6.3): one instance per connection,
/// fed every Login Request, answering each with a `LoginReply`.
///
/// Stages: SecurityNegotiation (AuthMethod, CHAP) -> LoginOperationalNegotiation -> Full
/// Feature Phase. The target only moves on when the initiator sets T, never further than the
/// initiator's NSG, and never straight from security to Full Feature: it answers NSG=1 so that
/// its own MaxRecvDataSegmentLength is always declared. Errors end the login with a status:
/// 0201 authentication, 0203 unknown target, 0205 version, 0207 missing InitiatorName or
/// TargetName, 0209 session type, 020a session does not exist, 0200 anything else the
/// initiator got wrong.
public struct LoginStateMachine: Sendable {
    public enum Phase: Equatable, Sendable {
        case awaitingFirstRequest
        case securityNegotiation
        case operationalNegotiation
        case fullFeaturePhase
        case failed
    }

    public let configuration: LoginTargetConfiguration
    public private(set) var phase: Phase = .awaitingFirstRequest
    /// The values negotiated so far (final once `phase` is `.fullFeaturePhase`).
    public private(set) var session = NegotiatedSession()

    private var challengeSource: any ChallengeSource
    private var accumulator: TextAccumulator
    private var requirement: AuthenticationRequirement = .none
    private var chap: CHAPAuthenticator?
    private var authenticated = false
    private var receivedFirstText = false
    private var sentTargetDeclarations = false
    private var declaredReceiveLimit = false
    private var identity: (isid: ISID, tsih: UInt16, cid: UInt16)?
    /// Every key the initiator sent during this login, with its value.
    private var offeredKeys: [String: String] = [:]

    /// Declarations libiscsi repeats in the operational stage when it offered CHAP and the
    /// target chose None; identical repeats are tolerated, changed ones are not.
    static let redeclarableKeys: Set<String> = ["InitiatorName", "InitiatorAlias", "TargetName", "SessionType"]

    public init(configuration: LoginTargetConfiguration, challengeSource: some ChallengeSource = SystemChallengeSource()) {
        self.configuration = configuration
        self.challengeSource = challengeSource
        self.accumulator = TextAccumulator(limit: configuration.maximumLoginTextLength)
    }

    /// Handles one Login Request. After a failure reply the server sends it and closes the
    /// connection; after a completing reply it switches to Full Feature Phase.
    public mutating func handle(_ request: LoginRequest) -> LoginReply {
        do {
            return try process(request)
        } catch {
            phase = .failed
            return LoginReply(status: error.status, transit: false, currentStage: request.currentStage,
                              nextStage: request.nextStage, failureReason: error.reason)
        }
    }

    private mutating func process(_ request: LoginRequest) throws(LoginFailure) -> LoginReply {
        try checkSequence(request)
        let text: TextParameters
        do {
            guard let complete = try accumulator.append(request.data, continues: request.continues) else {
                // RFC 7143 6.1: answer a C=1 PDU with an empty one and wait for the rest.
                return LoginReply(transit: false, currentStage: request.currentStage, nextStage: request.nextStage)
            }
            text = complete
        } catch {
            throw LoginFailure(.initiatorError, "login text: \(error)")
        }
        let keys = try newKeys(text)

        var answers = TextParameters()
        let negotiator = OperationalNegotiator(preferences: configuration.preferences, isLeadingConnection: request.tsih == 0)
        let securityKeys = keys.filter { Self.isSecurityKey($0.key) }
        let otherKeys = keys.filter { !Self.isSecurityKey($0.key) }
        // Declarations (SessionType, TargetName...) first: authentication depends on them.
        answers.pairs += try negotiator.respond(to: otherKeys, session: &session)
        if !receivedFirstText {
            receivedFirstText = true
            try checkFirstText(startingIn: request.currentStage)
        }

        switch request.currentStage {
        case .securityNegotiation:
            answers.pairs = try securityAnswers(securityKeys).pairs + answers.pairs
        case .operationalNegotiation:
            guard securityKeys.isEmpty else {
                throw LoginFailure(.initiatorError, "\(securityKeys[0].key) sent in the operational stage")
            }
        case .fullFeaturePhase:
            throw LoginFailure(.initiatorError, "CSG is FullFeaturePhase")
        }
        appendTargetDeclarations(to: &answers, stage: request.currentStage)
        return try decideTransit(request, answers: answers)
    }

    /// Version, stage and identity checks that need no text.
    private mutating func checkSequence(_ request: LoginRequest) throws(LoginFailure) {
        switch phase {
        case .failed:
            throw LoginFailure(.initiatorError, "login already failed")
        case .fullFeaturePhase:
            throw LoginFailure(.initiatorError, "Login Request in Full Feature Phase")
        case .awaitingFirstRequest:
            // Version 0x00 is the only one (RFC 7143 11.12.4): Version-min must allow it.
            guard request.versionMin == 0 else {
                throw LoginFailure(.unsupportedVersion, "Version-min \(request.versionMin), only 0 is supported")
            }
            if request.tsih != 0, !configuration.acceptsExistingSessions {
                throw LoginFailure(.sessionDoesNotExist, "TSIH \(request.tsih): this target adds no connections to sessions")
            }
            identity = (request.isid, request.tsih, request.cid)
            switch request.currentStage {
            case .securityNegotiation: phase = .securityNegotiation
            case .operationalNegotiation: phase = .operationalNegotiation
            case .fullFeaturePhase: throw LoginFailure(.initiatorError, "first Login Request has CSG FullFeaturePhase")
            }
        case .securityNegotiation, .operationalNegotiation:
            guard let id = identity, id.isid == request.isid, id.tsih == request.tsih, id.cid == request.cid else {
                throw LoginFailure(.initiatorError, "ISID, TSIH or CID changed during login")
            }
            let expected: LoginStage = phase == .securityNegotiation ? .securityNegotiation : .operationalNegotiation
            guard request.currentStage == expected else {
                throw LoginFailure(.initiatorError, "CSG \(request.currentStage), expected \(expected)")
            }
        }
        if request.transit, request.continues {
            throw LoginFailure(.initiatorError, "T and C both set")
        }
        if request.transit, request.nextStage <= request.currentStage {
            throw LoginFailure(.initiatorError, "NSG \(request.nextStage) does not follow CSG \(request.currentStage)")
        }
    }

    /// The keys not seen before in this login (RFC 7143 6.2: no key twice). Answers to
    /// target offers (Reject, NotUnderstood, Irrelevant) are dropped: this target offers none.
    private mutating func newKeys(_ text: TextParameters) throws(LoginFailure) -> [TextKeyValue] {
        var fresh: [TextKeyValue] = []
        for kv in text.pairs where kv.specialValue == nil {
            if let prior = offeredKeys[kv.key] {
                if Self.redeclarableKeys.contains(kv.key), prior == kv.value { continue }
                throw LoginFailure(.initiatorError, "\(kv.key) offered twice during login")
            }
            offeredKeys[kv.key] = kv.value
            fresh.append(kv)
        }
        return fresh
    }

    /// The first complete text must name the initiator and, for a Normal session, a target
    /// that exists; it also fixes which authentication applies.
    private mutating func checkFirstText(startingIn stage: LoginStage) throws(LoginFailure) {
        guard !session.initiatorName.isEmpty else { throw LoginFailure(.missingParameter, "no InitiatorName") }
        switch session.sessionType {
        case .discovery:
            requirement = configuration.discoveryAuthentication
            session.targetName = nil
        case .normal:
            guard let name = session.targetName else { throw LoginFailure(.missingParameter, "no TargetName") }
            guard let target = configuration.target(named: name) else { throw LoginFailure(.notFound, "no target \(name)") }
            requirement = target.authentication
        }
        if stage == .operationalNegotiation {
            // No security stage: only acceptable when none is required (RFC 7143 6.3).
            guard requirement == .none else {
                throw LoginFailure(.authenticationFailure, "authentication required but the login skipped the security stage")
            }
            authenticated = true
        }
    }

    private static func isSecurityKey(_ key: String) -> Bool { key == "AuthMethod" || key.hasPrefix("CHAP_") }

    private mutating func securityAnswers(_ keys: [TextKeyValue]) throws(LoginFailure) -> TextParameters {
        var answers = TextParameters()
        var chapKeys = TextParameters()
        for kv in keys {
            if kv.key == "AuthMethod" {
                answers.append("AuthMethod", try selectAuthMethod(kv.listValues).rawValue)
            } else if ["CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R"].contains(kv.key) {
                chapKeys.pairs.append(kv)
            } else {
                answers.append(kv.key, TextSpecialValue.notUnderstood.rawValue)
            }
        }
        guard !chapKeys.isEmpty else { return answers }
        guard var authenticator = chap else {
            throw LoginFailure(.authenticationFailure, "CHAP keys without AuthMethod=CHAP")
        }
        do {
            if let algorithms = chapKeys["CHAP_A"] {
                guard chapKeys.pairs.count == 1 else { throw CHAPFailure.unexpectedKey(chapKeys.keys.joined(separator: ",")) }
                answers.append(contentsOf: try authenticator.challenge(algorithms: algorithms, source: &challengeSource))
            } else {
                answers.append(contentsOf: try authenticator.verify(chapKeys))
                authenticated = true
                session.authenticatedName = chapKeys["CHAP_N"]
            }
            chap = authenticator
        } catch {
            chap = authenticator
            throw LoginFailure(.authenticationFailure, "CHAP: \(error)")
        }
        return answers
    }

    private mutating func selectAuthMethod(_ offered: [String]) throws(LoginFailure) -> AuthMethod {
        switch requirement {
        case .none:
            guard offered.contains(AuthMethod.none.rawValue) else {
                throw LoginFailure(.authenticationFailure, "AuthMethod=\(offered.joined(separator: ",")) but this target authenticates with None")
            }
            authenticated = true
            session.authMethod = .none
            return .none
        case let .chap(credentials):
            guard offered.contains(AuthMethod.chap.rawValue) else {
                throw LoginFailure(.authenticationFailure, "CHAP is required, AuthMethod=\(offered.joined(separator: ","))")
            }
            chap = CHAPAuthenticator(credentials: credentials)
            session.authMethod = .chap
            return .chap
        }
    }

    /// TargetPortalGroupTag and TargetAlias once per Normal session; our
    /// MaxRecvDataSegmentLength once, in the operational stage.
    private mutating func appendTargetDeclarations(to answers: inout TextParameters, stage: LoginStage) {
        if !sentTargetDeclarations {
            sentTargetDeclarations = true
            if session.sessionType == .normal {
                answers.append("TargetPortalGroupTag", String(configuration.portalGroupTag))
                if let name = session.targetName, let alias = configuration.target(named: name)?.alias {
                    answers.append("TargetAlias", alias)
                }
            }
        }
        if stage == .operationalNegotiation, !declaredReceiveLimit {
            declaredReceiveLimit = true
            let ours = Swift.min(Swift.max(configuration.preferences.maxRecvDataSegmentLength, 512), 16_777_215)
            session.targetMaxRecvDataSegmentLength = ours
            answers.append("MaxRecvDataSegmentLength", String(ours))
        }
    }

    private mutating func decideTransit(_ request: LoginRequest, answers: TextParameters) throws(LoginFailure) -> LoginReply {
        let stage = request.currentStage
        guard request.transit else {
            return LoginReply(transit: false, currentStage: stage, nextStage: request.nextStage, parameters: answers)
        }
        switch stage {
        case .securityNegotiation:
            if !authenticated {
                if case .none = requirement {
                    authenticated = true  // AuthMethod never offered: its default, None, applies
                } else if chap == nil {
                    throw LoginFailure(.authenticationFailure, "CHAP is required and was never offered")
                } else {
                    // CHAP still running: stay in the security stage.
                    return LoginReply(transit: false, currentStage: stage, nextStage: request.nextStage, parameters: answers)
                }
            }
            phase = .operationalNegotiation
            return LoginReply(transit: true, currentStage: stage, nextStage: .operationalNegotiation, parameters: answers)
        case .operationalNegotiation:
            phase = .fullFeaturePhase
            session.firstBurstLength = Swift.min(session.firstBurstLength, session.maxBurstLength)
            return LoginReply(transit: true, currentStage: stage, nextStage: .fullFeaturePhase, parameters: answers,
                              completedSession: session)
        case .fullFeaturePhase:
            throw LoginFailure(.initiatorError, "CSG is FullFeaturePhase")
        }
    }
}
