/// ROD TYPE (SPC-4 table "ROD type codes"): what kind of Representation Of Data a token stands
/// for. It decides the copy's semantics: point-in-time tokens freeze the source, access-upon-
/// reference tokens (what FreeBSD CTL creates) read the source only when the token is used.
public struct RODType: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Type chosen by the copy manager (POPULATE TOKEN with RTV=0 asks for this).
    public static let copyManagerInternal = RODType(rawValue: 0x0000_0000)
    public static let accessUponReference = RODType(rawValue: 0x0001_0000)
    public static let pointInTimeDefault = RODType(rawValue: 0x0080_0000)
    public static let pointInTimeChangeVulnerable = RODType(rawValue: 0x0080_0001)
    public static let pointInTimePersistent = RODType(rawValue: 0x0080_0002)
    /// spc5r20.
    public static let pointInTimeCopyOnWrite = RODType(rawValue: 0x0080_0003)
    public static let pointInTimeAny = RODType(rawValue: 0x0080_FFFF)
    /// The well-known token: WRITE USING TOKEN with it writes zeros (no POPULATE TOKEN needed).
    public static let blockDeviceZero = RODType(rawValue: 0xFFFF_0001)

    /// 0x00800000...0x0080FFFF: the point-in-time family (the source is frozen at PT time).
    public var isPointInTime: Bool { (0x0080_0000...0x0080_FFFF).contains(rawValue) }

    /// Source data is read when the token is used, so writes between PT and WUT show up.
    public var isAccessUponReference: Bool { self == .accessUponReference }

    /// 0xFFFFFFF0 and above.
    public var isVendorSpecific: Bool { rawValue >= 0xFFFF_FFF0 }

    public var description: String {
        switch self {
        case .copyManagerInternal: return "copy manager internal"
        case .accessUponReference: return "access upon reference"
        case .pointInTimeDefault: return "point in time, default"
        case .pointInTimeChangeVulnerable: return "point in time, change vulnerable"
        case .pointInTimePersistent: return "point in time, persistent"
        case .pointInTimeCopyOnWrite: return "point in time, copy on write"
        case .pointInTimeAny: return "point in time, any"
        case .blockDeviceZero: return "block device zero ROD"
        default:
            let hex = "0x" + hexString([UInt8(rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
                                        UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)]).uppercased()
            if isVendorSpecific { return "vendor specific ROD type \(hex)" }
            if isPointInTime { return "point in time (reserved) \(hex)" }
            return "ROD type \(hex)"
        }
    }
}
