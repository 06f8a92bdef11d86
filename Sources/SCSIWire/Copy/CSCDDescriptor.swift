/// One CSCD (copy source or copy destination) descriptor of an EXTENDED COPY parameter list
/// (SPC-4 6.4.5). Only the 0xE4 identification descriptor is decoded: it is the one every
/// copy manager of interest implements. Other type codes are kept verbatim, so a target can
/// answer 26/07 (UNSUPPORTED TARGET DESCRIPTOR TYPE CODE) instead of failing to parse.
public enum CSCDDescriptor: Equatable, Sendable {
    case identification(IdentificationCSCD)
    /// Any other type code, with the descriptor's bytes exactly as received.
    case unsupported(typeCode: UInt8, bytes: [UInt8])

    /// Segment descriptors may name these instead of an index into the CSCD list (which stops
    /// at 0x07FF). LIO rejects them all; FreeBSD CTL accepts `copyManagerLogicalUnit`.
    public static let maximumListIndex: UInt16 = 0x07FF
    public static let nullLogicalUnitBlock: UInt16 = 0xC000
    public static let nullLogicalUnitStream: UInt16 = 0xC001
    public static let inRODToken: UInt16 = 0xF800
    /// The logical unit that received the EXTENDED COPY command.
    public static let copyManagerLogicalUnit: UInt16 = 0xFFFF

    public var typeCode: UInt8 {
        switch self {
        case .identification: return IdentificationCSCD.typeCode
        case let .unsupported(typeCode, _): return typeCode
        }
    }

    /// Size of a CSCD descriptor with this type code: 64 bytes for IPv6 (0xEA), IP copy service
    /// (0xEB) and ROD (0xFE) descriptors, 32 for all others. CSCDs carry no length field, so the
    /// list can only be walked by type code.
    public static func length(ofTypeCode code: UInt8) -> Int {
        switch code {
        case 0xEA, 0xEB, 0xFE: return 64
        default: return 32
        }
    }

    /// Reads the descriptor at the start of `bytes` (further bytes are ignored).
    public init(parsing bytes: [UInt8]) throws {
        let code = try bytes.u8(at: 0, "CSCD descriptor type code")
        let length = CSCDDescriptor.length(ofTypeCode: code)
        let body = try bytes.bytes(at: 0, count: length, "CSCD descriptor (type \(hexByte(code)))")
        if code == IdentificationCSCD.typeCode {
            self = .identification(try IdentificationCSCD(parsing: body))
        } else {
            self = .unsupported(typeCode: code, bytes: body)
        }
    }

    public func encoded() throws -> [UInt8] {
        switch self {
        case let .identification(cscd):
            return try cscd.encoded()
        case let .unsupported(code, bytes):
            guard bytes.count == CSCDDescriptor.length(ofTypeCode: code), bytes.first == code else {
                throw WireError.invalidField(what: "CSCD descriptor (type \(hexByte(code)))",
                                             detail: "raw bytes must be \(CSCDDescriptor.length(ofTypeCode: code)) long and start with the type code")
            }
            return bytes
        }
    }
}

/// The 0xE4 identification CSCD descriptor (32 bytes): names a logical unit by a VPD 0x83
/// designator. This is what sg_xcopy, QEMU and ESXi send and what LIO, SCST and CTL accept.
public struct IdentificationCSCD: Equatable, Sendable {
    public static let typeCode: UInt8 = 0xE4
    public static let length = 32
    /// The designator field is 20 bytes; longer designators (e.g. long SCSI name strings) cannot
    /// be carried, which is why sg_xcopy skips them.
    public static let maximumDesignatorLength = 20

