import ISCSIWire
import Testing

/// CHAP responses were computed independently with Python during development:
///   python3 -c 'import hashlib; print(hashlib.md5(bytes([0x2a]) + b"initiator-secret" + bytes(range(16))).hexdigest())'
///     -> 146466a8b34b56526e0619fa9872f517
///   python3 -c 'import hashlib; print(hashlib.md5(bytes([1]) + b"target-secret-1" + bytes(range(0xa0, 0xc0))).hexdigest())'
///     -> 1721bfe20ee46e55c65d7dc467940282
@Suite struct CHAPAuthenticatorTests {
    typealias S = WireTestSupport

    static let initiator = CHAPSecret(name: "iqn.2026-01.org.example:host", secret: "initiator-secret")
    static let target = CHAPSecret(name: "sim-target", secret: "target-secret-1")
    /// Identifier 0x2a, then the challenge 00 01 ... 0f.
    static func source() -> FixedChallengeSource { FixedChallengeSource(bytes: [0x2A] + (0..<16).map { UInt8($0) }) }
    static let expectedResponse = "0x146466a8b34b56526e0619fa9872f517"
    /// libiscsi sends a 32-byte mutual challenge (TARGET_CHAP_C_SIZE in lib/login.c).
    static let mutualChallenge = "0x" + (0xA0..<0xC0).map { String($0, radix: 16) }.joined()

    static func challenged(_ credentials: CHAPTargetCredentials) throws -> CHAPAuthenticator {
        var auth = CHAPAuthenticator(credentials: credentials)
        var src = source()
        let offer = try auth.challenge(algorithms: "5", source: &src)
        #expect(offer == ["CHAP_A": "5", "CHAP_I": "42", "CHAP_C": "0x000102030405060708090a0b0c0d0e0f"])
        return auth
    }

    @Test func oneWay() throws {
        var auth = try Self.challenged(CHAPTargetCredentials(initiator: Self.initiator))
        // libiscsi writes the hex digits in upper case (i2h in lib/login.c).
        let answer = try auth.verify(["CHAP_N": Self.initiator.name, "CHAP_R": "0x146466A8B34B56526E0619FA9872F517"])
        #expect(answer.isEmpty)
        #expect(auth.state == .succeeded)
        #expect(S.hex(CHAPAuthenticator.response(identifier: 0x2A, secret: Self.initiator.secret, challenge: (0..<16).map { UInt8($0) }))
            == "146466a8b34b56526e0619fa9872f517")
    }

    @Test func base64Response() throws {
        var auth = try Self.challenged(CHAPTargetCredentials(initiator: Self.initiator))
        #expect(try auth.verify(["CHAP_N": Self.initiator.name, "CHAP_R": "0bFGRmqLNLVlJuBhn6mHL1Fw=="]).isEmpty)
    }

    @Test func mutual() throws {
        var auth = try Self.challenged(CHAPTargetCredentials(initiator: Self.initiator, target: Self.target))
        let answer = try auth.verify(["CHAP_N": Self.initiator.name, "CHAP_R": Self.expectedResponse,
                                      "CHAP_I": "1", "CHAP_C": Self.mutualChallenge])
        #expect(answer == ["CHAP_N": "sim-target", "CHAP_R": "0x1721bfe20ee46e55c65d7dc467940282"])
    }

    @Test func algorithmChoice() throws {
        var auth = CHAPAuthenticator(credentials: CHAPTargetCredentials(initiator: Self.initiator))
        var src = Self.source()
        #expect(try auth.challenge(algorithms: "7,0x5", source: &src)["CHAP_A"] == "5")
        var other = CHAPAuthenticator(credentials: CHAPTargetCredentials(initiator: Self.initiator))
        #expect(throws: CHAPFailure.unsupportedAlgorithm("6,7")) { try other.challenge(algorithms: "6,7", source: &src) }
        #expect(other.state == .failed)
    }

    @Test func failures() throws {
        let oneWay = CHAPTargetCredentials(initiator: Self.initiator)
        let both = CHAPTargetCredentials(initiator: Self.initiator, target: Self.target)
        let good: TextParameters = ["CHAP_N": Self.initiator.name, "CHAP_R": Self.expectedResponse]
        func expectFailure(_ credentials: CHAPTargetCredentials, _ keys: TextParameters, _ failure: CHAPFailure) throws {
            var auth = try Self.challenged(credentials)
            #expect(throws: failure) { try auth.verify(keys) }
            #expect(auth.state == .failed)
        }
        try expectFailure(oneWay, ["CHAP_N": Self.initiator.name, "CHAP_R": "0x146466a8b34b56526e0619fa9872f516"], .wrongResponse)
        try expectFailure(oneWay, ["CHAP_N": "someone-else", "CHAP_R": Self.expectedResponse], .unknownName("someone-else"))
        try expectFailure(oneWay, ["CHAP_N": Self.initiator.name, "CHAP_R": "0x1464"], .malformedValue(key: "CHAP_R"))
        try expectFailure(oneWay, ["CHAP_R": Self.expectedResponse], .missingKey("CHAP_N"))
        try expectFailure(oneWay, ["CHAP_N": Self.initiator.name], .missingKey("CHAP_R"))
        var mutualAsked = good
        mutualAsked.append("CHAP_I", "1")
        mutualAsked.append("CHAP_C", Self.mutualChallenge)
        try expectFailure(oneWay, mutualAsked, .mutualNotConfigured)
        var noChallenge = good
        noChallenge.append("CHAP_I", "1")
        try expectFailure(both, noChallenge, .missingKey("CHAP_C"))
        var noIdentifier = good
        noIdentifier.append("CHAP_C", Self.mutualChallenge)
        try expectFailure(both, noIdentifier, .missingKey("CHAP_I"))
        var badIdentifier = good
        badIdentifier.append("CHAP_I", "300")
        badIdentifier.append("CHAP_C", Self.mutualChallenge)
        try expectFailure(both, badIdentifier, .malformedValue(key: "CHAP_I"))
        // Reflection: the initiator hands our own challenge back to get it answered.
        var reflected = good
        reflected.append("CHAP_I", "42")
        reflected.append("CHAP_C", "0x000102030405060708090a0b0c0d0e0f")
        try expectFailure(both, reflected, .reflectedChallenge)
        // One secret in both directions (RFC 7143 12.1.3).
        let sameSecret = CHAPTargetCredentials(initiator: Self.initiator, target: CHAPSecret(name: "t", secret: "initiator-secret"))
        try expectFailure(sameSecret, good, .secretUsedInBothDirections)
    }

    @Test func outOfSequence() throws {
        var auth = CHAPAuthenticator(credentials: CHAPTargetCredentials(initiator: Self.initiator))
        #expect(throws: CHAPFailure.unexpectedKey("CHAP_R")) { try auth.verify(["CHAP_N": "x", "CHAP_R": "0x00"]) }
        var done = try Self.challenged(CHAPTargetCredentials(initiator: Self.initiator))
        _ = try done.verify(["CHAP_N": Self.initiator.name, "CHAP_R": Self.expectedResponse])
        var src = Self.source()
        #expect(throws: CHAPFailure.unexpectedKey("CHAP_A")) { try done.challenge(algorithms: "5", source: &src) }
    }

    @Test func challengeSources() {
        var fixed = FixedChallengeSource(bytes: [1, 2, 3])
        #expect(fixed.randomBytes(count: 5) == [1, 2, 3, 1, 2])
        var system = SystemChallengeSource()
        #expect(system.randomBytes(count: 16).count == 16)
        #expect(system.randomBytes(count: 0).isEmpty)
    }
}
