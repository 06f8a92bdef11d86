/// REPORT LUNS parameter data (SPC-4 6.33): the LUN inventory a session can reach.
public struct ReportLunsData: Equatable, Sendable {
    /// The 8-byte LUN fields as sent.
    public var lunFields: [UInt64]
    public init(lunFields: [UInt64]) { self.lunFields = lunFields }

    /// Reads as many entries as both LUN LIST LENGTH and the data allow.
    public init(parsing b: [UInt8]) throws {
        let listLength = Int(try b.be32(at: 0, "REPORT LUNS list length"))
        try b.checkRange(4, 4, "REPORT LUNS header")
        let available = Swift.min(listLength, b.count - 8) / 8
        lunFields = try (0..<available).map { try b.be64(at: 8 + 8 * $0) }
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8 + 8 * lunFields.count)
        b.setBE32(UInt32(truncatingIfNeeded: 8 * lunFields.count), at: 0)
        for (i, f) in lunFields.enumerated() { b.setBE64(f, at: 8 + 8 * i) }
        return b
    }

    /// LUN numbers for peripheral (00b, bus 0) and flat (01b) addressing; other methods are
    /// left out because no initiator here can address them.
    public var lunNumbers: [UInt64] { lunFields.compactMap(Self.lunNumber(fromField:)) }

    public static func lunNumber(fromField f: UInt64) -> UInt64? {
        let b0 = UInt8(f >> 56), b1 = UInt8((f >> 48) & 0xFF)
        guard f & 0x0000_FFFF_FFFF_FFFF == 0 else { return nil }
        switch b0 >> 6 {
        case 0: return b0 & 0x3F == 0 ? UInt64(b1) : nil
        case 1: return UInt64(b0 & 0x3F) << 8 | UInt64(b1)
        default: return nil
        }
    }

    /// The field for LUN `n`: peripheral addressing below 256, flat up to 16383 (what Linux
    /// does). Larger numbers need addressing methods nobody here speaks: an error, never a
    /// silently different LUN.
    public static func field(forLUN n: UInt64) throws -> UInt64 {
        guard n <= 0x3FFF else { throw WireError.valueOutOfRange(what: "LUN (flat addressing)", value: n, maximum: 0x3FFF) }
        return n < 256 ? n << 48 : (0x4000 | n) << 48
    }
}
