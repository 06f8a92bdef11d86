/// RECEIVE COPY STATUS(LID1) response (84h SA 00h, 12 bytes): progress of an EXTENDED
/// COPY(LID1) by list identifier. SCST and CTL implement it; LIO does not (24/00).
public struct ReceiveCopyStatusLID1: Equatable, Sendable {
    public static let length = 12

    /// HDD (byte 4 bit 7): held data was discarded.
    public var heldDataDiscarded: Bool
    public var copyManagerStatus: CopyManagerStatus
    public var segmentsProcessed: UInt16
    public var transferCountUnits: TransferCountUnits
    public var transferCount: UInt32

    public init(heldDataDiscarded: Bool = false, copyManagerStatus: CopyManagerStatus,
                segmentsProcessed: UInt16, transferCountUnits: TransferCountUnits, transferCount: UInt32) {
        self.heldDataDiscarded = heldDataDiscarded
        self.copyManagerStatus = copyManagerStatus
        self.segmentsProcessed = segmentsProcessed
        self.transferCountUnits = transferCountUnits
        self.transferCount = transferCount
    }

    /// Bytes transferred so far, or nil for units that need a block length not given, or are
    /// unknown.
    public func transferredBytes(logicalBlockLength: UInt32? = nil) -> UInt64? {
        transferCountUnits.bytes(count: UInt64(transferCount), logicalBlockLength: logicalBlockLength)
    }

    /// AVAILABLE DATA is not checked; the 12 bytes must be present.
    public init(parsing bytes: [UInt8]) throws {
        try bytes.checkRange(0, ReceiveCopyStatusLID1.length, "RECEIVE COPY STATUS(LID1) response")
        heldDataDiscarded = bytes[4] & 0x80 != 0
        copyManagerStatus = CopyManagerStatus(rawValue: bytes[4] & 0x7F)
        segmentsProcessed = try bytes.be16(at: 5)
        transferCountUnits = TransferCountUnits(rawValue: bytes[7])
        transferCount = try bytes.be32(at: 8)
    }

    public func encoded() throws -> [UInt8] {
        guard copyManagerStatus.rawValue <= 0x7F else {
            throw WireError.valueOutOfRange(what: "COPY MANAGER STATUS", value: UInt64(copyManagerStatus.rawValue), maximum: 0x7F)
        }
        var out = [UInt8](repeating: 0, count: ReceiveCopyStatusLID1.length)
        out.setBE32(8, at: 0)
        out[4] = (heldDataDiscarded ? 0x80 : 0) | copyManagerStatus.rawValue
        out.setBE16(segmentsProcessed, at: 5)
        out[7] = transferCountUnits.rawValue
        out.setBE32(transferCount, at: 8)
        return out
    }
}

/// COPY MANAGER STATUS of RECEIVE COPY STATUS(LID1) (byte 4 bits 6-0).
public struct CopyManagerStatus: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let inProgress = CopyManagerStatus(rawValue: 0x00)
    public static let completedWithoutErrors = CopyManagerStatus(rawValue: 0x01)
    public static let completedWithErrors = CopyManagerStatus(rawValue: 0x02)

    public var isInProgress: Bool { self == .inProgress }

    public var description: String {
        switch self {
        case .inProgress: return "in progress"
        case .completedWithoutErrors: return "completed without errors"
        case .completedWithErrors: return "completed with errors"
        default: return "copy manager status \(hexByte(rawValue))"
        }
    }
}

/// TRANSFER COUNT UNITS of the copy status responses (LID1 byte 7, LID4/RRTI byte 15): the
/// unit of TRANSFER COUNT. SCST reports KiB; CTL bytes (MiB above 4 GiB) for LID1, bytes for
/// LID4 status and logical blocks for RRTI.
public struct TransferCountUnits: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bytes = TransferCountUnits(rawValue: 0x00)
    public static let kibibytes = TransferCountUnits(rawValue: 0x01)
    public static let mebibytes = TransferCountUnits(rawValue: 0x02)
    public static let gibibytes = TransferCountUnits(rawValue: 0x03)
    public static let tebibytes = TransferCountUnits(rawValue: 0x04)
    public static let pebibytes = TransferCountUnits(rawValue: 0x05)
    public static let exbibytes = TransferCountUnits(rawValue: 0x06)
    /// Logical blocks of the destination (SPC-4 F1h).
    public static let logicalBlocks = TransferCountUnits(rawValue: 0xF1)

    /// log2 of the unit for the byte-multiple units 00h-06h.
    public var shift: UInt64? { rawValue <= 0x06 ? UInt64(rawValue) * 10 : nil }

    /// `count` in bytes, saturating at UInt64.max. Nil for unknown units, and for logical
    /// blocks when no block length is given.
    public func bytes(count: UInt64, logicalBlockLength: UInt32? = nil) -> UInt64? {
        if let shift {
            return count > (UInt64.max >> shift) ? UInt64.max : count << shift
        }
        if self == .logicalBlocks, let blockLength = logicalBlockLength {
            let (product, overflow) = count.multipliedReportingOverflow(by: UInt64(blockLength))
            return overflow ? UInt64.max : product
        }
        return nil
    }

    public var description: String {
        switch self {
        case .bytes: return "bytes"
        case .kibibytes: return "KiB"
        case .mebibytes: return "MiB"
        case .gibibytes: return "GiB"
        case .tebibytes: return "TiB"
        case .pebibytes: return "PiB"
        case .exbibytes: return "EiB"
        case .logicalBlocks: return "logical blocks"
        default: return "transfer count units \(hexByte(rawValue))"
        }
    }
}
