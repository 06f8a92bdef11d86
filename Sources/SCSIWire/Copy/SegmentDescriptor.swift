/// One segment descriptor of an EXTENDED COPY parameter list (SPC-4 6.4.6): what to copy,
/// naming source and destination by index into the CSCD list. Unlike CSCDs, every segment
/// descriptor carries its own DESCRIPTOR LENGTH (bytes 2-3), so unknown types can be skipped
/// and kept verbatim; a target answers 26/09 for them.
public enum SegmentDescriptor: Equatable, Sendable {
    case blockToBlock(BlockToBlockSegment)
    case blockToBlockWithOffset(BlockToBlockOffsetSegment)
    /// Any other type code, with the descriptor's bytes (header included) exactly as received.
    case unsupported(typeCode: UInt8, bytes: [UInt8])

    public var typeCode: UInt8 {
        switch self {
        case .blockToBlock: return BlockToBlockSegment.typeCode
        case .blockToBlockWithOffset: return BlockToBlockOffsetSegment.typeCode
        case let .unsupported(typeCode, _): return typeCode
        }
    }

    /// Bytes taken by the descriptor that starts `bytes`: 4 + DESCRIPTOR LENGTH.
    public static func encodedLength(atStartOf bytes: [UInt8]) throws -> Int {
        4 + Int(try bytes.be16(at: 2, "segment descriptor DESCRIPTOR LENGTH"))
    }

    /// Reads the descriptor at the start of `bytes` (further bytes are ignored).
    public init(parsing bytes: [UInt8]) throws {
        let code = try bytes.u8(at: 0, "segment descriptor type code")
        let length = try SegmentDescriptor.encodedLength(atStartOf: bytes)
        let body = try bytes.bytes(at: 0, count: length, "segment descriptor (type \(hexByte(code)))")
        switch code {
        case BlockToBlockSegment.typeCode:
            self = .blockToBlock(try BlockToBlockSegment(parsing: body))
        case BlockToBlockOffsetSegment.typeCode:
            self = .blockToBlockWithOffset(try BlockToBlockOffsetSegment(parsing: body))
        default:
            self = .unsupported(typeCode: code, bytes: body)
        }
    }

    public func encoded() throws -> [UInt8] {
        switch self {
        case let .blockToBlock(segment):
            return try segment.encoded()
        case let .blockToBlockWithOffset(segment):
            return segment.encoded()
        case let .unsupported(code, bytes):
            guard bytes.count >= 4, bytes[0] == code,
                  (try? SegmentDescriptor.encodedLength(atStartOf: bytes)) == bytes.count else {
                throw WireError.invalidField(what: "segment descriptor (type \(hexByte(code)))",
                                             detail: "raw bytes must start with the type code and match their DESCRIPTOR LENGTH")
            }
            return bytes
        }
    }
}

/// Segment descriptor 0x02, block device to block device (28 bytes): the only segment type
/// LIO and SCST accept.
public struct BlockToBlockSegment: Equatable, Sendable {
    public static let typeCode: UInt8 = 0x02
    public static let length = 28
    /// DESCRIPTOR LENGTH field value (length - 4).
    public static let descriptorLength: UInt16 = 0x0018
    /// NUMBER OF BLOCKS is 16 bits: at most 65535 blocks per segment, whatever the RCOP
    /// maximum segment length says.
    public static let maximumNumberOfBlocks: UInt32 = 0xFFFF

    /// FCO, fast copy only (byte 1 bit 2, spc5r20): fail with 26/16 rather than copy slowly.
    public var fco: Bool
    /// DC, destination count (byte 1 bit 1): NUMBER OF BLOCKS counts destination blocks.
    /// LIO ignores it; CTL honours it.
    public var dc: Bool
    /// CAT (byte 1 bit 0): how residue of an inexact segment is handled (with the CSCD PAD bit).
    public var cat: Bool
    public var sourceCSCDIndex: UInt16
    public var destinationCSCDIndex: UInt16
    /// Wider than its 16-bit field so callers can hand over a computed count and get a throw,
    /// not a silent truncation, when it does not fit.
    public var numberOfBlocks: UInt32
    public var sourceLBA: UInt64
    public var destinationLBA: UInt64

    public init(fco: Bool = false, dc: Bool = false, cat: Bool = false,
                sourceCSCDIndex: UInt16, destinationCSCDIndex: UInt16,
                numberOfBlocks: UInt32, sourceLBA: UInt64, destinationLBA: UInt64) {
        self.fco = fco
        self.dc = dc
        self.cat = cat
        self.sourceCSCDIndex = sourceCSCDIndex
        self.destinationCSCDIndex = destinationCSCDIndex
        self.numberOfBlocks = numberOfBlocks
        self.sourceLBA = sourceLBA
        self.destinationLBA = destinationLBA
    }

