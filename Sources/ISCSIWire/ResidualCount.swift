/// A residual as the O/U flag pair plus Residual Count express it (RFC 7143 11.4.5): the flags
/// are mutually exclusive, and without either the count is meaningless, so one enum holds both.
public enum ResidualCount: Equatable, Hashable, Sendable {
    case none
    /// The initiator expected fewer bytes than the command wanted to move (O).
    case overflow(UInt32)
    /// Fewer bytes moved than expected (U).
    case underflow(UInt32)

    /// The count field's value (0 for `.none`).
    public var count: UInt32 {
        switch self {
        case .none: return 0
        case let .overflow(n), let .underflow(n): return n
        }
    }

    /// Builds from the two flags; both set is a protocol error.
    static func parse(overflow: Bool, underflow: Bool, count: UInt32, _ what: String) throws -> ResidualCount {
        switch (overflow, underflow) {
        case (true, true): throw ISCSIWireError.invalidField(what: what, detail: "overflow and underflow both set")
        case (true, false): return .overflow(count)
        case (false, true): return .underflow(count)
        case (false, false): return .none
        }
    }

    var isOverflow: Bool { if case .overflow = self { return true } else { return false } }
    var isUnderflow: Bool { if case .underflow = self { return true } else { return false } }
}
