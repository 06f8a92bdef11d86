/// One iSCSI PDU: Basic Header Segment, optional Additional Header Segments and the data
/// segment (RFC 7143 11.1). Padding and digests are wire details added by `encoded(digests:)`
/// and removed by `PDUFramer`, never stored here.
///
/// The header's TotalAHSLength and DataSegmentLength always describe the content: they are
/// recomputed whenever the header, AHS or data change, so a PDU cannot disagree with itself.
public struct ISCSIPDU: Equatable, Sendable {
    /// Largest data segment the 24-bit DataSegmentLength can describe.
    public static let maximumDataSegmentLength = 0xFF_FFFF
    /// Largest AHS area TotalAHSLength (one byte of 4-byte words) can describe.
    public static let maximumAHSLength = 255 * 4

    public var header: BasicHeaderSegment { didSet { normalizeLengths() } }
    public var additionalHeaderSegments: [AdditionalHeaderSegment] { didSet { normalizeLengths() } }
    public var data: [UInt8] { didSet { normalizeLengths() } }

    public init(header: BasicHeaderSegment, additionalHeaderSegments: [AdditionalHeaderSegment] = [], data: [UInt8] = []) {
        self.header = header
        self.additionalHeaderSegments = additionalHeaderSegments
        self.data = data
        normalizeLengths()
    }

    /// Parses one PDU without digests: BHS, AHS and the padded data segment. Bytes after the
    /// PDU are ignored; use `PDUFramer` for a stream and for digests.
    public init(parsing bytes: [UInt8]) throws {
        self = try PDUFramer(digests: .none, maxRecvDataSegmentLength: Self.maximumDataSegmentLength).decode(frame: bytes)
    }

    public var opcode: ISCSIOpcode? { header.opcode }

    /// Bytes of AHS on the wire (padding included).
    public var ahsLength: Int { additionalHeaderSegments.reduce(0) { $0 + $1.encodedLength } }

    /// The wire image: BHS, AHS, header digest, data, padding, data digest. Throws when the
    /// data or AHS are too long for their length fields.
    public func encoded(digests: DigestSettings = .none) throws -> [UInt8] {
        guard data.count <= Self.maximumDataSegmentLength else {
            throw ISCSIWireError.valueOutOfRange(what: "DataSegmentLength", value: UInt64(data.count), maximum: UInt64(Self.maximumDataSegmentLength))
        }
        guard ahsLength <= Self.maximumAHSLength else {
            throw ISCSIWireError.valueOutOfRange(what: "TotalAHSLength (bytes)", value: UInt64(ahsLength), maximum: UInt64(Self.maximumAHSLength))
        }
        var out = header.encoded()
        out.reserveCapacity(48 + ahsLength + wordAligned(data.count) + 8)
        for ahs in additionalHeaderSegments { out += try ahs.encoded() }
        if digests.header == .crc32c { out.appendLE32(CRC32C.checksum(out)) }
        guard !data.isEmpty else { return out }
        let dataStart = out.count
        out += data
        out.padToWord()
        if digests.data == .crc32c {
            var crc = CRC32C()
            crc.update(out[dataStart...])
            out.appendLE32(crc.value)
        }
        return out
    }

    private mutating func normalizeLengths() {
        let words = UInt8(truncatingIfNeeded: Swift.min(ahsLength / 4, 255))
        let length = UInt32(truncatingIfNeeded: Swift.min(data.count, Self.maximumDataSegmentLength))
        if header.totalAHSLength != words { header.totalAHSLength = words }
        if header.dataSegmentLength != length { header.dataSegmentLength = length }
    }
}

/// A typed view that can be read from a PDU of its opcode.
public protocol ISCSIPDUDecodable: Sendable {
    static var opcode: ISCSIOpcode { get }
    /// Reads the view; throws `unexpectedOpcode` for a PDU of another kind.
    init(pdu: ISCSIPDU) throws
}

/// A typed view that can be turned into a PDU.
public protocol ISCSIPDUEncodable: Sendable {
    static var opcode: ISCSIOpcode { get }
    var pdu: ISCSIPDU { get }
}

extension ISCSIPDUDecodable {
    /// Parses a whole PDU image without digests (BHS, AHS, padded data).
    public init(parsing bytes: [UInt8]) throws {
        try self.init(pdu: ISCSIPDU(parsing: bytes))
    }
}

extension ISCSIPDUEncodable {
    /// The wire image (see `ISCSIPDU.encoded(digests:)`).
    public func encoded(digests: DigestSettings = .none) throws -> [UInt8] {
        try pdu.encoded(digests: digests)
    }
}
