import Foundation
import SimArray
import SimTarget
import Testing

/// The HTTP plumbing of the management API over real sockets: keep-alive, Connection: close,
/// the body cap (413), malformed requests.
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
