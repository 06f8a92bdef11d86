/// Big-endian field access on byte arrays. SCSI is big-endian throughout; every reader here is
/// bounds-checked and throws `WireError.truncated` rather than trapping on short data.
extension Array where Element == UInt8 {
    @inlinable
    func checkRange(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, count >= 0, offset + count <= self.count else {
            throw WireError.truncated(what: what(), needed: offset + count, available: self.count)
        }
    }

    /// Reads one byte at `offset`.
    public func u8(at offset: Int, _ what: @autoclosure () -> String = "field") throws -> UInt8 {
        try checkRange(offset, 1, what())
        return self[offset]
    }

    public func be16(at offset: Int, _ what: @autoclosure () -> String = "field") throws -> UInt16 {
        try checkRange(offset, 2, what())
        return UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    public func be24(at offset: Int, _ what: @autoclosure () -> String = "field") throws -> UInt32 {
        try checkRange(offset, 3, what())
        return UInt32(self[offset]) << 16 | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2])
    }

    public func be32(at offset: Int, _ what: @autoclosure () -> String = "field") throws -> UInt32 {
        try checkRange(offset, 4, what())
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(self[offset + i]) }
        return v
    }

    public func be64(at offset: Int, _ what: @autoclosure () -> String = "field") throws -> UInt64 {
        try checkRange(offset, 8, what())
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(self[offset + i]) }
        return v
    }

    /// A copy of `count` bytes starting at `offset`.
    public func bytes(at offset: Int, count: Int, _ what: @autoclosure () -> String = "field") throws -> [UInt8] {
        try checkRange(offset, count, what())
        return Array(self[offset..<(offset + count)])
    }

    /// The bytes from `offset` to at most `offset + count`, clipped to what exists: for lists
    /// whose declared length may run past the data a target actually returned.
    public func clipped(from offset: Int, count: Int) -> [UInt8] {
        guard offset < self.count, count > 0 else { return [] }
        return Array(self[offset..<Swift.min(self.count, offset + count)])
    }

    public mutating func setBE16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    public mutating func setBE24(_ value: UInt32, at offset: Int) {
        for i in 0..<3 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * (2 - i))) }
    }

    public mutating func setBE32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * (3 - i))) }
    }

    public mutating func setBE64(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * (7 - i))) }
    }

    public mutating func setBytes(_ bytes: [UInt8], at offset: Int) {
        self.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }
}

/// Trimmed ASCII text of a fixed-width SCSI string field (vendor, product, serial): trailing
/// spaces and NULs removed, non-printable bytes shown as '.' so a hostile page cannot inject
/// control characters into a report.
public func scsiASCII(_ bytes: [UInt8]) -> String {
    var end = bytes.count
    while end > 0, bytes[end - 1] == 0x20 || bytes[end - 1] == 0 { end -= 1 }
    var start = 0
    while start < end, bytes[start] == 0x20 { start += 1 }
    return String(decoding: bytes[start..<end].map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
}

/// Hex of bytes without separators, lower case ("60014056...").
public func hexString(_ bytes: [UInt8]) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    var s = ""
    s.reserveCapacity(bytes.count * 2)
    for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 0x0F)]) }
    return s
}

/// "0x1A" style text for one byte, as SCSI documents name codes.
public func hexByte(_ b: UInt8) -> String { "0x" + hexString([b]).uppercased() }
