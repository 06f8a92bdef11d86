/// A SCSI operation code (CDB byte 0), named for the commands this project sends or serves.
public struct OperationCode: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let testUnitReady = OperationCode(rawValue: 0x00)
    public static let requestSense = OperationCode(rawValue: 0x03)
    public static let inquiry = OperationCode(rawValue: 0x12)
    public static let readCapacity10 = OperationCode(rawValue: 0x25)
    public static let read10 = OperationCode(rawValue: 0x28)
    public static let write10 = OperationCode(rawValue: 0x2A)
    public static let synchronizeCache10 = OperationCode(rawValue: 0x35)
    public static let unmap = OperationCode(rawValue: 0x42)
    /// EXTENDED COPY (LID1/LID4), POPULATE TOKEN, WRITE USING TOKEN, COPY OPERATION ABORT:
    /// "THIRD PARTY COPY OUT" since SPC-4 r34; the service action tells them apart.
    public static let thirdPartyCopyOut = OperationCode(rawValue: 0x83)
    /// RECEIVE COPY RESULTS family and RECEIVE ROD TOKEN INFORMATION: "THIRD PARTY COPY IN".
    public static let thirdPartyCopyIn = OperationCode(rawValue: 0x84)
    public static let read16 = OperationCode(rawValue: 0x88)
    public static let write16 = OperationCode(rawValue: 0x8A)
    public static let synchronizeCache16 = OperationCode(rawValue: 0x91)
    public static let writeSame16 = OperationCode(rawValue: 0x93)
    /// SERVICE ACTION IN(16): READ CAPACITY(16) (SA 10h), GET LBA STATUS (SA 12h).
    public static let serviceActionIn16 = OperationCode(rawValue: 0x9E)
    public static let reportLuns = OperationCode(rawValue: 0xA0)
    /// MAINTENANCE IN: REPORT SUPPORTED OPERATION CODES (SA 0Ch).
    public static let maintenanceIn = OperationCode(rawValue: 0xA3)

    public var description: String {
        switch self {
        case .testUnitReady: return "TEST UNIT READY"
        case .requestSense: return "REQUEST SENSE"
        case .inquiry: return "INQUIRY"
        case .readCapacity10: return "READ CAPACITY(10)"
        case .read10: return "READ(10)"
        case .write10: return "WRITE(10)"
        case .synchronizeCache10: return "SYNCHRONIZE CACHE(10)"
        case .unmap: return "UNMAP"
        case .thirdPartyCopyOut: return "THIRD PARTY COPY OUT"
        case .thirdPartyCopyIn: return "THIRD PARTY COPY IN"
        case .read16: return "READ(16)"
        case .write16: return "WRITE(16)"
        case .synchronizeCache16: return "SYNCHRONIZE CACHE(16)"
        case .writeSame16: return "WRITE SAME(16)"
        case .serviceActionIn16: return "SERVICE ACTION IN(16)"
        case .reportLuns: return "REPORT LUNS"
        case .maintenanceIn: return "MAINTENANCE IN"
        default: return "opcode 0x" + hexString([rawValue]).uppercased()
        }
    }
}

/// Service actions of THIRD PARTY COPY OUT (0x83), SPC-4 table 8.
public enum CopyOutServiceAction: UInt8, Sendable, CaseIterable {
    case extendedCopyLID1 = 0x00
    case extendedCopyLID4 = 0x01
    case populateToken = 0x10
    case writeUsingToken = 0x11
    case copyOperationAbort = 0x1C
}

/// Service actions of THIRD PARTY COPY IN (0x84).
public enum CopyInServiceAction: UInt8, Sendable, CaseIterable {
    case receiveCopyStatusLID1 = 0x00
    case receiveCopyDataLID1 = 0x01
    case receiveCopyOperatingParameters = 0x03
    case receiveCopyFailureDetailsLID1 = 0x04
    case receiveCopyStatusLID4 = 0x05
    case receiveCopyDataLID4 = 0x06
    case receiveRODTokenInformation = 0x07
    case reportAllRODTokens = 0x08
}
