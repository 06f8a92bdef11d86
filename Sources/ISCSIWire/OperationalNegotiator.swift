/// The target's answers to an initiator's non-security keys (RFC 7143 6.2 and 13): list keys
/// take the initiator's first value we support, Boolean keys combine by OR/AND, numerical keys
/// by min/max, declarations are recorded without an answer, and unknown keys are answered
/// NotUnderstood. A malformed or out-of-range offer is answered Reject and leaves the value
/// at its default; a malformed *declaration* fails the login, because nothing could answer it.
public struct OperationalNegotiator: Equatable, Sendable {
    public var preferences: TargetNegotiationPreferences
    /// False on a connection joining an existing session (TSIH != 0): leading-only keys are
    /// answered Irrelevant there.
    public var isLeadingConnection: Bool

    public init(preferences: TargetNegotiationPreferences = TargetNegotiationPreferences(), isLeadingConnection: Bool = true) {
        self.preferences = preferences
        self.isLeadingConnection = isLeadingConnection
    }

    /// Keys the initiator declares (no answer expected).
    public static let initiatorDeclarations: Set<String> = [
        "InitiatorName", "InitiatorAlias", "TargetName", "SessionType", "MaxRecvDataSegmentLength",
    ]
    /// Keys only a target may send; an initiator sending them is answered Reject.
    public static let targetOnlyKeys: Set<String> = ["TargetAlias", "TargetAddress", "TargetPortalGroupTag"]
    /// Session-wide keys negotiated on the leading connection only (Use: LO).
    public static let leadingOnlyKeys: Set<String> = [
        "MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait",
        "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel",
        "TaskReporting",
    ]
    /// Keys whose sections say "Irrelevant when: SessionType=Discovery".
    public static let irrelevantInDiscovery: Set<String> = [
        "MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength", "FirstBurstLength", "MaxOutstandingR2T",
        "DataPDUInOrder", "DataSequenceInOrder",
    ]

    static let dataSegmentRange: ClosedRange<UInt64> = 512...16_777_215
    /// iSCSI names are at most 223 bytes (RFC 7143, iSCSI names).
    static let maximumNameLength = 223

    /// Applies `offered` to `session` and returns the answers, in the order of the offers.
    /// Declarations are applied first, so SessionType affects the other keys of the same PDU.
    public func respond(to offered: [TextKeyValue], session: inout NegotiatedSession) throws(LoginFailure) -> [TextKeyValue] {
        for kv in offered where kv.specialValue == nil && Self.initiatorDeclarations.contains(kv.key) {
            try declare(kv, in: &session)
        }
        var answers: [TextKeyValue] = []
        var firstBurst: (index: Int, value: String)?
        for kv in offered where kv.specialValue == nil && !Self.initiatorDeclarations.contains(kv.key) {
            if kv.key == "FirstBurstLength" {
                // Depends on MaxBurstLength, InitialR2T and ImmediateData, which may come later.
                firstBurst = (answers.count, kv.value)
                answers.append(kv)
                continue
            }
            answers.append(TextKeyValue(kv.key, answer(kv, session: &session)))
        }
        if let (index, value) = firstBurst {
            answers[index].value = answerFirstBurstLength(value, session: &session)
        }
        return answers
    }

    private func declare(_ kv: TextKeyValue, in session: inout NegotiatedSession) throws(LoginFailure) {
        switch kv.key {
        case "InitiatorName":
            guard !kv.value.isEmpty, kv.value.utf8.count <= Self.maximumNameLength else {
                throw LoginFailure(.initiatorError, "InitiatorName is empty or longer than 223 bytes")
            }
            session.initiatorName = kv.value
        case "InitiatorAlias":
            session.initiatorAlias = kv.value
        case "TargetName":
            guard !kv.value.isEmpty, kv.value.utf8.count <= Self.maximumNameLength else {
                throw LoginFailure(.initiatorError, "TargetName is empty or longer than 223 bytes")
            }
            session.targetName = kv.value
        case "SessionType":
            guard let type = SessionType(rawValue: kv.value) else {
                throw LoginFailure(.sessionTypeNotSupported, "SessionType=\(kv.value)")
            }
            session.sessionType = type
        case "MaxRecvDataSegmentLength":
            guard let n = NumericValue.parse(kv.value), Self.dataSegmentRange.contains(n) else {
                throw LoginFailure(.initiatorError, "MaxRecvDataSegmentLength=\(kv.value) is outside 512-16777215")
            }
            session.initiatorMaxRecvDataSegmentLength = UInt32(n)
        default:
            break
        }
    }

