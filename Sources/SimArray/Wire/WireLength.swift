import SCSIWire

extension Array where Element == UInt8 {
    /// Throws `WireError.truncated` unless at least `needed` bytes are present (SCSIWire's own
    /// range check is internal to that module).
    func requireLength(_ needed: Int, _ what: @autoclosure () -> String) throws {
        guard count >= needed else { throw WireError.truncated(what: what(), needed: needed, available: count) }
    }
}

/// Encodes a VPD page: 4-byte header (device type, page code, 2-byte PAGE LENGTH) and body.
/// Mirrors SCSIWire's internal `VPDPageHeader.encode` for the pages kept here for now.
func encodeVPDPage(_ code: VPDPageCode, deviceType: UInt8 = 0, body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [deviceType & 0x1F, code.rawValue, 0, 0]
    out.setBE16(UInt16(truncatingIfNeeded: body.count), at: 2)
    return out + body
}
