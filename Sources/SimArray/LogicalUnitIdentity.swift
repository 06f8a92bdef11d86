import Foundation
import SCSIWire

/// Who a LU is: its NAA, EUI-64, T10 vendor ID and unit serial, and which of them VPD 0x83
/// shows. Generated once, persisted as JSON in the state directory, and never changed by a
/// restart, so initiators (multipath, ESXi, the copy engines) keep recognising the LU.
public struct LogicalUnitIdentity: Codable, Hashable, Sendable {
    /// NAA IEEE Registered Extended designator (NAA 6), 16 bytes: NAA nibble, 24-bit IEEE
    /// company ID, 100 bits chosen at random.
    public var naa: [UInt8]
    /// EUI-64, 8 bytes: 24-bit IEEE company ID, 40 random bits.
    public var eui64: [UInt8]
    /// The T10 VENDOR IDENTIFICATION of the T10 designator (up to 8 characters).
    public var t10VendorID: String
    /// VPD 0x80 and the vendor-specific part of the T10 designator.
    public var unitSerial: String
    /// What VPD 0x83 shows, in order (malformed entries always go last).
    public var exposedDesignators: [DesignatorExposure]

    /// A locally administered value (X bit set, CID space), not any real vendor's OUI; profiles
    /// that imitate an array set its company ID (e.g. TrueNAS 0x589CFC).
    public static let defaultCompanyID: UInt32 = 0x0A_5349
    public static let defaultT10VendorID = "OFFLOAD"
    public static let defaultExposure: [DesignatorExposure] = [.naa, .eui64, .t10VendorID]

    public init(naa: [UInt8], eui64: [UInt8], t10VendorID: String, unitSerial: String,
                exposedDesignators: [DesignatorExposure] = LogicalUnitIdentity.defaultExposure) {
        self.naa = naa
        self.eui64 = eui64
        self.t10VendorID = t10VendorID
        self.unitSerial = unitSerial
        self.exposedDesignators = exposedDesignators
    }

    /// A fresh identity: NAA 6 and EUI-64 under `companyID` (24 bits) with random
    /// vendor-specific parts; the serial is the hex of the NAA's last 8 bytes.
    public static func generate<R: RandomNumberGenerator>(
        companyID: UInt32 = defaultCompanyID, t10VendorID: String = defaultT10VendorID,
        exposing: [DesignatorExposure] = defaultExposure, using rng: inout R
    ) -> LogicalUnitIdentity {
        let cid = companyID & 0xFF_FFFF
        // 4 + 24 + 100 bits: the company ID straddles nibbles, so build it as two 64-bit halves.
        let vendorHigh = rng.next() & 0xF_FFFF_FFFF      // 36 bits: VENDOR SPECIFIC IDENTIFIER
        let vendorLow = rng.next()                       // 64 bits: ... EXTENSION
        var naa = [UInt8](repeating: 0, count: 16)
        let high = UInt64(0x6) << 60 | UInt64(cid) << 36 | vendorHigh
        naa.setBE64(high, at: 0)
        naa.setBE64(vendorLow, at: 8)
        var eui = [UInt8](repeating: 0, count: 8)
        eui.setBE64(UInt64(cid) << 40 | (rng.next() & 0xFF_FFFF_FFFF), at: 0)
        let serial = hexString(Array(naa[8..<16])).uppercased()
        return LogicalUnitIdentity(naa: naa, eui64: eui, t10VendorID: t10VendorID, unitSerial: serial,
                                   exposedDesignators: exposing)
    }

    public static func generate(companyID: UInt32 = defaultCompanyID, t10VendorID: String = defaultT10VendorID,
                                exposing: [DesignatorExposure] = defaultExposure) -> LogicalUnitIdentity {
        var rng = SystemRandomNumberGenerator()
        return generate(companyID: companyID, t10VendorID: t10VendorID, exposing: exposing, using: &rng)
    }

    /// The IEEE company ID inside the NAA designator.
    public var companyID: UInt32 {
        guard naa.count >= 4 else { return 0 }
        return (UInt32(naa[0] & 0x0F) << 20) | UInt32(naa[1]) << 12 | UInt32(naa[2]) << 4 | UInt32(naa[3] >> 4)
    }