    private func answer(_ kv: TextKeyValue, session: inout NegotiatedSession) -> String {
        let p = preferences
        if session.sessionType == .discovery, Self.irrelevantInDiscovery.contains(kv.key) { return TextSpecialValue.irrelevant.rawValue }
        if !isLeadingConnection, Self.leadingOnlyKeys.contains(kv.key) { return TextSpecialValue.irrelevant.rawValue }
        let v = kv.value
        switch kv.key {
        case "HeaderDigest":
            return selectDigest(v, supported: p.headerDigests) { session.headerDigest = $0 }
        case "DataDigest":
            return selectDigest(v, supported: p.dataDigests) { session.dataDigest = $0 }
        case "MaxConnections":
            return numeric(v, 1...65535, .minimum, p.maxConnections) { session.maxConnections = $0 }
        case "InitialR2T":
            return boolean(v, .or, p.initialR2T) { session.initialR2T = $0 }
        case "ImmediateData":
            return boolean(v, .and, p.immediateData) { session.immediateData = $0 }
        case "MaxBurstLength":
            return numeric(v, Self.dataSegmentRange, .minimum, p.maxBurstLength) { session.maxBurstLength = $0 }
        case "DefaultTime2Wait":
            return numeric(v, 0...3600, .maximum, p.defaultTime2Wait) { session.defaultTime2Wait = $0 }
        case "DefaultTime2Retain":
            return numeric(v, 0...3600, .minimum, p.defaultTime2Retain) { session.defaultTime2Retain = $0 }
        case "MaxOutstandingR2T":
            return numeric(v, 1...65535, .minimum, p.maxOutstandingR2T) { session.maxOutstandingR2T = $0 }
        case "DataPDUInOrder":
            return boolean(v, .or, p.dataPDUInOrder) { session.dataPDUInOrder = $0 }
        case "DataSequenceInOrder":
            return boolean(v, .or, p.dataSequenceInOrder) { session.dataSequenceInOrder = $0 }
        case "ErrorRecoveryLevel":
            return numeric(v, 0...2, .minimum, p.errorRecoveryLevel) { session.errorRecoveryLevel = $0 }
        case "TaskReporting":
            // RFC 7143 13.23: RFC3720 semantics are all this target implements.
            return kv.listValues.contains("RFC3720") ? "RFC3720" : TextSpecialValue.reject.rawValue
        case "IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt":
            // Obsoleted by RFC 7143 13.25: a responder SHOULD answer Reject (MAY answer No for
            // the two Booleans) and MUST NOT answer NotUnderstood. LIO answers Reject too, and
            // libiscsi and open-iscsi accept it.
            return TextSpecialValue.reject.rawValue
        case "SendTargets":
            // Full Feature Phase only (Text Request).
            return TextSpecialValue.reject.rawValue
        default:
            if Self.targetOnlyKeys.contains(kv.key) { return TextSpecialValue.reject.rawValue }
            return TextSpecialValue.notUnderstood.rawValue
        }
    }

    private func answerFirstBurstLength(_ value: String, session: inout NegotiatedSession) -> String {
        if session.sessionType == .discovery || !isLeadingConnection { return TextSpecialValue.irrelevant.rawValue }
        // RFC 7143 13.14: irrelevant when neither immediate nor unsolicited data is allowed.
        if session.initialR2T && !session.immediateData { return TextSpecialValue.irrelevant.rawValue }
        let cap = Swift.min(preferences.firstBurstLength, session.maxBurstLength)
        return numeric(value, Self.dataSegmentRange, .minimum, cap) { session.firstBurstLength = $0 }
    }

    private enum NumericResult { case minimum, maximum }
    private enum BooleanResult { case or, and }

    private func numeric(_ value: String, _ range: ClosedRange<UInt64>, _ result: NumericResult, _ ours: UInt32,
                         apply: (UInt32) -> Void) -> String {
        guard let offer = NumericValue.parse(value), range.contains(offer) else { return TextSpecialValue.reject.rawValue }
        let mine = Swift.min(Swift.max(UInt64(ours), range.lowerBound), range.upperBound)
        let chosen = result == .minimum ? Swift.min(offer, mine) : Swift.max(offer, mine)
        apply(UInt32(chosen))
        return String(chosen)
    }

    private func boolean(_ value: String, _ result: BooleanResult, _ ours: Bool, apply: (Bool) -> Void) -> String {
        let offer: Bool
        switch value {
        case "Yes": offer = true
        case "No": offer = false
        default: return TextSpecialValue.reject.rawValue
        }
        let chosen = result == .or ? (offer || ours) : (offer && ours)
        apply(chosen)
        return chosen ? "Yes" : "No"
    }

    private func selectDigest(_ value: String, supported: Set<ISCSIDigest>, apply: (ISCSIDigest) -> Void) -> String {
        for name in value.split(separator: ",") {
            if let digest = ISCSIDigest(rawValue: String(name)), supported.contains(digest) {
                apply(digest)
                return digest.rawValue
            }
        }
        return TextSpecialValue.reject.rawValue
    }
}
