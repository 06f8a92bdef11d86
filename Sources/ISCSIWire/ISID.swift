/// The initiator part of the session identifier (RFC 7143 11.12.5): six bytes, T(2 bits) A B C
/// D. Together with the InitiatorName it names a session, hence Hashable.
public struct ISID: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The 48-bit value, bytes in network order.
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    public init(bytes: [UInt8]) throws {
        try bytes.requireRange(0, 6, "ISID")
        var v: UInt64 = 0
        for b in bytes[0..<6] { v = v << 8 | UInt64(b) }
        rawValue = v
    }

    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(8 * (5 - $0))) } }

    /// The T field: 0 OUI, 1 IANA enterprise number, 2 random (what libiscsi uses), 3 reserved.
    public var format: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 46) }

    public var description: String { "0x" + hexDigits(rawValue, width: 12) }
}
