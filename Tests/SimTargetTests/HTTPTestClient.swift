import Foundation
import Testing

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
    private let socket: LoopbackSocket
    private var pending: [UInt8] = []

    init(port: Int) throws { socket = try LoopbackSocket(port: port) }

    func send(_ bytes: [UInt8]) { socket.send(bytes) }

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

    private func fill() -> Bool { socket.receive(into: &pending) }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
