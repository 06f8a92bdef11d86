import Foundation
import SimArray
import SimTarget
import Testing

/// The bearer token: every endpoint wants it, anything else is 401 before routing, and the
/// token itself (generation, file mode, comparison).
@Suite("management API: authentication", .serialized)
struct ManagementAuthTests {
    @Test("every endpoint answers 401 with WWW-Authenticate without a token, and does nothing",
          arguments: [("GET", "/v1/health"), ("GET", "/v1/luns"), ("POST", "/v1/luns"), ("GET", "/v1/luns/0"),
                      ("PATCH", "/v1/luns/0"), ("DELETE", "/v1/luns/0"), ("GET", "/v1/faults"), ("POST", "/v1/faults"),
                      ("DELETE", "/v1/faults"), ("GET", "/v1/nothing"), ("PUT", "/v1/health")] as [(String, String)])
    func missingToken(method: String, path: String) async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        h.faults.add(.goodWithoutCopy)
        let body: String? = switch (method, path) {
        case ("POST", "/v1/luns"): #"{"lun": 4, "size": "1M"}"#
        case ("PATCH", _): #"{"size": "8M"}"#
        case ("POST", "/v1/faults"): #"{"fault": "busy"}"#
        default: nil
        }
        let r = try h.request(method, path, body: body, token: .some(nil))
        #expect(r.status == 401, "\(method) \(path)")
        #expect(r.headers["www-authenticate"] == "Bearer realm=\"offload-sim\"")
        _ = try r.errorMessage()
        #expect(h.array.luns == [0])
        #expect(h.array.logicalUnit(lun: 0)?.blockCount == 2048)
        #expect(h.faults.active == [.goodWithoutCopy])
        await h.stop()
    }

    @Test("wrong tokens and wrong schemes are 401; the scheme's case and extra spaces do not matter")
    func tokenVariants() async throws {
        let token = try ManagementToken("s3cr3t-t0ken")
        let h = try await ManagementHarness.start(token: token)
        defer { h.cleanUp() }
        func status(_ authorization: [String]) throws -> Int {
            let c = try h.client()
            return try c.request("GET", "/v1/health", token: nil, headers: authorization.map { ("Authorization", $0) }).status
        }
        #expect(try status(["Bearer s3cr3t-t0ken"]) == 200)
        #expect(try status(["bearer s3cr3t-t0ken"]) == 200)
        #expect(try status(["BEARER   s3cr3t-t0ken  "]) == 200)
        #expect(try status(["Bearer s3cr3t-t0kem"]) == 401, "one character off")
        #expect(try status(["Bearer s3cr3t-t0ke"]) == 401, "a prefix")
        #expect(try status(["Bearer s3cr3t-t0ken2"]) == 401, "longer")
        #expect(try status(["Bearer S3CR3T-T0KEN"]) == 401, "tokens are case-sensitive")
        #expect(try status(["Bearer"]) == 401)
        #expect(try status(["Bearer "]) == 401)
        #expect(try status(["s3cr3t-t0ken"]) == 401, "no scheme")
        #expect(try status(["Basic czNjcjN0LXQwa2Vu"]) == 401)
        #expect(try status(["Token s3cr3t-t0ken"]) == 401)
        #expect(try status(["Bearer s3cr3t-t0ken extra"]) == 401)
        #expect(try status(["Bearer s3cr3t-t0ken", "Bearer s3cr3t-t0ken"]) == 401, "two Authorization headers")
        #expect(try status([]) == 401)
        #expect(try h.request("GET", "/v1/health", token: .some(h.token + "x")).status == 401)
        await h.stop()
    }

    @Test("a 401 keeps the connection usable, and an unauthenticated large body is not buffered but refused")
    func unauthorizedConnection() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try h.client()
        #expect(try c.request("POST", "/v1/faults", token: "wrong", body: #"{"fault": "busy"}"#).status == 401)
        #expect(try c.request("GET", "/v1/health", token: h.token).status == 200, "same connection")
        let big = String(repeating: "x", count: 100_000)
        let r = try h.request("POST", "/v1/luns", body: big, token: .some(nil))
        #expect(r.status == 401, "no token: 401 even when the body is also too large")
        await h.stop()
    }

    @Test("generated tokens are 64 hex digits and differ")
    func generated() throws {
        let a = ManagementToken.generate(), b = ManagementToken.generate()
        #expect(a.text.count == 64)
        #expect(a.text.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(a.text != b.text)
    }

    @Test("a token file is written mode 0600 (even over a wider file) and reads back trimmed")
    func tokenFile() throws {
        let dir = ManagementHarness.newStateDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(ManagementToken.defaultFileName).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        let token = ManagementToken.generate()
        try token.write(to: path)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == token.text + "\n")
        #expect(try ManagementToken.read(from: path).text == token.text)

        try Data("  my-token \n\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ManagementToken.read(from: path).text == "my-token")
        try Data("\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ManagementToken.Invalid.self) { try ManagementToken.read(from: path) }
        try Data("two words".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ManagementToken.Invalid.self) { try ManagementToken.read(from: path) }
        #expect(throws: ManagementToken.Invalid.self) { try ManagementToken.read(from: dir.appendingPathComponent("absent").path) }
    }

    @Test("constant-time comparison agrees with ==")
    func constantTime() {
        let expected = Array("abcdef".utf8)
        #expect(ManagementToken.constantTimeEqual(expected, expected))
        for other in ["", "a", "abcde", "abcdeg", "abcdefg", "ABCDEF", "bbcdef"] {
            #expect(!ManagementToken.constantTimeEqual(Array(other.utf8), expected), "\(other)")
        }
        #expect(!ManagementToken.constantTimeEqual([], [1]))
        #expect(ManagementToken.constantTimeEqual([], []))
    }
}