    /// Byte 1 bits 7-6.
    public struct LUIDType: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x03 }
        /// The designator names the logical unit itself. CTL requires this.
        public static let logicalUnitDesignator = LUIDType(rawValue: 0)
        public static let proxyToken = LUIDType(rawValue: 1)
        public var description: String {
            switch rawValue {
            case 0: return "LU designator"
            case 1: return "proxy token"
            default: return "reserved LU ID type \(rawValue)"
            }
        }
    }

    public var luIDType: LUIDType
    /// NUL (byte 1 bit 5): obsolete in SPC-4; CTL rejects it set.
    public var nul: Bool
    /// Byte 1 bits 4-0; 0 = direct-access block device.
    public var peripheralDeviceType: UInt8
    public var relativeInitiatorPortIdentifier: UInt16
    /// Bytes 4-7 header plus the value from byte 8 (at most 20 bytes; zero-padded on the wire).
    public var designator: Designator
    /// PAD (byte 28 bit 2): pad/discard residue when block sizes make a segment inexact.
    public var pad: Bool
    /// DISK BLOCK LENGTH (bytes 29-31, 24 bits). SCST checks it against the device; CTL uses a
    /// non-zero value instead of the LUN's own block size.
    public var diskBlockLength: UInt32

    public init(luIDType: LUIDType, nul: Bool, peripheralDeviceType: UInt8,
                relativeInitiatorPortIdentifier: UInt16, designator: Designator,
                pad: Bool, diskBlockLength: UInt32) {
        self.luIDType = luIDType
        self.nul = nul
        self.peripheralDeviceType = peripheralDeviceType
        self.relativeInitiatorPortIdentifier = relativeInitiatorPortIdentifier
        self.designator = designator
        self.pad = pad
        self.diskBlockLength = diskBlockLength
    }

    /// The descriptor sg_xcopy builds for a block device: the VPD 0x83 designator with its
    /// protocol identifier and PIV cleared, LU ID type 0, PDT 0, relative port 0.
    public init(logicalUnit designator: Designator, diskBlockLength: UInt32, pad: Bool = false) {
        var d = designator
        d.protocolIdentifier = 0
        d.piv = false
        self.init(luIDType: .logicalUnitDesignator, nul: false, peripheralDeviceType: 0,
                  relativeInitiatorPortIdentifier: 0, designator: d, pad: pad,
                  diskBlockLength: diskBlockLength)
    }

    public init(parsing bytes: [UInt8]) throws {
        let what = "identification CSCD descriptor"
        try bytes.checkRange(0, IdentificationCSCD.length, what)
        guard bytes[0] == IdentificationCSCD.typeCode else {
            throw WireError.invalidField(what: what, detail: "type code \(hexByte(bytes[0])), expected 0xE4")
        }
        let valueLength = Int(bytes[7])
        guard valueLength <= IdentificationCSCD.maximumDesignatorLength else {
            throw WireError.invalidField(what: "\(what) DESIGNATOR LENGTH",
                                         detail: "\(valueLength) exceeds the 20-byte field")
        }
        luIDType = LUIDType(rawValue: bytes[1] >> 6)
        nul = bytes[1] & 0x20 != 0
        peripheralDeviceType = bytes[1] & 0x1F
        relativeInitiatorPortIdentifier = try bytes.be16(at: 2)
        designator = Designator(designationHeaderByte0: bytes[4], byte1: bytes[5],
                                value: Array(bytes[8..<(8 + valueLength)]))
        pad = bytes[28] & 0x04 != 0
        diskBlockLength = try bytes.be24(at: 29)
    }

    public func encoded() throws -> [UInt8] {
        let what = "identification CSCD descriptor"
        guard peripheralDeviceType <= 0x1F else {
            throw WireError.valueOutOfRange(what: "\(what) PERIPHERAL DEVICE TYPE",
                                            value: UInt64(peripheralDeviceType), maximum: 0x1F)
        }
        guard designator.value.count <= IdentificationCSCD.maximumDesignatorLength else {
            throw WireError.valueOutOfRange(what: "\(what) DESIGNATOR LENGTH",
                                            value: UInt64(designator.value.count),
                                            maximum: UInt64(IdentificationCSCD.maximumDesignatorLength))
        }
        guard diskBlockLength <= 0xFF_FFFF else {
            throw WireError.valueOutOfRange(what: "\(what) DISK BLOCK LENGTH",
                                            value: UInt64(diskBlockLength), maximum: 0xFF_FFFF)
        }
        var out = [UInt8](repeating: 0, count: IdentificationCSCD.length)
        out[0] = IdentificationCSCD.typeCode
        out[1] = luIDType.rawValue << 6 | (nul ? 0x20 : 0) | peripheralDeviceType
        out.setBE16(relativeInitiatorPortIdentifier, at: 2)
        out[4] = (designator.protocolIdentifier & 0x0F) << 4 | designator.codeSet.rawValue
        out[5] = (designator.piv ? 0x80 : 0) | designator.association.rawValue << 4 | designator.type.rawValue
        out[7] = UInt8(designator.value.count)
        out.setBytes(designator.value, at: 8)
        out[28] = pad ? 0x04 : 0
        out.setBE24(diskBlockLength, at: 29)
        return out
    }
}

extension Designator {
    /// A designator from the two header bytes of a designation descriptor (byte 0: protocol
    /// identifier and code set; byte 1: PIV, association, type) and its value.
    init(designationHeaderByte0 b0: UInt8, byte1 b1: UInt8, value: [UInt8]) {
        self.init(protocolIdentifier: b0 >> 4, codeSet: CodeSet(rawValue: b0 & 0x0F),
                  piv: b1 & 0x80 != 0,
                  association: Association(rawValue: (b1 >> 4) & 0x03) ?? .reserved,
                  type: DesignatorType(rawValue: b1 & 0x0F), value: value)
    }
}
