/// RECEIVE COPY OPERATING PARAMETERS response (84h SA 03h, SPC-4 6.18.4): the limits an
/// EXTENDED COPY(LID1) initiator must respect (descriptor counts, list length, segment length,
/// granularities) and the descriptor type codes the copy manager implements.
public struct ReceiveCopyOperatingParameters: Equatable, Sendable {
    /// Bytes up to and including IMPLEMENTED DESCRIPTOR LIST LENGTH.
    public static let fixedLength = 44

    /// SNLID (byte 4 bit 0): LIST ID USAGE 11b (no list identifier) is supported.
    public var snlid: Bool
    public var maximumCSCDDescriptorCount: UInt16
    public var maximumSegmentDescriptorCount: UInt16
    public var maximumDescriptorListLength: UInt32
    /// Bytes per segment; 0 means "not reported" (CTL, Infinidat).
    public var maximumSegmentLength: UInt32
    public var maximumInlineDataLength: UInt32
    public var heldDataLimit: UInt32
    public var maximumStreamDeviceTransferSize: UInt32
    public var totalConcurrentCopies: UInt16
    public var maximumConcurrentCopies: UInt8
    /// log2 of bytes: segment lengths must be multiples of 2^n (SCST on JovianDSS: 16, 64 KiB).
    public var dataSegmentGranularityLog2: UInt8
    public var inlineDataGranularityLog2: UInt8
    public var heldDataGranularityLog2: UInt8
    public var implementedDescriptorTypeCodes: [CopyDescriptorTypeCode]

    public init(snlid: Bool, maximumCSCDDescriptorCount: UInt16, maximumSegmentDescriptorCount: UInt16,
                maximumDescriptorListLength: UInt32, maximumSegmentLength: UInt32,
                maximumInlineDataLength: UInt32, heldDataLimit: UInt32,
                maximumStreamDeviceTransferSize: UInt32, totalConcurrentCopies: UInt16,
                maximumConcurrentCopies: UInt8, dataSegmentGranularityLog2: UInt8,
                inlineDataGranularityLog2: UInt8, heldDataGranularityLog2: UInt8,
                implementedDescriptorTypeCodes: [CopyDescriptorTypeCode]) {
        self.snlid = snlid
        self.maximumCSCDDescriptorCount = maximumCSCDDescriptorCount
        self.maximumSegmentDescriptorCount = maximumSegmentDescriptorCount
        self.maximumDescriptorListLength = maximumDescriptorListLength
        self.maximumSegmentLength = maximumSegmentLength
        self.maximumInlineDataLength = maximumInlineDataLength
        self.heldDataLimit = heldDataLimit
        self.maximumStreamDeviceTransferSize = maximumStreamDeviceTransferSize
        self.totalConcurrentCopies = totalConcurrentCopies
        self.maximumConcurrentCopies = maximumConcurrentCopies
        self.dataSegmentGranularityLog2 = dataSegmentGranularityLog2
        self.inlineDataGranularityLog2 = inlineDataGranularityLog2
        self.heldDataGranularityLog2 = heldDataGranularityLog2
        self.implementedDescriptorTypeCodes = implementedDescriptorTypeCodes
    }

    /// Data segment granularity in bytes (2^log2, saturating at UInt64.max for log2 >= 64).
    public var dataSegmentGranularity: UInt64 {
        dataSegmentGranularityLog2 >= 64 ? UInt64.max : UInt64(1) << UInt64(dataSegmentGranularityLog2)
    }

    public func implements(_ code: CopyDescriptorTypeCode) -> Bool {
        implementedDescriptorTypeCodes.contains(code)
    }

    /// The 44 fixed bytes must be present (throws `.truncated`). The type-code list is clipped
    /// to the bytes returned, since a short allocation length cuts it. AVAILABLE DATA is not
    /// checked: the list length at byte 43 governs.
    public init(parsing bytes: [UInt8]) throws {
        try bytes.checkRange(0, ReceiveCopyOperatingParameters.fixedLength, "RECEIVE COPY OPERATING PARAMETERS response")
        snlid = bytes[4] & 0x01 != 0
        maximumCSCDDescriptorCount = try bytes.be16(at: 8)
        maximumSegmentDescriptorCount = try bytes.be16(at: 10)
        maximumDescriptorListLength = try bytes.be32(at: 12)
        maximumSegmentLength = try bytes.be32(at: 16)
        maximumInlineDataLength = try bytes.be32(at: 20)
        heldDataLimit = try bytes.be32(at: 24)
        maximumStreamDeviceTransferSize = try bytes.be32(at: 28)
        totalConcurrentCopies = try bytes.be16(at: 34)
        maximumConcurrentCopies = bytes[36]
        dataSegmentGranularityLog2 = bytes[37]
        inlineDataGranularityLog2 = bytes[38]
        heldDataGranularityLog2 = bytes[39]
        implementedDescriptorTypeCodes = bytes.clipped(from: ReceiveCopyOperatingParameters.fixedLength, count: Int(bytes[43]))
            .map(CopyDescriptorTypeCode.init(rawValue:))
    }

