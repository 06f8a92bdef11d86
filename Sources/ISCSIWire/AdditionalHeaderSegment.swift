/// One Additional Header Segment (RFC 7143 11.2.2): AHSLength (2 bytes, counting from byte 3),
/// AHSType, then AHS-specific bytes, padded to a 4-byte boundary. Unknown types are kept so a
/// parse never loses them.
public struct AdditionalHeaderSegment: Equatable, Sendable {
    public var type: AHSType
    /// The AHS-specific bytes starting at byte 3 (their count is AHSLength).
    public var specific: [UInt8]

    public init(type: AHSType, specific: [UInt8]) {
        self.type = type
        self.specific = specific
    }

    /// Extended CDB AHS (RFC 7143 11.2.2.3): the CDB bytes beyond the 16 the BHS carries,
    /// after one reserved byte, so AHSLength is CDB length - 15.
    public static func extendedCDB(_ bytesBeyond16: [UInt8]) -> AdditionalHeaderSegment {
        AdditionalHeaderSegment(type: .extendedCDB, specific: [0] + bytesBeyond16)
    }

    /// Bidirectional Read Expected Data Transfer Length AHS (RFC 7143 11.2.2.4), AHSLength 5.
    public static func bidirectionalReadDataLength(_ length: UInt32) -> AdditionalHeaderSegment {
        var b: [UInt8] = [0]
        b.appendBE32(length)
        return AdditionalHeaderSegment(type: .bidirectionalReadDataLength, specific: b)
    }

    /// Bytes this AHS occupies on the wire, padding included.
    public var encodedLength: Int { wordAligned(3 + specific.count) }

    /// The extended CDB bytes, when this is an Extended CDB AHS.
    public var extendedCDBBytes: [UInt8]? {
        guard type == .extendedCDB, !specific.isEmpty else { return nil }
        return Array(specific.dropFirst())
    }

    /// The expected read length, when this is a well-formed bidirectional-length AHS.
    public var bidirectionalReadLength: UInt32? {
        guard type == .bidirectionalReadDataLength, specific.count == 5 else { return nil }
        return specific.beUInt32(at: 1)
    }

    public func encoded() throws -> [UInt8] {
        guard specific.count <= Int(UInt16.max) else {
            throw ISCSIWireError.valueOutOfRange(what: "AHSLength", value: UInt64(specific.count), maximum: UInt64(UInt16.max))
        }
        var b: [UInt8] = []
        b.appendBE16(UInt16(specific.count))
        b.append(type.rawValue)
        b += specific
        b.padToWord()
        return b
    }

    /// Parses every AHS in an area of TotalAHSLength words.
    public static func parseAll(_ area: [UInt8]) throws -> [AdditionalHeaderSegment] {
        var out: [AdditionalHeaderSegment] = []
        var offset = 0
        while offset < area.count {
            let length = Int(try area.readBE16(at: offset, "AHSLength"))
            try area.requireRange(offset + 2, 1, "AHSType")
            let type = AHSType(rawValue: area[offset + 2])
            let occupied = wordAligned(3 + length)
            guard occupied <= area.count - offset else {
                throw ISCSIWireError.invalidField(what: "AHS", detail: "AHSLength \(length) runs past TotalAHSLength (\(area.count) bytes)")
            }
            let segment = AdditionalHeaderSegment(type: type, specific: Array(area[(offset + 3)..<(offset + 3 + length)]))
            switch type {
            case .extendedCDB where length < 1:
                throw ISCSIWireError.invalidField(what: "Extended CDB AHS", detail: "AHSLength 0")
            case .bidirectionalReadDataLength where length != 5:
                throw ISCSIWireError.invalidField(what: "Bidirectional read length AHS", detail: "AHSLength \(length), must be 5")
            default:
                break
            }
            out.append(segment)
            offset += occupied
        }
        return out
    }
}

/// AHSType codes (RFC 7143 11.2.2.2); values other than the named ones are reserved or
/// non-iSCSI extensions and are carried unchanged.
public struct AHSType: RawRepresentable, Equatable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let extendedCDB = AHSType(rawValue: 1)
    public static let bidirectionalReadDataLength = AHSType(rawValue: 2)
}
