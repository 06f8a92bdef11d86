import Foundation
import SimArray
import SimTarget
import Testing

/// The HTTP plumbing of the management API over real sockets: keep-alive, Connection: close,
/// the body cap (413), malformed requests; plus the harness and client the other Management
/// suites use.
@Suite("management API: HTTP plumbing", .serialized)
struct ManagementClientTests {
    @Test("two requests on one keep-alive connection, then Connection: close ends it")
    func keepAlive() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try h.client()
        let first = try c.request("GET", "/v1/health", token: h.token)
        #expect(first.status == 200)
        #expect(first.headers["connection"] == nil)
        let second = try c.request("GET", "/v1/luns", token: h.token, headers: [("Connection", "close")])
        #expect(second.status == 200)
        #expect(second.headers["connection"] == "close")
        #expect(try c.readResponse() == nil, "the server closes after Connection: close")
        await h.stop()
    }

    @Test("HTTP/1.0 without keep-alive gets an answer and a closed connection")
    func http10() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try h.client()
        c.send(Array("GET /v1/health HTTP/1.0\r\nAuthorization: Bearer \(h.token)\r\n\r\n".utf8))
        let r = try #require(try c.readResponse())
        #expect(r.status == 200)
        #expect(try c.readResponse() == nil)
        await h.stop()
    }

    @Test("a body over 64 KiB by Content-Length gets 413 with a JSON error, and the LUN is not created")
    func tooLargeByContentLength() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try h.client()
        let padding = String(repeating: " ", count: ManagementServer.defaultMaximumBodyBytes)
        let r = try c.request("POST", "/v1/luns", token: h.token, body: "{\"lun\": 7, \"size\": \"1M\"}" + padding)
        #expect(r.status == 413)
        #expect(r.headers["connection"] == "close")
        #expect(try r.errorMessage().contains("65536"))
        #expect(h.array.logicalUnit(lun: 7) == nil)
        await h.stop()
    }

    @Test("a chunked body that grows past the cap gets 413 while it is still arriving")
    func tooLargeChunked() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try h.client()
        var request = "POST /v1/faults HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.token)\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunk = String(repeating: "a", count: 16 * 1024)
        for _ in 0..<5 { request += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n" }
        request += "0\r\n\r\n"
        c.send(Array(request.utf8))
        let r = try #require(try c.readResponse())
        #expect(r.status == 413)
        #expect(try c.readResponse() == nil, "the connection closes after an early 413")
        #expect(h.faults.active.isEmpty)
        await h.stop()
    }

    @Test("a body of exactly the cap is read (and judged on its JSON)")
    func bodyAtTheCap() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let json = "{\"fault\": \"busy:count=3\"}"
        let body = json + String(repeating: " ", count: ManagementServer.defaultMaximumBodyBytes - json.utf8.count)
        let r = try h.request("POST", "/v1/faults", body: body)
        #expect(r.status == 201)
        #expect(h.faults.active == [.busy(count: 3)])
        await h.stop()
    }

    @Test("an unparsable request line gets 400 from the HTTP layer and a closed connection")
    func malformedHTTP() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try h.client()
        c.send(Array("THIS IS NOT HTTP\r\n\r\n".utf8))
        let r = try #require(try c.readResponse())
        #expect(r.status == 400)
        #expect(try c.readResponse() == nil)
        await h.stop()
    }

    @Test("query strings and one trailing slash are ignored when routing; absolute-form targets work")
    func queryAndTrailingSlash() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        #expect(try h.request("GET", "/v1/luns?verbose=1").status == 200)
        #expect(try h.request("GET", "/v1/luns/").status == 200)
        #expect(try h.request("GET", "/v1/luns/0/").status == 200)
        #expect(try h.request("GET", "/v1//luns").status == 404)
        #expect(try h.request("GET", "http://127.0.0.1:\(h.management.boundPort)/v1/health").status == 200, "absolute form")
        #expect(try h.request("GET", "http://127.0.0.1").status == 404)
        await h.stop()
    }

    @Test("after stop() the port refuses connections")
    func stops() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let port = h.management.boundPort
        #expect(try h.request("GET", "/v1/health").status == 200)
        await h.stop()
        #expect(throws: (any Error).self) { try HTTPTestClient(port: port) }
    }
}

// MARK: - Harness

/// offload-sim in the test process as main.swift assembles it: a file-backed array in a temp
/// state dir with the ctl profile, the iSCSI server and the management server, both on
/// ephemeral loopback ports.
struct ManagementHarness {
    let stateDirectory: URL
    let profile: ArrayProfile
    let array: SimulatedArray
    let faults: FaultInjector
    let target: ISCSITargetServer
    let management: ManagementServer
    let token: String