    /// 44 + n bytes, AVAILABLE DATA = 40 + n (LIO: 46 bytes, 42; CTL: 48 bytes, 44).
    public func encoded() throws -> [UInt8] {
        let count = implementedDescriptorTypeCodes.count
        guard count <= 0xFF else {
            throw WireError.valueOutOfRange(what: "IMPLEMENTED DESCRIPTOR LIST LENGTH", value: UInt64(count), maximum: 0xFF)
        }
        var out = [UInt8](repeating: 0, count: ReceiveCopyOperatingParameters.fixedLength)
        out.setBE32(UInt32(40 + count), at: 0)
        out[4] = snlid ? 0x01 : 0
        out.setBE16(maximumCSCDDescriptorCount, at: 8)
        out.setBE16(maximumSegmentDescriptorCount, at: 10)
        out.setBE32(maximumDescriptorListLength, at: 12)
        out.setBE32(maximumSegmentLength, at: 16)
        out.setBE32(maximumInlineDataLength, at: 20)
        out.setBE32(heldDataLimit, at: 24)
        out.setBE32(maximumStreamDeviceTransferSize, at: 28)
        out.setBE16(totalConcurrentCopies, at: 34)
        out[36] = maximumConcurrentCopies
        out[37] = dataSegmentGranularityLog2
        out[38] = inlineDataGranularityLog2
        out[39] = heldDataGranularityLog2
        out[43] = UInt8(count)
        return out + implementedDescriptorTypeCodes.map(\.rawValue)
    }
}

/// An EXTENDED COPY descriptor type code: segment descriptors use 00h-BFh, CSCD descriptors
/// E0h-FFh. Listed by RECEIVE COPY OPERATING PARAMETERS and by VPD 0x8F "Supported
/// Descriptors"; names follow sg_xcopy.
public struct CopyDescriptorTypeCode: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let blockToStream = CopyDescriptorTypeCode(rawValue: 0x00)
    public static let streamToBlock = CopyDescriptorTypeCode(rawValue: 0x01)
    public static let blockToBlock = CopyDescriptorTypeCode(rawValue: 0x02)
    public static let streamToStream = CopyDescriptorTypeCode(rawValue: 0x03)
    public static let inlineToStream = CopyDescriptorTypeCode(rawValue: 0x04)
    public static let embeddedToStream = CopyDescriptorTypeCode(rawValue: 0x05)
    public static let streamToDiscard = CopyDescriptorTypeCode(rawValue: 0x06)
    public static let verifyCSCD = CopyDescriptorTypeCode(rawValue: 0x07)
    public static let blockWithOffsetToStream = CopyDescriptorTypeCode(rawValue: 0x08)
    public static let streamToBlockWithOffset = CopyDescriptorTypeCode(rawValue: 0x09)
    public static let blockWithOffsetToBlockWithOffset = CopyDescriptorTypeCode(rawValue: 0x0A)
    public static let blockToStreamHoldData = CopyDescriptorTypeCode(rawValue: 0x0B)
    public static let streamToBlockHoldData = CopyDescriptorTypeCode(rawValue: 0x0C)
    public static let blockToBlockHoldData = CopyDescriptorTypeCode(rawValue: 0x0D)
    public static let streamToStreamHoldData = CopyDescriptorTypeCode(rawValue: 0x0E)
    public static let readStreamHoldData = CopyDescriptorTypeCode(rawValue: 0x0F)
    public static let registerPersistentReservationKey = CopyDescriptorTypeCode(rawValue: 0x14)
    public static let fibreChannelNPortName = CopyDescriptorTypeCode(rawValue: 0xE0)
    public static let fibreChannelNPortID = CopyDescriptorTypeCode(rawValue: 0xE1)
    public static let fibreChannelNPortIDWithName = CopyDescriptorTypeCode(rawValue: 0xE2)
    public static let parallelInterfaceTL = CopyDescriptorTypeCode(rawValue: 0xE3)
    public static let identification = CopyDescriptorTypeCode(rawValue: 0xE4)
    public static let ipv4 = CopyDescriptorTypeCode(rawValue: 0xE5)
    public static let alias = CopyDescriptorTypeCode(rawValue: 0xE6)
    public static let rdma = CopyDescriptorTypeCode(rawValue: 0xE7)
    public static let ieee1394 = CopyDescriptorTypeCode(rawValue: 0xE8)
    public static let sas = CopyDescriptorTypeCode(rawValue: 0xE9)
    public static let ipv6 = CopyDescriptorTypeCode(rawValue: 0xEA)
    public static let ipCopyService = CopyDescriptorTypeCode(rawValue: 0xEB)
    public static let rod = CopyDescriptorTypeCode(rawValue: 0xFE)

    /// E0h and above name CSCD descriptors; the rest segment descriptors.
    public var isCSCDDescriptor: Bool { rawValue >= 0xE0 }

    public var description: String {
        switch rawValue {
        case 0x00: return "block to stream"
        case 0x01: return "stream to block"
        case 0x02: return "block to block"
        case 0x03: return "stream to stream"
        case 0x04: return "inline data to stream"
        case 0x05: return "embedded data to stream"
        case 0x06: return "stream to discard"
        case 0x07: return "verify CSCD"
        case 0x08: return "block with offset to stream"
        case 0x09: return "stream to block with offset"
        case 0x0A: return "block with offset to block with offset"
        case 0x0B: return "block to stream, hold data"
        case 0x0C: return "stream to block, hold data"
        case 0x0D: return "block to block, hold data"
        case 0x0E: return "stream to stream, hold data"
        case 0x0F: return "read stream, hold data"
        case 0x14: return "register persistent reservation key"
        case 0xE0: return "FC N_Port_Name CSCD"
        case 0xE1: return "FC N_Port_ID CSCD"
        case 0xE2: return "FC N_Port_ID with N_Port_Name CSCD"
        case 0xE3: return "parallel interface T_L CSCD"
        case 0xE4: return "identification CSCD"
        case 0xE5: return "IPv4 CSCD"
        case 0xE6: return "alias CSCD"
        case 0xE7: return "RDMA CSCD"
        case 0xE8: return "IEEE 1394 CSCD"
        case 0xE9: return "SAS CSCD"
        case 0xEA: return "IPv6 CSCD"
        case 0xEB: return "IP copy service CSCD"
        case 0xFE: return "ROD CSCD"
        default: return "descriptor type \(hexByte(rawValue))"
        }
    }
}
