import SCSIWire

/// A command that ends in CHECK CONDITION: the sense key, ASC/ASCQ and optional fields. Handlers
/// (the dispatcher's and a copy manager's) throw it; `SCSIResult(error:for:)` turns it into
/// sense bytes in the format the initiator wants.
public struct SCSICommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public var key: SenseKey
    public var additionalSense: AdditionalSense
    public var information: UInt64?
    public var commandSpecificInformation: UInt64?
    public var senseKeySpecific: SenseKeySpecific?

    public init(key: SenseKey, additionalSense: AdditionalSense, information: UInt64? = nil,
                commandSpecificInformation: UInt64? = nil, senseKeySpecific: SenseKeySpecific? = nil) {
        self.key = key
        self.additionalSense = additionalSense
        self.information = information
        self.commandSpecificInformation = commandSpecificInformation
        self.senseKeySpecific = senseKeySpecific
    }

    /// The sense data. Fixed format carries 32-bit INFORMATION only, so a larger value is left
    /// out there (with VALID clear) rather than truncated.
    public func senseData(format: SenseData.Format) -> SenseData {
        var info = information
        var csi = commandSpecificInformation
        if format == .fixed {
            if let i = info, i > UInt64(UInt32.max) { info = nil }
            if let c = csi, c > UInt64(UInt32.max) { csi = nil }
        }
        return SenseData(format: format, key: key, additionalSense: additionalSense, information: info,
                         commandSpecificInformation: csi, senseKeySpecific: senseKeySpecific)
    }

    public var description: String { "\(key), \(additionalSense)" }

    // MARK: - The conditions the block command set needs

    /// 05/20/00: the operation code is not supported.
    public static let invalidCommandOperationCode =
        SCSICommandError(key: .illegalRequest, additionalSense: .invalidCommandOperationCode)

    /// 05/24/00 with a field pointer into the CDB.
    public static func invalidFieldInCDB(byte: Int, bit: UInt8? = nil) -> SCSICommandError {
        SCSICommandError(key: .illegalRequest, additionalSense: .invalidFieldInCDB,
                         senseKeySpecific: .fieldPointer(inCDB: true, byte: UInt16(clamping: byte), bit: bit))
    }

    /// 05/24/00 without a field pointer (a CDB too short to hold the command).
    public static let invalidFieldInCDBNoPointer =
        SCSICommandError(key: .illegalRequest, additionalSense: .invalidFieldInCDB)

    /// 05/26/00 with a field pointer into the parameter list.
    public static func invalidFieldInParameterList(byte: Int, bit: UInt8? = nil) -> SCSICommandError {
        SCSICommandError(key: .illegalRequest, additionalSense: .invalidFieldInParameterList,
                         senseKeySpecific: .fieldPointer(inCDB: false, byte: UInt16(clamping: byte), bit: bit))
    }

    /// 05/1A/00: the parameter list is shorter than its own header.
    public static let parameterListLengthError =
        SCSICommandError(key: .illegalRequest, additionalSense: .parameterListLengthError)

    /// 05/21/00, INFORMATION = the offending LBA.
    public static func lbaOutOfRange(_ lba: UInt64) -> SCSICommandError {
        SCSICommandError(key: .illegalRequest, additionalSense: .lbaOutOfRange, information: lba)
    }

    /// 05/25/00: no such LU (or not reachable from this I_T nexus).
    public static let logicalUnitNotSupported =
        SCSICommandError(key: .illegalRequest, additionalSense: .logicalUnitNotSupported)

    /// 05/0E/03: the Data-Out buffer does not hold what the CDB says (libiscsi's residual tests
    /// accept exactly this or GOOD).
    public static let invalidFieldInInformationUnit =
        SCSICommandError(key: .illegalRequest, additionalSense: AdditionalSense(code: 0x0E, qualifier: 0x03))

    /// 05/39/00: MODE SENSE for saved values, which this target has none of.
    public static let savingParametersNotSupported =
        SCSICommandError(key: .illegalRequest, additionalSense: AdditionalSense(code: 0x39, qualifier: 0x00))

    /// 07/27/00.
    public static let writeProtected =
        SCSICommandError(key: .dataProtect, additionalSense: AdditionalSense(code: 0x27, qualifier: 0x00))

    /// 03/11/00: the store failed a read.
    public static let unrecoveredReadError =
        SCSICommandError(key: .mediumError, additionalSense: AdditionalSense(code: 0x11, qualifier: 0x00))

    /// 03/0C/00: the store failed a write.
    public static let writeError =
        SCSICommandError(key: .mediumError, additionalSense: AdditionalSense(code: 0x0C, qualifier: 0x00))

    /// 04/44/00: anything else that went wrong inside the target.
    public static let internalTargetFailure =
        SCSICommandError(key: .hardwareError, additionalSense: AdditionalSense(code: 0x44, qualifier: 0x00))

    /// 06/xx/xx.
    public static func unitAttention(_ sense: AdditionalSense) -> SCSICommandError {
        SCSICommandError(key: .unitAttention, additionalSense: sense)
    }
}
