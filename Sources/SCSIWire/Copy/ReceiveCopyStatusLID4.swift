/// RECEIVE COPY STATUS(LID4) response (84h SA 05h): a 32-byte header plus sense data. The
/// same header opens the RECEIVE ROD TOKEN INFORMATION response, so ODX initiators poll
/// POPULATE TOKEN / WRITE USING TOKEN through it.
public struct ReceiveCopyStatusLID4: Equatable, Sendable {
    public static let headerLength = 32

    /// RESPONSE TO SERVICE ACTION (byte 4 bits 4-0): the THIRD PARTY COPY OUT service action
    /// that started the operation. Raw because `CopyOutServiceAction` cannot hold unknown values;
    /// see `copyOutServiceAction`.
    public var responseToServiceAction: UInt8
    public var copyOperationStatus: CopyOperationStatus
    /// OPERATION COUNTER: completed internal operations, for progress while in progress.
    public var operationCounter: UInt16
    /// Milliseconds until polling is worth it again; ddpt treats 0xFFFFFFFE/0xFFFFFFFF as
    /// unknown (CTL sends 0xFFFFFFFF).
    public var estimatedStatusUpdateDelay: UInt32
    /// EXTENDED COPY COMPLETION STATUS (byte 12), a SCSI status.
    public var completionStatus: UInt8
    /// The sense data field as sized by byte 13 (LENGTH OF THE SENSE DATA FIELD); anything
    /// that follows the header (a ROD token) starts after it.
    public var senseDataField: [UInt8]
    /// SENSE DATA LENGTH (byte 14): how much of `senseDataField` is valid sense data.
    public var senseDataLength: UInt8
    public var transferCountUnits: TransferCountUnits
    public var transferCount: UInt64
    public var segmentsProcessed: UInt16

    public init(responseToServiceAction: UInt8, copyOperationStatus: CopyOperationStatus,
                operationCounter: UInt16, estimatedStatusUpdateDelay: UInt32, completionStatus: UInt8,
                senseDataField: [UInt8], senseDataLength: UInt8,
                transferCountUnits: TransferCountUnits, transferCount: UInt64, segmentsProcessed: UInt16) {
        self.responseToServiceAction = responseToServiceAction
        self.copyOperationStatus = copyOperationStatus
        self.operationCounter = operationCounter
        self.estimatedStatusUpdateDelay = estimatedStatusUpdateDelay
        self.completionStatus = completionStatus
        self.senseDataField = senseDataField
        self.senseDataLength = senseDataLength
        self.transferCountUnits = transferCountUnits
        self.transferCount = transferCount
        self.segmentsProcessed = segmentsProcessed
    }

    /// The common case: the sense data field holds exactly the sense data (as CTL builds it).
    public init(responseToServiceAction: CopyOutServiceAction, copyOperationStatus: CopyOperationStatus,
                operationCounter: UInt16 = 0, estimatedStatusUpdateDelay: UInt32 = 0xFFFF_FFFF,
                completionStatus: UInt8 = 0, senseData: [UInt8] = [],
                transferCountUnits: TransferCountUnits, transferCount: UInt64, segmentsProcessed: UInt16 = 0) {
        self.init(responseToServiceAction: responseToServiceAction.rawValue,
                  copyOperationStatus: copyOperationStatus, operationCounter: operationCounter,
                  estimatedStatusUpdateDelay: estimatedStatusUpdateDelay, completionStatus: completionStatus,
                  senseDataField: senseData, senseDataLength: UInt8(truncatingIfNeeded: senseData.count),
                  transferCountUnits: transferCountUnits, transferCount: transferCount,
                  segmentsProcessed: segmentsProcessed)
    }

    public var copyOutServiceAction: CopyOutServiceAction? { CopyOutServiceAction(rawValue: responseToServiceAction) }

    /// The valid sense bytes: the first SENSE DATA LENGTH bytes of the field.
    public var senseData: [UInt8] { Array(senseDataField.prefix(Int(senseDataLength))) }

    public func transferredBytes(logicalBlockLength: UInt32? = nil) -> UInt64? {
        transferCountUnits.bytes(count: transferCount, logicalBlockLength: logicalBlockLength)
    }

