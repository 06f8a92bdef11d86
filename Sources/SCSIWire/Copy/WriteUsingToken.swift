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

extension WriteUsingToken {
    /// The 16-byte WRITE USING TOKEN CDB: 83h, SA 11h, LIST IDENTIFIER 6-9, PARAMETER LIST
    /// LENGTH 10-13, GROUP NUMBER 14 (bits 4-0).
    public struct CDB: Equatable, Sendable {
        public static let length = 16

        public var listIdentifier: UInt32
        public var parameterListLength: UInt32
        public var groupNumber: UInt8
        public var control: UInt8

        public init(listIdentifier: UInt32, parameterListLength: UInt32, groupNumber: UInt8 = 0, control: UInt8 = 0) {
            self.listIdentifier = listIdentifier
            self.parameterListLength = parameterListLength
            self.groupNumber = groupNumber
            self.control = control
        }

        public init(parsing cdb: [UInt8]) throws {
            let what = "WRITE USING TOKEN CDB"
            try cdb.checkRange(0, CDB.length, what)
            guard cdb[0] == OperationCode.thirdPartyCopyOut.rawValue,
                  cdb[1] & 0x1F == CopyOutServiceAction.writeUsingToken.rawValue else {
                throw WireError.invalidField(what: what, detail: "opcode \(hexByte(cdb[0])) SA \(hexByte(cdb[1] & 0x1F)), expected 0x83/0x11")
            }
            listIdentifier = try cdb.be32(at: 6)
            parameterListLength = try cdb.be32(at: 10)
            groupNumber = cdb[14] & 0x1F
            control = cdb[15]
        }

        public func encoded() throws -> [UInt8] {
            guard groupNumber <= 0x1F else {
                throw WireError.valueOutOfRange(what: "WRITE USING TOKEN GROUP NUMBER", value: UInt64(groupNumber), maximum: 0x1F)
            }
            return bytes()
        }

        fileprivate func bytes() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: CDB.length)
            out[0] = OperationCode.thirdPartyCopyOut.rawValue
            out[1] = CopyOutServiceAction.writeUsingToken.rawValue
            out.setBE32(listIdentifier, at: 6)
            out.setBE32(parameterListLength, at: 10)
            out[14] = groupNumber
            out[15] = control
            return out
        }
    }

    /// The CDB for a parameter list of `parameterListLength` bytes (group number 0).
    public static func cdb(listIdentifier: UInt32, parameterListLength: UInt32) -> [UInt8] {
        CDB(listIdentifier: listIdentifier, parameterListLength: parameterListLength).bytes()
    }
}
