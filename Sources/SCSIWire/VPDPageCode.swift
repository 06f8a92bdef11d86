/// Vital product data page codes this project reads or serves.
public struct VPDPageCode: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let supportedPages = VPDPageCode(rawValue: 0x00)
    public static let unitSerialNumber = VPDPageCode(rawValue: 0x80)
    public static let deviceIdentification = VPDPageCode(rawValue: 0x83)
    public static let extendedInquiry = VPDPageCode(rawValue: 0x86)
    public static let thirdPartyCopy = VPDPageCode(rawValue: 0x8F)
    public static let blockLimits = VPDPageCode(rawValue: 0xB0)
    public static let blockDeviceCharacteristics = VPDPageCode(rawValue: 0xB1)
    public static let logicalBlockProvisioning = VPDPageCode(rawValue: 0xB2)
    public static let referrals = VPDPageCode(rawValue: 0xB3)

    public var description: String {
        switch rawValue {
        case 0x00: return "Supported VPD pages"
        case 0x80: return "Unit serial number"
        case 0x83: return "Device identification"
        case 0x86: return "Extended INQUIRY data"
        case 0x8F: return "Third-party copy"
        case 0xB0: return "Block limits"
        case 0xB1: return "Block device characteristics"
        case 0xB2: return "Logical block provisioning"
        case 0xB3: return "Referrals"
        default: return "VPD page \(hexByte(rawValue))"
        }
    }
}

/// The 4-byte header every VPD page starts with; 0x83 and 0x8F use a 2-byte page length.
public struct VPDPageHeader: Equatable, Sendable {
    public var peripheralQualifier: UInt8
    public var peripheralDeviceType: UInt8
    public var pageCode: VPDPageCode
    public var pageLength: Int

    public init(parsing b: [UInt8]) throws {
        try b.checkRange(0, 4, "VPD page header")
        peripheralQualifier = b[0] >> 5
        peripheralDeviceType = b[0] & 0x1F
        pageCode = VPDPageCode(rawValue: b[1])
        pageLength = Int(UInt16(b[2]) << 8 | UInt16(b[3]))
    }

    /// Body bytes after the header, clipped to the data actually returned: a target that
    /// declares more than it sent gets its page read as far as it goes.
    static func body(of b: [UInt8], expecting code: VPDPageCode) throws -> (VPDPageHeader, [UInt8]) {
        let header = try VPDPageHeader(parsing: b)
        guard header.pageCode == code else {
            throw WireError.invalidField(what: "\(code) page", detail: "page code is \(hexByte(header.pageCode.rawValue)), expected \(hexByte(code.rawValue))")
        }
        return (header, b.clipped(from: 4, count: header.pageLength))
    }

    /// A page's bytes: header then body.
    static func encode(_ code: VPDPageCode, deviceType: UInt8 = 0, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [deviceType & 0x1F, code.rawValue, 0, 0]
        out.setBE16(UInt16(truncatingIfNeeded: body.count), at: 2)
        return out + body
    }
}
