/// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected, initial value and final XOR
/// 0xFFFFFFFF): the iSCSI header and data digest (RFC 7143 13.1, RFC 3385).
///
/// iSCSI sends the digest least significant byte first: 32 zero bytes give the value
/// 0x8A9136AA, which goes on the wire as `aa 36 91 8a` (RFC 3720 B.4). `value` is the
/// number; `digestBytes` the wire order.
public struct CRC32C: Equatable, Sendable {
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Feeds more bytes (so data and padding can be digested without concatenating them).
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    /// Slicing-by-8: eight table look-ups per 8 input bytes.
    public mutating func update(_ buffer: UnsafeBufferPointer<UInt8>) {
        let t = Self.tables
        var crc = state
        var i = 0
        let n = buffer.count
        while n - i >= 8 {
            let lo = crc ^ (UInt32(buffer[i]) | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2]) << 16 | UInt32(buffer[i + 3]) << 24)
            crc = t[7][Int(lo & 0xFF)] ^ t[6][Int((lo >> 8) & 0xFF)] ^ t[5][Int((lo >> 16) & 0xFF)] ^ t[4][Int(lo >> 24)]
                ^ t[3][Int(buffer[i + 4])] ^ t[2][Int(buffer[i + 5])] ^ t[1][Int(buffer[i + 6])] ^ t[0][Int(buffer[i + 7])]
            i += 8
        }
        while i < n {
            crc = t[0][Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        state = crc
    }

    /// The CRC of everything fed so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The digest as it goes on the wire (least significant byte first).
    public var digestBytes: [UInt8] {
        var b: [UInt8] = []
        b.appendLE32(value)
        return b
    }

    /// CRC32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32C()
        c.update(bytes)
        return c.value
    }

    /// Reads a digest from its wire order.
    public static func digestValue(wireBytes b: [UInt8]) throws -> UInt32 {
        try b.requireRange(0, 4, "CRC32C digest")
        return b.leUInt32(at: 0)
    }

    /// Table 0 is the classic byte table for the reflected polynomial 0x82F63B78; table k
    /// advances table k-1 by one more zero byte.
    private static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[0][n] = c
        }
        for n in 0..<256 {
            for k in 1..<8 { t[k][n] = (t[k - 1][n] >> 8) ^ t[0][Int(t[k - 1][n] & 0xFF)] }
        }
        return t
    }()
}
