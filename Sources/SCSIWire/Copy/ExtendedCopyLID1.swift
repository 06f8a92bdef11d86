/// EXTENDED COPY(LID1) parameter list (SPC-4 6.4, THIRD PARTY COPY OUT SA 00h): the XCOPY that
/// LIO, SCST, CTL and arrays implement. A 16-byte header, then CSCD descriptors, segment
/// descriptors and inline data. Unknown descriptor types parse as `.unsupported` values so the
/// target side can answer 26/07 or 26/09 rather than fail on them.
public struct ExtendedCopyLID1: Equatable, Sendable {
    public var listIdentifier: UInt8
    /// STR, sequential striped (byte 1 bit 5): a performance hint about striped sources.
    public var str: Bool
    public var listIDUsage: ListIDUsage
    /// PRIORITY (byte 1 bits 2-0; 0 is highest).
    public var priority: UInt8
    public var cscdDescriptors: [CSCDDescriptor]
    public var segmentDescriptors: [SegmentDescriptor]
    public var inlineData: [UInt8]

    public init(listIdentifier: UInt8, str: Bool = false, listIDUsage: ListIDUsage,
                priority: UInt8 = 0, cscdDescriptors: [CSCDDescriptor],
                segmentDescriptors: [SegmentDescriptor], inlineData: [UInt8] = []) {
        self.listIdentifier = listIdentifier
        self.str = str
        self.listIDUsage = listIDUsage
        self.priority = priority
        self.cscdDescriptors = cscdDescriptors
        self.segmentDescriptors = segmentDescriptors
        self.inlineData = inlineData
    }

    /// LIST ID USAGE (byte 1 bits 4-3): whether the copy manager keeps the list ID (and held
    /// data) for RECEIVE COPY RESULTS afterwards.
    public enum ListIDUsage: UInt8, Equatable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// 00b: list ID used, data held (sg_xcopy default when held data limit > 0).
        case hold = 0
        /// 01b: reserved; SCST rejects it.
        case reserved = 1
        /// 10b: list ID used, data not held (sg_xcopy default otherwise).
        case discard = 2
        /// 11b: no list ID; LIST IDENTIFIER must then be 0 (sg_xcopy id_usage=disable).
        case noListIdentifier = 3