    public init(parsing bytes: [UInt8]) throws {
        let what = "block-to-block segment descriptor"
        // Header first: a wrong DESCRIPTOR LENGTH is an invalid field, not truncation.
        try bytes.checkRange(0, 4, what)
        guard bytes[0] == BlockToBlockSegment.typeCode else {
            throw WireError.invalidField(what: what, detail: "type code \(hexByte(bytes[0])), expected 0x02")
        }
        let declared = try bytes.be16(at: 2)
        guard declared == BlockToBlockSegment.descriptorLength else {
            throw WireError.invalidField(what: "\(what) DESCRIPTOR LENGTH",
                                         detail: "\(declared), expected 24 (0x0018)")
        }
        try bytes.checkRange(0, BlockToBlockSegment.length, what)
        fco = bytes[1] & 0x04 != 0
        dc = bytes[1] & 0x02 != 0
        cat = bytes[1] & 0x01 != 0
        sourceCSCDIndex = try bytes.be16(at: 4)
        destinationCSCDIndex = try bytes.be16(at: 6)
        numberOfBlocks = UInt32(try bytes.be16(at: 10))
        sourceLBA = try bytes.be64(at: 12)
        destinationLBA = try bytes.be64(at: 20)
    }

    public func encoded() throws -> [UInt8] {
        guard numberOfBlocks <= BlockToBlockSegment.maximumNumberOfBlocks else {
            throw WireError.valueOutOfRange(what: "block-to-block segment NUMBER OF BLOCKS",
                                            value: UInt64(numberOfBlocks),
                                            maximum: UInt64(BlockToBlockSegment.maximumNumberOfBlocks))
        }
        var out = [UInt8](repeating: 0, count: BlockToBlockSegment.length)
        out[0] = BlockToBlockSegment.typeCode
        out[1] = (fco ? 0x04 : 0) | (dc ? 0x02 : 0) | (cat ? 0x01 : 0)
        out.setBE16(BlockToBlockSegment.descriptorLength, at: 2)
        out.setBE16(sourceCSCDIndex, at: 4)
        out.setBE16(destinationCSCDIndex, at: 6)
        out.setBE16(UInt16(numberOfBlocks), at: 10)
        out.setBE64(sourceLBA, at: 12)
        out.setBE64(destinationLBA, at: 20)
        return out
    }
}

/// Segment descriptor 0x0A, block device with offset to block device with offset (32 bytes):
/// a byte count with byte offsets into the first blocks. libiscsi's tests build it; none of
/// the targets covered accepts it.
public struct BlockToBlockOffsetSegment: Equatable, Sendable {
    public static let typeCode: UInt8 = 0x0A
    public static let length = 32
    public static let descriptorLength: UInt16 = 0x001C

    /// CAT (byte 1 bit 0).
    public var cat: Bool
    public var sourceCSCDIndex: UInt16
    public var destinationCSCDIndex: UInt16
    public var numberOfBytes: UInt32
    public var sourceLBA: UInt64
    public var destinationLBA: UInt64
    public var sourceByteOffset: UInt16
    public var destinationByteOffset: UInt16

    public init(cat: Bool = false, sourceCSCDIndex: UInt16, destinationCSCDIndex: UInt16,
                numberOfBytes: UInt32, sourceLBA: UInt64, destinationLBA: UInt64,
                sourceByteOffset: UInt16, destinationByteOffset: UInt16) {
        self.cat = cat
        self.sourceCSCDIndex = sourceCSCDIndex
        self.destinationCSCDIndex = destinationCSCDIndex
        self.numberOfBytes = numberOfBytes
        self.sourceLBA = sourceLBA
        self.destinationLBA = destinationLBA
        self.sourceByteOffset = sourceByteOffset
        self.destinationByteOffset = destinationByteOffset
    }

    public init(parsing bytes: [UInt8]) throws {
        let what = "block-to-block-with-offset segment descriptor"
        // Header first: a wrong DESCRIPTOR LENGTH is an invalid field, not truncation.
        try bytes.checkRange(0, 4, what)
        guard bytes[0] == BlockToBlockOffsetSegment.typeCode else {
            throw WireError.invalidField(what: what, detail: "type code \(hexByte(bytes[0])), expected 0x0A")
        }
        let declared = try bytes.be16(at: 2)
        guard declared == BlockToBlockOffsetSegment.descriptorLength else {
            throw WireError.invalidField(what: "\(what) DESCRIPTOR LENGTH",
                                         detail: "\(declared), expected 28 (0x001C)")
        }
        try bytes.checkRange(0, BlockToBlockOffsetSegment.length, what)
        cat = bytes[1] & 0x01 != 0
        sourceCSCDIndex = try bytes.be16(at: 4)
        destinationCSCDIndex = try bytes.be16(at: 6)
        numberOfBytes = try bytes.be32(at: 8)
        sourceLBA = try bytes.be64(at: 12)
        destinationLBA = try bytes.be64(at: 20)
        sourceByteOffset = try bytes.be16(at: 28)
        destinationByteOffset = try bytes.be16(at: 30)
    }

    public func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: BlockToBlockOffsetSegment.length)
        out[0] = BlockToBlockOffsetSegment.typeCode
        out[1] = cat ? 0x01 : 0
        out.setBE16(BlockToBlockOffsetSegment.descriptorLength, at: 2)
        out.setBE16(sourceCSCDIndex, at: 4)
        out.setBE16(destinationCSCDIndex, at: 6)
        out.setBE32(numberOfBytes, at: 8)
        out.setBE64(sourceLBA, at: 12)
        out.setBE64(destinationLBA, at: 20)
        out.setBE16(sourceByteOffset, at: 28)
        out.setBE16(destinationByteOffset, at: 30)
        return out
    }
}