    // MARK: - Designators

    public var naaDesignator: Designator {
        Designator(codeSet: .binary, association: .logicalUnit, type: .naa, value: naa)
    }

    public var eui64Designator: Designator {
        Designator(codeSet: .binary, association: .logicalUnit, type: .eui64, value: eui64)
    }

    /// T10 VENDOR IDENTIFICATION (8 bytes, space padded) then the unit serial.
    public var t10Designator: Designator {
        let vendor = Array(t10VendorID.utf8.prefix(8))
        let value = vendor + [UInt8](repeating: 0x20, count: 8 - vendor.count) + Array(unitSerial.utf8)
        return Designator(codeSet: .ascii, association: .logicalUnit, type: .t10VendorID, value: Array(value.prefix(255)))
    }

    /// Every designator this identity has, exposed or not.
    public var allDesignators: [Designator] { [naaDesignator, eui64Designator, t10Designator] }

    /// The well-formed designators VPD 0x83 shows, in the configured order.
    public var designators: [Designator] {
        exposedDesignators.compactMap { designator(for: $0) }
    }

    /// Bytes VPD 0x83 carries after the well-formed designators: truncated and verbatim entries.
    public var malformedDesignatorBytes: [UInt8] {
        exposedDesignators.flatMap { exposure -> [UInt8] in
            switch exposure {
            case .naa, .eui64, .t10VendorID:
                return []
            case let .truncated(inner, keptBytes):
                guard let d = designator(for: inner) else { return [] }
                let full = d.encoded()
                return Array(full.prefix(4 + Swift.max(0, Swift.min(keptBytes, d.value.count))))
            case let .verbatim(bytes):
                return bytes
            }
        }
    }

    private func designator(for exposure: DesignatorExposure) -> Designator? {
        switch exposure {
        case .naa: return naaDesignator
        case .eui64: return eui64Designator
        case .t10VendorID: return t10Designator
        case .truncated, .verbatim: return nil
        }
    }

    /// Whether `designator` names this LU: same type, code set and value (protocol identifier,
    /// PIV and association are ignored, as a CSCD clears them). Only exposed designators count:
    /// an initiator can only know what VPD 0x83 showed it.
    public func matches(_ designator: Designator) -> Bool {
        designators.contains { $0.type == designator.type && $0.codeSet == designator.codeSet && $0.value == designator.value }
    }

    // MARK: - Codable (hex for the binary designators, so the state file is readable)

    enum CodingKeys: String, CodingKey { case naa, eui64, t10VendorID, unitSerial, exposedDesignators }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        naa = try Self.bytes(fromHex: c.decode(String.self, forKey: .naa), key: .naa, in: c, count: 16)
        eui64 = try Self.bytes(fromHex: c.decode(String.self, forKey: .eui64), key: .eui64, in: c, count: 8)
        t10VendorID = try c.decode(String.self, forKey: .t10VendorID)
        unitSerial = try c.decode(String.self, forKey: .unitSerial)
        exposedDesignators = try c.decodeIfPresent([DesignatorExposure].self, forKey: .exposedDesignators) ?? Self.defaultExposure
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hexString(naa), forKey: .naa)
        try c.encode(hexString(eui64), forKey: .eui64)
        try c.encode(t10VendorID, forKey: .t10VendorID)
        try c.encode(unitSerial, forKey: .unitSerial)
        try c.encode(exposedDesignators, forKey: .exposedDesignators)
    }

    private static func bytes(fromHex text: String, key: CodingKeys, in c: KeyedDecodingContainer<CodingKeys>,
                              count: Int) throws -> [UInt8] {
        let digits = Array(text.utf8)
        func nibble(_ d: UInt8) -> UInt8? {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return d - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return d - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        guard digits.count == 2 * count else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected \(2 * count) hex digits, got \(digits.count)")
        }
        var out = [UInt8]()
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let h = nibble(digits[i]), let l = nibble(digits[i + 1]) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not hex")
            }
            out.append(h << 4 | l)
        }
        return out
    }
}