    /// The 32-byte header must be present; the sense data field is clipped to what was
    /// returned. AVAILABLE DATA is not checked.
    public init(parsing bytes: [UInt8]) throws {
        try bytes.checkRange(0, ReceiveCopyStatusLID4.headerLength, "RECEIVE COPY STATUS(LID4) header")
        responseToServiceAction = bytes[4] & 0x1F
        copyOperationStatus = CopyOperationStatus(rawValue: bytes[5] & 0x7F)
        operationCounter = try bytes.be16(at: 6)
        estimatedStatusUpdateDelay = try bytes.be32(at: 8)
        completionStatus = bytes[12]
        senseDataField = bytes.clipped(from: ReceiveCopyStatusLID4.headerLength, count: Int(bytes[13]))
        senseDataLength = bytes[14]
        transferCountUnits = TransferCountUnits(rawValue: bytes[15])
        transferCount = try bytes.be64(at: 16)
        segmentsProcessed = try bytes.be16(at: 24)
    }

    /// 32 + sense field bytes, AVAILABLE DATA = 28 + sense field length.
    public func encoded() throws -> [UInt8] {
        try encoded(bytesFollowing: 0)
    }

    /// Header and sense field, with AVAILABLE DATA also counting `bytesFollowing` bytes the
    /// caller appends (RRTI's token descriptors).
    func encoded(bytesFollowing: Int) throws -> [UInt8] {
        guard responseToServiceAction <= 0x1F else {
            throw WireError.valueOutOfRange(what: "RESPONSE TO SERVICE ACTION", value: UInt64(responseToServiceAction), maximum: 0x1F)
        }
        guard copyOperationStatus.rawValue <= 0x7F else {
            throw WireError.valueOutOfRange(what: "COPY OPERATION STATUS", value: UInt64(copyOperationStatus.rawValue), maximum: 0x7F)
        }
        guard senseDataField.count <= 0xFF else {
            throw WireError.valueOutOfRange(what: "LENGTH OF THE SENSE DATA FIELD", value: UInt64(senseDataField.count), maximum: 0xFF)
        }
        let available = UInt64(ReceiveCopyStatusLID4.headerLength - 4 + senseDataField.count) + UInt64(bytesFollowing)
        guard available <= UInt64(UInt32.max) else {
            throw WireError.valueOutOfRange(what: "AVAILABLE DATA", value: available, maximum: UInt64(UInt32.max))
        }
        var out = [UInt8](repeating: 0, count: ReceiveCopyStatusLID4.headerLength)
        out.setBE32(UInt32(available), at: 0)
        out[4] = responseToServiceAction
        out[5] = copyOperationStatus.rawValue
        out.setBE16(operationCounter, at: 6)
        out.setBE32(estimatedStatusUpdateDelay, at: 8)
        out[12] = completionStatus
        out[13] = UInt8(senseDataField.count)
        out[14] = senseDataLength
        out[15] = transferCountUnits.rawValue
        out.setBE64(transferCount, at: 16)
        out.setBE16(segmentsProcessed, at: 24)
        return out + senseDataField
    }
}

/// COPY OPERATION STATUS of the LID4 status / RRTI header (byte 5 bits 6-0).
public struct CopyOperationStatus: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let completedWithoutErrors = CopyOperationStatus(rawValue: 0x01)
    public static let completedWithErrors = CopyOperationStatus(rawValue: 0x02)
    /// Completed, but the WRITE USING TOKEN used only part of the ROD token's data.
    public static let completedPartialRODTokenUsage = CopyOperationStatus(rawValue: 0x03)
    public static let completedWithResidualData = CopyOperationStatus(rawValue: 0x04)
    public static let inProgressUnknown = CopyOperationStatus(rawValue: 0x10)
    public static let inProgressForeground = CopyOperationStatus(rawValue: 0x11)
    public static let inProgressBackground = CopyOperationStatus(rawValue: 0x12)
    /// Aborted (COPY OPERATION ABORT or a reset).
    public static let terminated = CopyOperationStatus(rawValue: 0x60)

    /// 10h-12h: keep polling.
    public var isInProgress: Bool { (0x10...0x12).contains(rawValue) }
    /// 01h-04h: finished; 01h, 03h and 04h without errors.
    public var isCompleted: Bool { (0x01...0x04).contains(rawValue) }
    public var isSuccessful: Bool { self == .completedWithoutErrors || self == .completedPartialRODTokenUsage || self == .completedWithResidualData }

    public var description: String {
        switch self {
        case .completedWithoutErrors: return "completed without errors"
        case .completedWithErrors: return "completed with errors"
        case .completedPartialRODTokenUsage: return "completed without errors, partial ROD token usage"
        case .completedWithResidualData: return "completed without errors, with residual data"
        case .inProgressUnknown: return "in progress"
        case .inProgressForeground: return "in progress, foreground"
        case .inProgressBackground: return "in progress, background"
        case .terminated: return "terminated"
        default: return "copy operation status \(hexByte(rawValue))"
        }
    }
}
