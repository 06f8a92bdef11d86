/// WRITE USING TOKEN parameter list (SBC-3 5.51, THIRD PARTY COPY OUT SA 11h): writes the data
/// a ROD token represents (from OFFSET INTO ROD on) to the listed destination ranges. The
/// token goes verbatim at bytes 16-527; the range list starts at 536. (ddpt >= 0.96 writes
/// the ranges one byte early, at 535.)
public struct WriteUsingToken: Equatable, Sendable {
    /// Bytes before the first range descriptor.
    public static let headerLength = 536
    /// Range descriptors that fit the 16-bit WRITE USING TOKEN DATA LENGTH (534 + 16n <= 65535).
    public static let maximumRangeCount = 4062

    /// DEL_TKN: the token is no longer needed after this command (ddpt sets it on the last WUT
    /// drawn from a token; CTL then frees it).
    public var deleteToken: Bool
    /// IMMED: return before the write completes; poll with RRTI.
    public var immediate: Bool
    /// OFFSET INTO ROD, in logical blocks of the source.
    public var offsetIntoROD: UInt64
    public var rodToken: RODToken
    public var ranges: [BlockDeviceRangeDescriptor]

    public init(deleteToken: Bool = false, immediate: Bool = false, offsetIntoROD: UInt64 = 0,
                rodToken: RODToken, ranges: [BlockDeviceRangeDescriptor]) {
        self.deleteToken = deleteToken
        self.immediate = immediate
        self.offsetIntoROD = offsetIntoROD
        self.rodToken = rodToken
        self.ranges = ranges
    }

    /// The range list is located by BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (534-535) and must
    /// be present (`.truncated`) and a multiple of 16 (`.invalidField`). A WRITE USING TOKEN
    /// DATA LENGTH (0-1) too small to cover it throws `.invalidField`, as in CTL.
    public init(parsing bytes: [UInt8]) throws {
        let what = "WRITE USING TOKEN parameter list"
        try bytes.checkRange(0, WriteUsingToken.headerLength, what)
        let dataLength = Int(try bytes.be16(at: 0))
        let listLength = Int(try bytes.be16(at: 534))
        guard dataLength + 2 >= WriteUsingToken.headerLength + listLength else {
            throw WireError.invalidField(what: "\(what) WRITE USING TOKEN DATA LENGTH",
                                         detail: "\(dataLength) does not cover the \(listLength)-byte range list")
        }
        ranges = try BlockDeviceRangeDescriptor.parseList(bytes, at: WriteUsingToken.headerLength, length: listLength, what)
        deleteToken = bytes[2] & 0x02 != 0
        immediate = bytes[2] & 0x01 != 0
        offsetIntoROD = try bytes.be64(at: 8)
        rodToken = try RODToken(parsing: Array(bytes[16..<(16 + RODToken.length)]))
    }

    public func encoded() throws -> [UInt8] {
        guard ranges.count <= WriteUsingToken.maximumRangeCount else {
            throw WireError.valueOutOfRange(what: "WRITE USING TOKEN range descriptor count",
                                            value: UInt64(ranges.count), maximum: UInt64(WriteUsingToken.maximumRangeCount))
        }
        let listLength = ranges.count * BlockDeviceRangeDescriptor.length
        var out = [UInt8](repeating: 0, count: WriteUsingToken.headerLength)
        out.setBE16(UInt16(WriteUsingToken.headerLength - 2 + listLength), at: 0)
        out[2] = (deleteToken ? 0x02 : 0) | (immediate ? 0x01 : 0)
        out.setBE64(offsetIntoROD, at: 8)
        out.setBytes(try rodToken.encoded(), at: 16)
        out.setBE16(UInt16(listLength), at: 534)
        for range in ranges { out += range.encoded() }
        return out
    }
}

extension WriteUsingToken: TokenCopyOperation {
    public static let serviceAction = CopyOutServiceAction.writeUsingToken
    public static let commandName = "WRITE USING TOKEN"
    /// The 16-byte WRITE USING TOKEN CDB.
    public typealias CDB = TokenCopyCDB<WriteUsingToken>
}
