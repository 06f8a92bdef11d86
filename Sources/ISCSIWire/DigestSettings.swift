/// A digest algorithm as named in the HeaderDigest/DataDigest keys (RFC 7143 13.1).
public enum ISCSIDigest: String, Equatable, Hashable, Sendable, CaseIterable {
    case none = "None"
    case crc32c = "CRC32C"

    /// Bytes the digest adds on the wire.
    public var length: Int { self == .none ? 0 : 4 }
}

/// The digests in force on one connection. Both stay `.none` through login; the negotiated
/// values apply from the first PDU after the final Login Response (RFC 7143 13.1).
public struct DigestSettings: Equatable, Hashable, Sendable {
    public var header: ISCSIDigest
    public var data: ISCSIDigest

    public init(header: ISCSIDigest = .none, data: ISCSIDigest = .none) {
        self.header = header
        self.data = data
    }

    public static let none = DigestSettings()
    public static let crc32c = DigestSettings(header: .crc32c, data: .crc32c)
}
