/// A CHAP name and secret (RFC 1994). Secrets are bytes; most are typed as text.
public struct CHAPSecret: Equatable, Hashable, Sendable {
    public var name: String
    public var secret: [UInt8]

    public init(name: String, secret: String) {
        self.name = name
        self.secret = Array(secret.utf8)
    }

    public init(name: String, secretBytes: [UInt8]) {
        self.name = name
        self.secret = secretBytes
    }
}

/// What a target needs for CHAP: the initiator's expected name and secret, and optionally its
/// own name and secret to answer mutual (bidirectional) CHAP.
public struct CHAPTargetCredentials: Equatable, Hashable, Sendable {
    public var initiator: CHAPSecret
    /// nil refuses initiators that ask the target to authenticate itself.
    public var target: CHAPSecret?

    public init(initiator: CHAPSecret, target: CHAPSecret? = nil) {
        self.initiator = initiator
        self.target = target
    }
}

/// Why CHAP failed. Each ends the login with status 0201 (authentication failure).
public enum CHAPFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// CHAP_A did not offer 5 (MD5).
    case unsupportedAlgorithm(String)
    /// A CHAP key arrived in the wrong step.
    case unexpectedKey(String)
    case missingKey(String)
    case malformedValue(key: String)
    /// CHAP_N is not the configured initiator name.
    case unknownName(String)
    case wrongResponse
    /// The initiator's challenge equals ours (a reflection attack, RFC 7143 12.1.3).
    case reflectedChallenge
    /// The response also matches the target's secret: one secret is used in both directions,
    /// which RFC 7143 12.1.3 forbids.
    case secretUsedInBothDirections
    /// The initiator asked for mutual CHAP and the target has no secret of its own.
    case mutualNotConfigured

    public var description: String {
        switch self {
        case let .unsupportedAlgorithm(offer): return "CHAP_A=\(offer) does not include 5 (MD5)"
        case let .unexpectedKey(key): return "\(key) arrived out of sequence"
        case let .missingKey(key): return "\(key) is missing"
        case let .malformedValue(key): return "\(key) has a malformed value"
        case let .unknownName(name): return "CHAP_N '\(name)' is not the configured initiator"
        case .wrongResponse: return "CHAP_R does not match"
        case .reflectedChallenge: return "the initiator's CHAP_C reflects the target's challenge"
        case .secretUsedInBothDirections: return "the same CHAP secret is used in both directions"
        case .mutualNotConfigured: return "mutual CHAP requested but the target has no secret"
        }
    }
}

/// The target side of CHAP with iSCSI's keys (RFC 7143 12.1.3, RFC 1994):
///
///     I: CHAP_A=<list>                       T: CHAP_A=5 CHAP_I=<id> CHAP_C=<challenge>
///     I: CHAP_N=<name> CHAP_R=<response>      (one-way: done)
///        [CHAP_I=<id'> CHAP_C=<challenge'>]  T: CHAP_N=<target> CHAP_R=<response'> (mutual)
///
/// response = MD5(identifier byte || secret || challenge).
public struct CHAPAuthenticator: Equatable, Sendable {
    public static let algorithmMD5: UInt64 = 5
    public static let challengeLength = 16
    /// Longest challenge accepted from an initiator (RFC 7143 12.1.3 bounds CHAP_C at 1024 bytes).
    public static let maximumChallengeLength = 1024

    public enum State: Equatable, Sendable {
        case awaitingAlgorithm
        case awaitingResponse(identifier: UInt8, challenge: [UInt8])
        case succeeded
        case failed
    }

    public let credentials: CHAPTargetCredentials
    public private(set) var state: State = .awaitingAlgorithm

    public init(credentials: CHAPTargetCredentials) { self.credentials = credentials }

    /// Answers CHAP_A: picks MD5 and issues an identifier and a 16-byte challenge.
    public mutating func challenge(algorithms: String, source: inout some ChallengeSource) throws -> TextParameters {
        guard state == .awaitingAlgorithm else { return try fail(.unexpectedKey("CHAP_A")) }
        let offered = algorithms.split(separator: ",").compactMap { NumericValue.parse(String($0)) }
        guard offered.contains(Self.algorithmMD5) else { return try fail(.unsupportedAlgorithm(algorithms)) }
        let identifier = source.randomBytes(count: 1).first ?? 0
        let challenge = source.randomBytes(count: Self.challengeLength)
        guard !challenge.isEmpty else { return try fail(.malformedValue(key: "CHAP_C (empty challenge source)")) }
        state = .awaitingResponse(identifier: identifier, challenge: challenge)
        return ["CHAP_A": "5", "CHAP_I": String(identifier), "CHAP_C": CHAPBinaryValue.encodeHex(challenge)]
    }

    /// Checks CHAP_N/CHAP_R; when CHAP_I/CHAP_C come too, returns the target's CHAP_N/CHAP_R.
    public mutating func verify(_ keys: TextParameters) throws -> TextParameters {
        guard case let .awaitingResponse(identifier, challenge) = state else {
            return try fail(.unexpectedKey(keys["CHAP_R"] != nil ? "CHAP_R" : "CHAP_N"))
        }
        guard let name = keys["CHAP_N"] else { return try fail(.missingKey("CHAP_N")) }
        guard let responseText = keys["CHAP_R"] else { return try fail(.missingKey("CHAP_R")) }
        guard let response = try? CHAPBinaryValue.decode(responseText), response.count == 16 else {
            return try fail(.malformedValue(key: "CHAP_R"))
        }
        guard name == credentials.initiator.name else { return try fail(.unknownName(name)) }
        if let target = credentials.target,
           Self.response(identifier: identifier, secret: target.secret, challenge: challenge) == response {
            return try fail(.secretUsedInBothDirections)
        }
        guard Self.response(identifier: identifier, secret: credentials.initiator.secret, challenge: challenge) == response else {
            return try fail(.wrongResponse)
        }
        switch (keys["CHAP_I"], keys["CHAP_C"]) {
        case (nil, nil):
            state = .succeeded
            return TextParameters()
        case (nil, _):
            return try fail(.missingKey("CHAP_I"))
        case (_, nil):
            return try fail(.missingKey("CHAP_C"))
        case let (idText?, challengeText?):
            guard let target = credentials.target else { return try fail(.mutualNotConfigured) }
            guard let mutualIdentifier = try? CHAPBinaryValue.decodeIdentifier(idText) else {
                return try fail(.malformedValue(key: "CHAP_I"))
            }
            guard let mutualChallenge = try? CHAPBinaryValue.decode(challengeText), !mutualChallenge.isEmpty,
                  mutualChallenge.count <= Self.maximumChallengeLength else {
                return try fail(.malformedValue(key: "CHAP_C"))
            }
            guard mutualChallenge != challenge else { return try fail(.reflectedChallenge) }
            state = .succeeded
            let answer = Self.response(identifier: mutualIdentifier, secret: target.secret, challenge: mutualChallenge)
            return ["CHAP_N": target.name, "CHAP_R": CHAPBinaryValue.encodeHex(answer)]
        }
    }

    /// RFC 1994 4.1: MD5 over the identifier, the secret and the challenge.
    public static func response(identifier: UInt8, secret: [UInt8], challenge: [UInt8]) -> [UInt8] {
        var m = MD5()
        m.update([identifier])
        m.update(secret)
        m.update(challenge)
        return m.finalize()
    }

    private mutating func fail(_ failure: CHAPFailure) throws -> TextParameters {
        state = .failed
        throw failure
    }
}
