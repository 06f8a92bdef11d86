import SCSIWire

/// A direct-access block descriptor of mode parameter data (SBC-4 6.5.2): short (8 bytes:
/// NUMBER OF LOGICAL BLOCKS 0-3, LOGICAL BLOCK LENGTH 5-7) or long (16 bytes: NUMBER OF
/// LOGICAL BLOCKS 0-7, LOGICAL BLOCK LENGTH 12-15). A short descriptor reports FFFFFFFFh when
/// the count does not fit.
public struct ModeBlockDescriptor: Equatable, Sendable {
    public var numberOfBlocks: UInt64
    public var blockLength: UInt32
    public init(numberOfBlocks: UInt64, blockLength: UInt32) {
        self.numberOfBlocks = numberOfBlocks
        self.blockLength = blockLength
    }

    public func encoded(long: Bool) -> [UInt8] {
        if long {
            var b = [UInt8](repeating: 0, count: 16)
            b.setBE64(numberOfBlocks, at: 0)
            b.setBE32(blockLength, at: 12)
            return b
        }
        var b = [UInt8](repeating: 0, count: 8)
        b.setBE32(numberOfBlocks > 0xFFFF_FFFF ? 0xFFFF_FFFF : UInt32(numberOfBlocks), at: 0)
        b.setBE24(blockLength & 0x00FF_FFFF, at: 5)
        return b
    }
}

/// Mode parameter data as MODE SENSE returns it (SPC-4 7.5.4-7.5.5): header, block
/// descriptors, mode pages.
///
/// | | MODE DATA LENGTH | MEDIUM TYPE | DEVICE-SPECIFIC | LONGLBA | BLOCK DESCRIPTOR LENGTH |
/// |---|---|---|---|---|---|
/// | (6), 4 bytes | 0 (n-1) | 1 | 2 | — | 3 |
/// | (10), 8 bytes | 0-1 (n-1) | 2 | 3 | 4 bit 0 | 6-7 |
///
/// The device-specific parameter of a direct-access device carries WP (bit 7) and DPOFUA (bit 4).
public struct ModeParameterList: Equatable, Sendable {
    public var is10: Bool
    public var mediumType: UInt8
    public var deviceSpecificParameter: UInt8
    /// Long (16-byte) block descriptors; MODE SENSE(10) only.
    public var longLBA: Bool
    public var blockDescriptors: [ModeBlockDescriptor]
    /// Whole mode pages, each with its own page header.
    public var pages: [[UInt8]]

    public init(is10: Bool, mediumType: UInt8 = 0, deviceSpecificParameter: UInt8, longLBA: Bool = false,
                blockDescriptors: [ModeBlockDescriptor], pages: [[UInt8]]) {
        self.is10 = is10
        self.mediumType = mediumType
        self.deviceSpecificParameter = deviceSpecificParameter
        self.longLBA = longLBA
        self.blockDescriptors = blockDescriptors
        self.pages = pages
    }

    /// WP: the medium is write-protected.
    public var writeProtected: Bool { deviceSpecificParameter & 0x80 != 0 }
    /// DPOFUA: the device server accepts the DPO and FUA bits.
    public var dpoFUA: Bool { deviceSpecificParameter & 0x10 != 0 }

    public static func deviceSpecificParameter(writeProtected: Bool, dpoFUA: Bool) -> UInt8 {
        (writeProtected ? 0x80 : 0) | (dpoFUA ? 0x10 : 0)
    }

    public init(parsing b: [UInt8], is10: Bool) throws {
        self.is10 = is10
        let headerLength = is10 ? 8 : 4
        try b.requireLength(headerLength, "mode parameter header")
        let dataLength = is10 ? Int(try b.be16(at: 0)) + 2 : Int(b[0]) + 1
        let end = Swift.min(b.count, dataLength)
        mediumType = is10 ? b[2] : b[1]
        deviceSpecificParameter = is10 ? b[3] : b[2]
        longLBA = is10 && b[4] & 0x01 != 0
        let descriptorBytes = is10 ? Int(try b.be16(at: 6)) : Int(b[3])
        let size = longLBA ? 16 : 8
        var descriptors: [ModeBlockDescriptor] = []
        var o = headerLength
        while o + size <= Swift.min(end, headerLength + descriptorBytes) {
            descriptors.append(longLBA
                ? ModeBlockDescriptor(numberOfBlocks: try b.be64(at: o), blockLength: try b.be32(at: o + 12))
                : ModeBlockDescriptor(numberOfBlocks: UInt64(try b.be32(at: o)), blockLength: try b.be24(at: o + 5)))
            o += size
        }
        blockDescriptors = descriptors
        var pageList: [[UInt8]] = []
        o = headerLength + descriptorBytes
        while o + 2 <= end {
            let spf = b[o] & 0x40 != 0
            let length = spf ? (o + 4 <= end ? Int(try b.be16(at: o + 2)) + 4 : end - o) : Int(b[o + 1]) + 2
            guard o + length <= end else { break }
            pageList.append(Array(b[o..<(o + length)]))
            o += length
        }
        pages = pageList
    }

    public func encoded() -> [UInt8] {
        let descriptors = blockDescriptors.flatMap { $0.encoded(long: is10 && longLBA) }
        let body = descriptors + pages.flatMap { $0 }
        if is10 {
            var h = [UInt8](repeating: 0, count: 8)
            h.setBE16(UInt16(truncatingIfNeeded: 6 + body.count), at: 0)
            h[2] = mediumType
            h[3] = deviceSpecificParameter
            h[4] = longLBA ? 1 : 0
            h.setBE16(UInt16(truncatingIfNeeded: descriptors.count), at: 6)
            return h + body
        }
        return [UInt8(truncatingIfNeeded: 3 + body.count), mediumType, deviceSpecificParameter,
                UInt8(truncatingIfNeeded: descriptors.count)] + body
    }
}
