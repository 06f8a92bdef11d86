/// One entry of the designator list a LU shows in VPD 0x83. A profile picks the list: NAA only
/// (what LIO needs), EUI-64 only (the 2016 SCST LU), T10 only, all of them, or a malformed
/// descriptor copied from a real array.
public indirect enum DesignatorExposure: Codable, Hashable, Sendable {
    /// NAA IEEE Registered Extended (type 6), 16 bytes, binary.
    case naa
    /// EUI-64, 8 bytes, binary.
    case eui64
    /// T10 vendor ID: the 8-character vendor, then the unit serial, ASCII.
    case t10VendorID
    /// The named designator whose header promises its full length but of which only
    /// `keptBytes` follow: the page ends there (SCST/JovianDSS: "says it is 8 bytes, but given
    /// 4 bytes"). Emitted after every well-formed designator.
    case truncated(DesignatorExposure, keptBytes: Int)
    /// Bytes appended verbatim after the well-formed designators (e.g. a pre-T10 EMC layout).
    case verbatim([UInt8])

    /// Whether this entry yields a well-formed designation descriptor.
    public var isWellFormed: Bool {
        switch self {
        case .naa, .eui64, .t10VendorID: return true
        case .truncated, .verbatim: return false
        }
    }
}