        public var description: String {
            switch self {
            case .hold: return "hold"
            case .reserved: return "reserved"
            case .discard: return "discard"
            case .noListIdentifier: return "no list ID"
            }
        }
    }

    /// The 16-byte header with its length fields as declared. A target checks these against
    /// its limits (26/06, 26/08, 1A/00) before it parses the lists.
    public struct Header: Equatable, Sendable {
        public static let length = 16

        public var listIdentifier: UInt8
        public var str: Bool
        public var listIDUsage: ListIDUsage
        public var priority: UInt8
        /// CSCD DESCRIPTOR LIST LENGTH (bytes 2-3), in bytes.
        public var cscdDescriptorListLength: UInt16
        /// SEGMENT DESCRIPTOR LIST LENGTH (bytes 8-11), in bytes.
        public var segmentDescriptorListLength: UInt32
        /// INLINE DATA LENGTH (bytes 12-15); LIO, SCST and CTL accept only 0.
        public var inlineDataLength: UInt32

        public init(listIdentifier: UInt8, str: Bool, listIDUsage: ListIDUsage, priority: UInt8,
                    cscdDescriptorListLength: UInt16, segmentDescriptorListLength: UInt32,
                    inlineDataLength: UInt32) {
            self.listIdentifier = listIdentifier
            self.str = str
            self.listIDUsage = listIDUsage
            self.priority = priority
            self.cscdDescriptorListLength = cscdDescriptorListLength
            self.segmentDescriptorListLength = segmentDescriptorListLength
            self.inlineDataLength = inlineDataLength
        }

        /// Parameter-list bytes the header says follow it, plus the header itself.
        public var totalLength: UInt64 {
            UInt64(Header.length) + UInt64(cscdDescriptorListLength)
                + UInt64(segmentDescriptorListLength) + UInt64(inlineDataLength)
        }

        public init(parsing bytes: [UInt8]) throws {
            try bytes.checkRange(0, Header.length, "EXTENDED COPY(LID1) parameter list header")
            listIdentifier = bytes[0]
            str = bytes[1] & 0x20 != 0
            listIDUsage = ListIDUsage(rawValue: (bytes[1] >> 3) & 0x03) ?? .reserved
            priority = bytes[1] & 0x07
            cscdDescriptorListLength = try bytes.be16(at: 2)
            segmentDescriptorListLength = try bytes.be32(at: 8)
            inlineDataLength = try bytes.be32(at: 12)
        }

        public func encoded() throws -> [UInt8] {
            guard priority <= 7 else {
                throw WireError.valueOutOfRange(what: "EXTENDED COPY PRIORITY", value: UInt64(priority), maximum: 7)
            }
            var out = [UInt8](repeating: 0, count: Header.length)
            out[0] = listIdentifier
            out[1] = (str ? 0x20 : 0) | listIDUsage.rawValue << 3 | priority
            out.setBE16(cscdDescriptorListLength, at: 2)
            out.setBE32(segmentDescriptorListLength, at: 8)
            out.setBE32(inlineDataLength, at: 12)
            return out
        }
    }

    /// The header this list encodes with, its lengths computed from the descriptors.
    public func header() throws -> Header {
        var cscdLength = 0
        for descriptor in cscdDescriptors {
            cscdLength += CSCDDescriptor.length(ofTypeCode: descriptor.typeCode)
        }
        guard cscdLength <= Int(UInt16.max) else {
            throw WireError.valueOutOfRange(what: "EXTENDED COPY CSCD DESCRIPTOR LIST LENGTH",
                                            value: UInt64(cscdLength), maximum: UInt64(UInt16.max))
        }
        var segmentLength: UInt64 = 0
        for descriptor in segmentDescriptors {
            segmentLength += UInt64(try descriptor.encoded().count)
        }
        guard segmentLength <= UInt64(UInt32.max) else {
            throw WireError.valueOutOfRange(what: "EXTENDED COPY SEGMENT DESCRIPTOR LIST LENGTH",
                                            value: segmentLength, maximum: UInt64(UInt32.max))
        }
        guard UInt64(inlineData.count) <= UInt64(UInt32.max) else {
            throw WireError.valueOutOfRange(what: "EXTENDED COPY INLINE DATA LENGTH",
                                            value: UInt64(inlineData.count), maximum: UInt64(UInt32.max))
        }
        return Header(listIdentifier: listIdentifier, str: str, listIDUsage: listIDUsage,
                      priority: priority, cscdDescriptorListLength: UInt16(cscdLength),
                      segmentDescriptorListLength: UInt32(segmentLength),
                      inlineDataLength: UInt32(inlineData.count))
    }

    /// Parses header, lists and inline data. Data shorter than the header's lengths throws
    /// `.truncated` (a target answers PARAMETER LIST LENGTH ERROR); a descriptor that runs past
    /// its list, or a malformed known descriptor, throws `.invalidField`. Bytes after the inline
    /// data are ignored.
    public init(parsing bytes: [UInt8]) throws {
        let header = try Header(parsing: bytes)
        let cscdStart = Header.length
        let segmentStart = cscdStart + Int(header.cscdDescriptorListLength)
        let inlineStart = segmentStart + Int(header.segmentDescriptorListLength)
        let inlineLength = Int(header.inlineDataLength)
        try bytes.checkRange(0, inlineStart + inlineLength, "EXTENDED COPY(LID1) parameter list")

        var cscds: [CSCDDescriptor] = []
        var offset = cscdStart
        while offset < segmentStart {
            let length = CSCDDescriptor.length(ofTypeCode: bytes[offset])
            guard offset + length <= segmentStart else {
                throw WireError.invalidField(what: "EXTENDED COPY CSCD DESCRIPTOR LIST LENGTH",
                                             detail: "CSCD descriptor \(cscds.count) at byte \(offset) runs past the list")
            }
            cscds.append(try CSCDDescriptor(parsing: Array(bytes[offset..<(offset + length)])))
            offset += length
        }

        var segments: [SegmentDescriptor] = []
        offset = segmentStart
        while offset < inlineStart {
            guard offset + 4 <= inlineStart else {
                throw WireError.invalidField(what: "EXTENDED COPY SEGMENT DESCRIPTOR LIST LENGTH",
                                             detail: "segment descriptor \(segments.count) at byte \(offset) runs past the list")
            }
            let length = 4 + Int(try bytes.be16(at: offset + 2))
            guard offset + length <= inlineStart else {
                throw WireError.invalidField(what: "EXTENDED COPY SEGMENT DESCRIPTOR LIST LENGTH",
                                             detail: "segment descriptor \(segments.count) at byte \(offset) runs past the list")
            }
            segments.append(try SegmentDescriptor(parsing: Array(bytes[offset..<(offset + length)])))
            offset += length
        }

        listIdentifier = header.listIdentifier
        str = header.str
        listIDUsage = header.listIDUsage
        priority = header.priority
        cscdDescriptors = cscds
        segmentDescriptors = segments
        inlineData = Array(bytes[inlineStart..<(inlineStart + inlineLength)])
    }

    public func encoded() throws -> [UInt8] {
        var out = try header().encoded()
        for descriptor in cscdDescriptors { out += try descriptor.encoded() }
        for descriptor in segmentDescriptors { out += try descriptor.encoded() }
        out += inlineData
        return out
    }
}

extension ExtendedCopyLID1 {
    /// The 16-byte EXTENDED COPY(LID1) CDB: 83h, SA 00h, PARAMETER LIST LENGTH at 10-13.
    public struct CDB: Equatable, Sendable {
        public static let length = 16

        public var parameterListLength: UInt32
        public var control: UInt8

        public init(parameterListLength: UInt32, control: UInt8 = 0) {
            self.parameterListLength = parameterListLength
            self.control = control
        }

        public init(parsing cdb: [UInt8]) throws {
            let what = "EXTENDED COPY(LID1) CDB"
            try cdb.checkRange(0, CDB.length, what)
            guard cdb[0] == OperationCode.thirdPartyCopyOut.rawValue,
                  cdb[1] & 0x1F == CopyOutServiceAction.extendedCopyLID1.rawValue else {
                throw WireError.invalidField(what: what, detail: "opcode \(hexByte(cdb[0])) SA \(hexByte(cdb[1] & 0x1F)), expected 0x83/0x00")
            }
            parameterListLength = try cdb.be32(at: 10)
            control = cdb[15]
        }

        public func encoded() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: CDB.length)
            out[0] = OperationCode.thirdPartyCopyOut.rawValue
            out[1] = CopyOutServiceAction.extendedCopyLID1.rawValue
            out.setBE32(parameterListLength, at: 10)
            out[15] = control
            return out
        }
    }

    /// The CDB to send with a parameter list of `parameterListLength` bytes.
    public static func cdb(parameterListLength: UInt32) -> [UInt8] {
        CDB(parameterListLength: parameterListLength).encoded()
    }
}
