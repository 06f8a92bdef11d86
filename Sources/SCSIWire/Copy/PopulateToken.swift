/// POPULATE TOKEN parameter list (SBC-3 5.10, THIRD PARTY COPY OUT SA 10h): asks the copy
/// manager to create a ROD token for the listed source ranges, fetched afterwards with
/// RECEIVE ROD TOKEN INFORMATION under the same list identifier.
public struct PopulateToken: Equatable, Sendable {
    public static let headerLength = 16
    /// Range descriptors that fit the 16-bit list length (and the 16-bit data length).
    public static let maximumRangeCount = 4095

    /// ROD TYPE to create, sent with RTV=1; nil sends RTV=0 (the copy manager chooses). CTL
    /// rejects anything but access-upon-reference.
    public var rodType: RODType?
    /// IMMED: return before the token exists; poll with RRTI.
    public var immediate: Bool
    /// INACTIVITY TIMEOUT in seconds; 0 asks for the copy manager's default.
    public var inactivityTimeout: UInt32
    public var ranges: [BlockDeviceRangeDescriptor]

    public init(rodType: RODType? = nil, immediate: Bool = false, inactivityTimeout: UInt32 = 0,
                ranges: [BlockDeviceRangeDescriptor]) {
        self.rodType = rodType
        self.immediate = immediate
        self.inactivityTimeout = inactivityTimeout
        self.ranges = ranges
    }

    /// The range list is located by BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (14-15) and must
    /// be present (`.truncated`) and a multiple of 16 (`.invalidField`). A POPULATE TOKEN DATA
    /// LENGTH (0-1) too small to cover the list throws `.invalidField`, as in CTL. The ROD TYPE
    /// field is ignored when RTV is 0.
    public init(parsing bytes: [UInt8]) throws {
        let what = "POPULATE TOKEN parameter list"
        try bytes.checkRange(0, PopulateToken.headerLength, what)
        let dataLength = Int(try bytes.be16(at: 0))
        let listLength = Int(try bytes.be16(at: 14))
        guard dataLength + 2 >= PopulateToken.headerLength + listLength else {
            throw WireError.invalidField(what: "\(what) POPULATE TOKEN DATA LENGTH",
                                         detail: "\(dataLength) does not cover the \(listLength)-byte range list")
        }
        ranges = try BlockDeviceRangeDescriptor.parseList(bytes, at: PopulateToken.headerLength, length: listLength, what)
        immediate = bytes[2] & 0x01 != 0
        rodType = bytes[2] & 0x02 != 0 ? RODType(rawValue: try bytes.be32(at: 8)) : nil
        inactivityTimeout = try bytes.be32(at: 4)
    }

    public func encoded() throws -> [UInt8] {
        guard ranges.count <= PopulateToken.maximumRangeCount else {
            throw WireError.valueOutOfRange(what: "POPULATE TOKEN range descriptor count",
                                            value: UInt64(ranges.count), maximum: UInt64(PopulateToken.maximumRangeCount))
        }
        let listLength = ranges.count * BlockDeviceRangeDescriptor.length
        var out = [UInt8](repeating: 0, count: PopulateToken.headerLength)
        out.setBE16(UInt16(PopulateToken.headerLength - 2 + listLength), at: 0)
        out[2] = (rodType != nil ? 0x02 : 0) | (immediate ? 0x01 : 0)
        out.setBE32(inactivityTimeout, at: 4)
        out.setBE32(rodType?.rawValue ?? 0, at: 8)
        out.setBE16(UInt16(listLength), at: 14)
        for range in ranges { out += range.encoded() }
        return out
    }
}

extension PopulateToken: TokenCopyOperation {
    public static let serviceAction = CopyOutServiceAction.populateToken
    public static let commandName = "POPULATE TOKEN"
    /// The 16-byte POPULATE TOKEN CDB.
    public typealias CDB = TokenCopyCDB<PopulateToken>
}
