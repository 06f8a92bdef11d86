import CopyEngine
import Foundation
import OffloadProbe

/// The final report, as text or as the documented JSON object.
enum ReportFormat {
    static func json(_ r: CopyReport, error: CopyError? = nil) -> String {
        var fields: [(String, JSONValue)] = [
            ("method", .string(r.method)),
            ("ranges", .array(r.ranges.map { .object([("offset", .from($0.offset)), ("length", .from($0.length)), ("method", .string($0.method.rawValue))]) })),
            ("bytes", .from(r.bytes)),
            ("seconds", .fixed(r.seconds, decimals: 3)),
            ("hostBytesRead", .from(r.hostBytesRead)),
            ("hostBytesWritten", .from(r.hostBytesWritten)),
            ("commands", .object(r.commands.sorted { $0.key < $1.key }.map { ($0.key, .from($0.value)) })),
            ("fallbacks", .array(r.fallbacks.map { .object([("offset", .from($0.offset)), ("reason", .string($0.reason)), ("sense", .from($0.sense))]) })),
            ("verified", .string(r.verified.rawValue)),
            ("warnings", .array(r.warnings.map(JSONValue.string))),
            ("rodTokens", .from(r.rodTokens)),
            ("ok", .bool(r.ok)),
        ]
        if let error {
            fields.append(("error", .object([("kind", .string(error.kind.rawValue)), ("message", .string(error.description)),
                                             ("sense", .from(error.sense?.description))])))
        }
        return JSONValue.object(fields).rendered(pretty: true)
    }

    static func text(_ r: CopyReport) -> String {
        var lines = ["Copied \(bytes(r.bytes)) in \(String(format: "%.2f", r.seconds)) s (\(r.method)), verified: \(r.verified.rawValue)"]
        for range in r.ranges { lines.append("  \(range.method.rawValue): bytes \(range.offset)..<\(range.offset + range.length)") }
        for f in r.fallbacks { lines.append("  fell back to the host at byte \(f.offset): \(f.reason)") }
        if let tokens = r.rodTokens { lines.append("  ROD tokens: \(tokens)") }
        lines.append("  host bytes read \(r.hostBytesRead), written \(r.hostBytesWritten)")
        lines.append("  commands: " + r.commands.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for w in r.warnings { lines.append("  warning: \(w)") }
        return lines.joined(separator: "\n")
    }

    static func summary(_ r: CopyReport) -> String {
        r.ranges.map { "\($0.method.rawValue) bytes \($0.offset)..<\($0.offset + $0.length)" }.joined(separator: ", ")
    }

    static func bytes(_ n: UInt64) -> String { ReportText.humanBytes(n) }
}
