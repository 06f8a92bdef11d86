/// One designation descriptor of VPD page 0x83 (SPC-4 7.8.6). Kept verbatim so an EXTENDED
/// COPY CSCD can carry the designator exactly as the target reported it.
public struct Designator: Equatable, Hashable, Sendable {
    public var protocolIdentifier: UInt8
    public var codeSet: CodeSet
    /// Protocol identifier valid (byte 1 bit 7).
    public var piv: Bool
    public var association: Association
    public var type: DesignatorType
    /// The designator bytes, exactly as on the wire (no padding added or removed).
    public var value: [UInt8]

    public init(protocolIdentifier: UInt8 = 0, codeSet: CodeSet, piv: Bool = false,
                association: Association, type: DesignatorType, value: [UInt8]) {
        self.protocolIdentifier = protocolIdentifier
        self.codeSet = codeSet
        self.piv = piv
        self.association = association
        self.type = type
        self.value = value
    }

    /// Byte 0 bits 3-0.
    public struct CodeSet: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }
        public static let binary = CodeSet(rawValue: 1)
        public static let ascii = CodeSet(rawValue: 2)
        public static let utf8 = CodeSet(rawValue: 3)
        public var description: String {
            switch rawValue {
            case 1: return "binary"
            case 2: return "ASCII"
            case 3: return "UTF-8"
            default: return "code set \(rawValue)"
            }
        }
    }

    /// Byte 1 bits 5-4: what the designator names.
    public enum Association: UInt8, Equatable, Hashable, Sendable, CustomStringConvertible {
        case logicalUnit = 0, targetPort = 1, targetDevice = 2, reserved = 3
        public var description: String {
            switch self {
            case .logicalUnit: return "logical unit"
            case .targetPort: return "target port"
            case .targetDevice: return "target device"
            case .reserved: return "reserved association"
            }
        }
    }

    /// Byte 1 bits 3-0.
    public struct DesignatorType: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }
        public static let vendorSpecific = DesignatorType(rawValue: 0)
        public static let t10VendorID = DesignatorType(rawValue: 1)
        public static let eui64 = DesignatorType(rawValue: 2)
        public static let naa = DesignatorType(rawValue: 3)
        public static let relativeTargetPort = DesignatorType(rawValue: 4)
        public static let targetPortGroup = DesignatorType(rawValue: 5)
        public static let logicalUnitGroup = DesignatorType(rawValue: 6)
        public static let md5LogicalUnit = DesignatorType(rawValue: 7)
        public static let scsiNameString = DesignatorType(rawValue: 8)
        public static let protocolSpecificPort = DesignatorType(rawValue: 9)
        public static let uuid = DesignatorType(rawValue: 0xA)
        public var description: String {
            switch rawValue {
            case 0: return "vendor specific"
            case 1: return "T10 vendor ID"
            case 2: return "EUI-64"
            case 3: return "NAA"
            case 4: return "relative target port"
            case 5: return "target port group"
            case 6: return "logical unit group"
            case 7: return "MD5 logical unit"
            case 8: return "SCSI name string"
            case 9: return "protocol specific port"
            case 0xA: return "UUID"
            default: return "reserved type \(rawValue)"
            }
        }
    }

    /// The NAA field (high nibble of the first byte) for NAA designators: 2, 3, 5 or 6.
    public var naaType: UInt8? {
        guard type == .naa, let first = value.first else { return nil }
        return first >> 4
    }

    /// Human form of the value: hex for binary designators, text for ASCII/UTF-8 ones.
    public var valueText: String {
        switch codeSet {
        case .ascii, .utf8: return scsiASCII(value)
        default: return hexString(value)
        }
    }

    /// The 4-byte header plus value, as it stands in VPD 0x83.
    public func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 4)
        out[0] = (protocolIdentifier & 0x0F) << 4 | codeSet.rawValue
        out[1] = (piv ? 0x80 : 0) | association.rawValue << 4 | type.rawValue
        out[3] = UInt8(truncatingIfNeeded: value.count)
        return out + value
    }
}
