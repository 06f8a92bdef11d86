import SCSIWire

/// One misbehaviour the simulated array can be told to show, from the command line
/// (`--fault SPEC`) or the control interface while running. Real arrays do each of these; the
/// engines' reliability tests need them on demand.
///
/// Spec syntax, one fault per spec: `KIND[:key=value[,key=value]...]`, e.g.
/// `xcopy-fail-segment:n=3`, `wut-partial:blocks=2048`, `busy:count=2`, `good-without-copy`.
public enum Fault: Equatable, Sendable, CustomStringConvertible {
    /// The Nth EXTENDED COPY segment (counted from 1 across the array) ends in COPY ABORTED with
    /// the failing segment and residual in the sense data.
    case xcopyFailSegment(n: Int)
    /// EXTENDED COPY answers GOOD without copying anything (seen on real targets).
    case goodWithoutCopy
    /// WRITE USING TOKEN copies at most `blocks` blocks and reports a partial transfer count.
    case wutPartial(blocks: UInt64)
    /// Every existing token expires now (WUT then gets 23/04 or 23/07 as the profile says).
    case expireTokens
    /// Every existing token is revoked (23/06).
    case revokeTokens
    /// Copies and writes fail as if the pool were full: 27/07 (thin) or 55/xx.
    case outOfSpace(asc: AdditionalSense)
    /// The next `count` commands answer BUSY.
    case busy(count: Int)
    /// The next `count` commands answer TASK SET FULL.
    case taskSetFull(count: Int)
    /// The connection drops while the next command of this opcode is in flight (front end).
    case dropConnection(opcode: UInt8?)
    /// Every completion is held back by `milliseconds`.
    case delay(milliseconds: Int)

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var spec: String
        public var reason: String
        public var description: String { "fault '\(spec)': \(reason)" }
    }

    public static let kinds = ["xcopy-fail-segment:n=N", "good-without-copy", "wut-partial:blocks=N", "expire-tokens",
                               "revoke-tokens", "out-of-space[:asc=27/07|55/03|55/0C|55/0D]", "busy[:count=N]",
                               "task-set-full[:count=N]", "drop-connection[:opcode=0xNN]", "delay:ms=N"]

    public init(parsing spec: String) throws {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let kind = parts.first, !kind.isEmpty else { throw ParseError(spec: spec, reason: "empty") }
        var options: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                    throw ParseError(spec: spec, reason: "expected key=value, got '\(pair)'")
                }
                guard options[kv[0]] == nil else { throw ParseError(spec: spec, reason: "'\(kv[0])' given twice") }
                options[kv[0]] = kv[1]
            }
        }
        func take(_ allowed: Set<String>) throws {
            if let extra = options.keys.first(where: { !allowed.contains($0) }) {
                throw ParseError(spec: spec, reason: "unknown option '\(extra)' for \(kind)")
            }
        }
        func positive(_ key: String, default value: Int? = nil) throws -> Int {
            guard let text = options[key] else {
                if let value { return value }
                throw ParseError(spec: spec, reason: "\(kind) needs \(key)=N")
            }
            guard let n = Int(text), n > 0 else { throw ParseError(spec: spec, reason: "\(key) must be a positive number, not '\(text)'") }
            return n
        }
        switch kind {
        case "xcopy-fail-segment":
            try take(["n"]); self = .xcopyFailSegment(n: try positive("n"))
        case "good-without-copy":
            try take([]); self = .goodWithoutCopy
        case "wut-partial":
            try take(["blocks"]); self = .wutPartial(blocks: UInt64(try positive("blocks")))
        case "expire-tokens":
            try take([]); self = .expireTokens
        case "revoke-tokens":
            try take([]); self = .revokeTokens
        case "out-of-space":
            try take(["asc"])
            let table: [String: AdditionalSense] = ["27/07": .spaceAllocationFailedWriteProtect, "55/03": .insufficientResources,
                                                    "55/0C": .insufficientResourcesToCreateROD, "55/0D": .insufficientResourcesToCreateRODToken]
            let code = options["asc"]?.uppercased() ?? "27/07"
            guard let asc = table[code] else { throw ParseError(spec: spec, reason: "asc must be one of \(table.keys.sorted().joined(separator: ", "))") }
            self = .outOfSpace(asc: asc)
        case "busy":
            try take(["count"]); self = .busy(count: try positive("count", default: 1))
        case "task-set-full":
            try take(["count"]); self = .taskSetFull(count: try positive("count", default: 1))
        case "drop-connection":
            try take(["opcode"])
            if let text = options["opcode"] {
                let hex = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
                guard let op = UInt8(hex, radix: 16) else { throw ParseError(spec: spec, reason: "opcode must be hex, like 0x83") }
                self = .dropConnection(opcode: op)
            } else {
                self = .dropConnection(opcode: nil)
            }
        case "delay":
            try take(["ms"]); self = .delay(milliseconds: try positive("ms"))
        default:
            throw ParseError(spec: spec, reason: "unknown fault; known: \(Self.kinds.joined(separator: ", "))")
        }
    }

    public var description: String {
        switch self {
        case let .xcopyFailSegment(n): return "xcopy-fail-segment:n=\(n)"
        case .goodWithoutCopy: return "good-without-copy"
        case let .wutPartial(blocks): return "wut-partial:blocks=\(blocks)"
        case .expireTokens: return "expire-tokens"
        case .revokeTokens: return "revoke-tokens"
        case let .outOfSpace(asc): return "out-of-space:asc=\(hexString([asc.code]).uppercased())/\(hexString([asc.qualifier]).uppercased())"
        case let .busy(count): return "busy:count=\(count)"
        case let .taskSetFull(count): return "task-set-full:count=\(count)"
        case let .dropConnection(op): return "drop-connection" + (op.map { ":opcode=\(hexByte($0))" } ?? "")
        case let .delay(ms): return "delay:ms=\(ms)"
        }
    }
}
