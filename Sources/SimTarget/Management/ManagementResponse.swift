import Foundation
import NIOHTTP1

/// What the router answers: a status, a JSON body (empty for 204) and any extra headers
/// (`Location`, `Allow`, `WWW-Authenticate`). The HTTP handler adds Content-Type and
/// Content-Length.
public struct ManagementResponse: Sendable {
    public var status: HTTPResponseStatus
    public var body: [UInt8]
    public var headers: [(String, String)]

    public init(status: HTTPResponseStatus, body: [UInt8] = [], headers: [(String, String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// `value` as compact JSON with sorted keys and a final newline.
    public static func json<T: Encodable>(_ status: HTTPResponseStatus, _ value: T,
                                          headers: [(String, String)] = []) -> ManagementResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return error(.internalServerError, "cannot encode the response")
        }
        return ManagementResponse(status: status, body: Array(data) + [0x0A], headers: headers)
    }

    /// `{"error": "..."}`; the message is flattened to one line.
    public static func error(_ status: HTTPResponseStatus, _ message: String,
                             headers: [(String, String)] = []) -> ManagementResponse {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return json(status, ManagementErrorBody(error: line), headers: headers)
    }

    public static let noContent = ManagementResponse(status: .noContent)
}
