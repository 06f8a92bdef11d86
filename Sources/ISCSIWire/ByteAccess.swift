/// Bounds-checked big-endian access on byte arrays. iSCSI headers are big-endian; only the
/// CRC32C digests are sent least significant byte first (see `CRC32C`). Readers throw
/// `ISCSIWireError.truncated` instead of trapping.
extension Array where Element == UInt8 {
    func requireRange(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, count >= 0, offset <= self.count, count <= self.count - offset else {
            throw ISCSIWireError.truncated(what: what(), needed: offset &+ count, available: self.count)
        }
    }

    func readBE16(at offset: Int, _ what: @autoclosure () -> String) throws -> UInt16 {
        try requireRange(offset, 2, what())
        return UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    func readBE32(at offset: Int, _ what: @autoclosure () -> String) throws -> UInt32 {
        try requireRange(offset, 4, what())
        return beUInt32(at: offset)
    }

    /// Caller has checked the range.
    func beUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    /// Caller has checked the range.
    func leUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    mutating func appendBE16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v >> 8)); append(UInt8(truncatingIfNeeded: v))
    }

    mutating func appendBE32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    mutating func appendLE32(_ v: UInt32) {
        for shift in stride(from: 0, through: 24, by: 8) { append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    /// Zero bytes up to the next multiple of 4 (iSCSI pads AHS and data segments so).
    mutating func padToWord() {
        while count % 4 != 0 { append(0) }
    }
}

/// `n` rounded up to a multiple of 4.
@inline(__always)
func wordAligned(_ n: Int) -> Int { (n + 3) & ~3 }