    static func newStateDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("offload-sim-mgmt-\(UUID().uuidString)")
    }

    /// `luns` LUs of 1 MiB are created (if the state dir does not have them yet).
    static func start(stateDirectory: URL = newStateDirectory(), luns: Int = 1,
                      token: ManagementToken = .generate()) async throws -> ManagementHarness {
        let profile = try ArrayProfile.load("ctl")
        let array = try SimulatedArray(stateDirectory: stateDirectory,
                                       companyID: profile.identity.companyID ?? LogicalUnitIdentity.defaultCompanyID)
        try profile.apply(to: array)
        for lun in 0..<UInt64(luns) where array.logicalUnit(lun: lun) == nil {
            try profile.createLogicalUnit(in: array, lun: lun, blockSize: 512, blockCount: 2048)
        }
        let injector = FaultInjector()
        let tokens = profile.odx.map { TokenManager(configuration: TokenManagerConfiguration(profile: $0), faults: injector) }
        let dispatcher = SCSIDispatcher(array: array, copyHandler: CopyManager(profile: profile, faults: injector, tokenService: tokens))
        dispatcher.faults = injector
        let target = try await ISCSITargetServer.start(host: "127.0.0.1", port: 0, settings: TargetSettings(),
                                                        dispatcher: dispatcher, faults: injector, workerThreads: 2)
        let management: ManagementServer
        do {
            management = try await ManagementServer.start(host: "127.0.0.1", port: 0, token: token,
                                                          context: ManagementContext(target: target, profile: profile))
        } catch {
            await target.stop()
            throw error
        }
        return ManagementHarness(stateDirectory: stateDirectory, profile: profile, array: array, faults: injector,
                                 target: target, management: management, token: token.text)
    }

    func client() throws -> HTTPTestClient { try HTTPTestClient(port: management.boundPort) }

    /// One request on a fresh connection, with the right token unless told otherwise.
    func request(_ method: String, _ path: String, body: String? = nil, token: String?? = .none,
                 headers: [(String, String)] = []) throws -> HTTPTestResponse {
        let t: String? = switch token { case .none: self.token; case let .some(given): given }
        return try client().request(method, path, token: t, body: body, headers: headers)
    }

    func stop() async {
        await management.stop()
        await target.stop()
    }

    func cleanUp() { try? FileManager.default.removeItem(at: stateDirectory) }
}

// MARK: - Client

/// One HTTP response as the test client read it; header names lowercased.
struct HTTPTestResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], "not a JSON object: \(text)")
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(body)) }

    /// The `error` of a 4xx/5xx body, checked to be the only key and one line.
    func errorMessage() throws -> String {
        let o = try object()
        #expect(o.keys.sorted() == ["error"], "error bodies have exactly one key: \(text)")
        let message = try #require(o["error"] as? String)
        #expect(!message.isEmpty && !message.contains("\n"), "one line: \(message)")
        #expect(headers["content-type"] == "application/json")
        return message
    }
}

/// A blocking HTTP/1.1 client over a loopback socket: enough to send exact bytes (bad ones
/// too) and read Content-Length-framed answers. Reads time out after 5 s.
final class HTTPTestClient {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Sends a request (Content-Length framed when there is a body) and reads the answer.
    func request(_ method: String, _ path: String, token: String?, body: String? = nil,
                 headers: [(String, String)] = []) throws -> HTTPTestResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil {
            text += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n"
        }
        text += "\r\n"
        send(Array(text.utf8) + bodyBytes)
        return try #require(try readResponse(bodyless: method == "HEAD"), "no answer to \(method) \(path)")
    }

    /// The next response, or nil when the server closed the connection (or 5 s passed).
    /// `bodyless`: an answer to HEAD, whose Content-Length describes a body not sent.
    func readResponse(bodyless: Bool = false) throws -> HTTPTestResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let i = Self.find(separator, in: pending) { headerEnd = i; break }
            guard fill() else { return nil }
        }
        let headText = String(decoding: pending[..<headerEnd!], as: UTF8.self)
        pending.removeFirst(headerEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = bodyless ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while pending.count < length {
            guard fill() else { return nil }
        }
        let body = Array(pending[..<length])
        pending.removeFirst(length)
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    private func fill() -> Bool {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &buf, buf.count)
        guard n > 0 else { return false }
        pending += buf[0..<n]
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
