/// Why a byte image could not be read or built. Parsers throw this instead of trapping, so a
/// hostile or truncated page from a target becomes one clear error line, never a crash.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ends before a field the format requires.
    case truncated(what: String, needed: Int, available: Int)
    /// A field holds a value the format forbids.
    case invalidField(what: String, detail: String)
    /// A value does not fit the field that must carry it (building, not parsing).
    case valueOutOfRange(what: String, value: UInt64, maximum: UInt64)

    public var description: String {
        switch self {
        case let .truncated(what, needed, available):
            return "\(what): truncated (needs \(needed) bytes, has \(available))"
        case let .invalidField(what, detail):
            return "\(what): \(detail)"
        case let .valueOutOfRange(what, value, maximum):
            return "\(what): \(value) does not fit (maximum \(maximum))"
        }
    }
}
