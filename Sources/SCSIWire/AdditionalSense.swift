/// ADDITIONAL SENSE CODE and QUALIFIER, with names for the codes a copy engine must act on.
/// The table follows SPC-4 annex / sg3_utils `sg_lib_data.c` wording; unknown pairs still print.
public struct AdditionalSense: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var code: UInt8
    public var qualifier: UInt8
    public init(code: UInt8, qualifier: UInt8) { self.code = code; self.qualifier = qualifier }

    // Generic
    public static let noAdditionalSenseInformation = AdditionalSense(code: 0x00, qualifier: 0x00)
    public static let operationInProgress = AdditionalSense(code: 0x00, qualifier: 0x16)
    public static let extendedCopyInformationAvailable = AdditionalSense(code: 0x00, qualifier: 0x20)
    public static let logicalUnitNotReadyCauseNotReportable = AdditionalSense(code: 0x04, qualifier: 0x00)
    public static let logicalUnitCommunicationFailure = AdditionalSense(code: 0x08, qualifier: 0x00)
    public static let unreachableCopyTarget = AdditionalSense(code: 0x08, qualifier: 0x04)
    public static let parameterListLengthError = AdditionalSense(code: 0x1A, qualifier: 0x00)
    public static let invalidCommandOperationCode = AdditionalSense(code: 0x20, qualifier: 0x00)
    public static let lbaOutOfRange = AdditionalSense(code: 0x21, qualifier: 0x00)
    public static let invalidFieldInCDB = AdditionalSense(code: 0x24, qualifier: 0x00)
    public static let logicalUnitNotSupported = AdditionalSense(code: 0x25, qualifier: 0x00)
    public static let invalidFieldInParameterList = AdditionalSense(code: 0x26, qualifier: 0x00)
    public static let spaceAllocationFailedWriteProtect = AdditionalSense(code: 0x27, qualifier: 0x07)
    public static let powerOnResetOrBusDeviceReset = AdditionalSense(code: 0x29, qualifier: 0x00)
    public static let parametersChanged = AdditionalSense(code: 0x2A, qualifier: 0x00)
    public static let capacityDataHasChanged = AdditionalSense(code: 0x2A, qualifier: 0x09)
    public static let copyCannotExecuteSinceHostCannotDisconnect = AdditionalSense(code: 0x2B, qualifier: 0x00)
    public static let reportedLUNsDataHasChanged = AdditionalSense(code: 0x3F, qualifier: 0x0E)
    public static let insufficientResources = AdditionalSense(code: 0x55, qualifier: 0x03)
    public static let insufficientResourcesToCreateROD = AdditionalSense(code: 0x55, qualifier: 0x0C)
    public static let insufficientResourcesToCreateRODToken = AdditionalSense(code: 0x55, qualifier: 0x0D)
    // 0x0D: copy target device failures
    public static let errorDetectedByThirdPartyTemporaryInitiator = AdditionalSense(code: 0x0D, qualifier: 0x00)
    public static let thirdPartyDeviceFailure = AdditionalSense(code: 0x0D, qualifier: 0x01)
    public static let copyTargetDeviceNotReachable = AdditionalSense(code: 0x0D, qualifier: 0x02)
    public static let incorrectCopyTargetDeviceType = AdditionalSense(code: 0x0D, qualifier: 0x03)
    public static let copyTargetDeviceDataUnderrun = AdditionalSense(code: 0x0D, qualifier: 0x04)
    public static let copyTargetDeviceDataOverrun = AdditionalSense(code: 0x0D, qualifier: 0x05)
    // 0x23: invalid token operation
    public static let invalidTokenOperationCauseNotReportable = AdditionalSense(code: 0x23, qualifier: 0x00)
    public static let unsupportedTokenType = AdditionalSense(code: 0x23, qualifier: 0x01)
    public static let remoteTokenUsageNotSupported = AdditionalSense(code: 0x23, qualifier: 0x02)
    public static let remoteRODTokenCreationNotSupported = AdditionalSense(code: 0x23, qualifier: 0x03)
    public static let tokenUnknown = AdditionalSense(code: 0x23, qualifier: 0x04)
    public static let tokenCorrupt = AdditionalSense(code: 0x23, qualifier: 0x05)
    public static let tokenRevoked = AdditionalSense(code: 0x23, qualifier: 0x06)
    public static let tokenExpired = AdditionalSense(code: 0x23, qualifier: 0x07)
    public static let tokenCancelled = AdditionalSense(code: 0x23, qualifier: 0x08)
    public static let tokenDeleted = AdditionalSense(code: 0x23, qualifier: 0x09)
    public static let invalidTokenLength = AdditionalSense(code: 0x23, qualifier: 0x0A)
    // 0x26: parameter list problems specific to copy
    public static let tooManyTargetDescriptors = AdditionalSense(code: 0x26, qualifier: 0x06)
    public static let unsupportedTargetDescriptorTypeCode = AdditionalSense(code: 0x26, qualifier: 0x07)
    public static let tooManySegmentDescriptors = AdditionalSense(code: 0x26, qualifier: 0x08)
    public static let unsupportedSegmentDescriptorTypeCode = AdditionalSense(code: 0x26, qualifier: 0x09)
    public static let unexpectedInexactSegment = AdditionalSense(code: 0x26, qualifier: 0x0A)
    public static let inlineDataLengthExceeded = AdditionalSense(code: 0x26, qualifier: 0x0B)
    public static let invalidOperationForCopySourceOrDestination = AdditionalSense(code: 0x26, qualifier: 0x0C)
    public static let copySegmentGranularityViolation = AdditionalSense(code: 0x26, qualifier: 0x0D)
    public static let copySourceOrDestinationNotAuthorized = AdditionalSense(code: 0x26, qualifier: 0x15)
    public static let fastCopyNotPossible = AdditionalSense(code: 0x26, qualifier: 0x16)

    /// Names of exact ASC/ASCQ pairs.
    static let names: [UInt16: String] = [
        0x0000: "NO ADDITIONAL SENSE INFORMATION",
        0x0016: "OPERATION IN PROGRESS",
        0x0017: "CLEANING REQUESTED",
        0x0020: "EXTENDED COPY INFORMATION AVAILABLE",
        0x0400: "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE",
        0x0401: "LOGICAL UNIT IS IN PROCESS OF BECOMING READY",
        0x0402: "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED",
        0x0403: "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED",
        0x0407: "LOGICAL UNIT NOT READY, OPERATION IN PROGRESS",
        0x040A: "LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION",
        0x040B: "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE",
        0x040C: "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE",
        0x0800: "LOGICAL UNIT COMMUNICATION FAILURE",
        0x0801: "LOGICAL UNIT COMMUNICATION TIME-OUT",
        0x0802: "LOGICAL UNIT COMMUNICATION PARITY ERROR",
        0x0803: "LOGICAL UNIT COMMUNICATION CRC ERROR (ULTRA-DMA/32)",
        0x0804: "UNREACHABLE COPY TARGET",
        0x0D00: "ERROR DETECTED BY THIRD PARTY TEMPORARY INITIATOR",
        0x0D01: "THIRD PARTY DEVICE FAILURE",
        0x0D02: "COPY TARGET DEVICE NOT REACHABLE",
        0x0D03: "INCORRECT COPY TARGET DEVICE TYPE",
        0x0D04: "COPY TARGET DEVICE DATA UNDERRUN",
        0x0D05: "COPY TARGET DEVICE DATA OVERRUN",
        0x1100: "UNRECOVERED READ ERROR",
        0x1A00: "PARAMETER LIST LENGTH ERROR",
        0x1D00: "MISCOMPARE DURING VERIFY OPERATION",
        0x2000: "INVALID COMMAND OPERATION CODE",
        0x2100: "LOGICAL BLOCK ADDRESS OUT OF RANGE",
        0x2101: "INVALID ELEMENT ADDRESS",
        0x2300: "INVALID TOKEN OPERATION, CAUSE NOT REPORTABLE",
        0x2301: "INVALID TOKEN OPERATION, UNSUPPORTED TOKEN TYPE",
        0x2302: "INVALID TOKEN OPERATION, REMOTE TOKEN USAGE NOT SUPPORTED",
        0x2303: "INVALID TOKEN OPERATION, REMOTE ROD TOKEN CREATION NOT SUPPORTED",
        0x2304: "INVALID TOKEN OPERATION, TOKEN UNKNOWN",
        0x2305: "INVALID TOKEN OPERATION, TOKEN CORRUPT",
        0x2306: "INVALID TOKEN OPERATION, TOKEN REVOKED",
        0x2307: "INVALID TOKEN OPERATION, TOKEN EXPIRED",
        0x2308: "INVALID TOKEN OPERATION, TOKEN CANCELLED",
        0x2309: "INVALID TOKEN OPERATION, TOKEN DELETED",
        0x230A: "INVALID TOKEN OPERATION, INVALID TOKEN LENGTH",
        0x2400: "INVALID FIELD IN CDB",
        0x2500: "LOGICAL UNIT NOT SUPPORTED",
        0x2600: "INVALID FIELD IN PARAMETER LIST",
        0x2601: "PARAMETER NOT SUPPORTED",
        0x2602: "PARAMETER VALUE INVALID",
        0x2606: "TOO MANY TARGET DESCRIPTORS",
        0x2607: "UNSUPPORTED TARGET DESCRIPTOR TYPE CODE",
        0x2608: "TOO MANY SEGMENT DESCRIPTORS",
        0x2609: "UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE",
        0x260A: "UNEXPECTED INEXACT SEGMENT",
        0x260B: "INLINE DATA LENGTH EXCEEDED",
        0x260C: "INVALID OPERATION FOR COPY SOURCE OR DESTINATION",
        0x260D: "COPY SEGMENT GRANULARITY VIOLATION",
        0x2615: "COPY SOURCE OR COPY DESTINATION NOT AUTHORIZED",
        0x2616: "FAST COPY NOT POSSIBLE",
        0x2700: "WRITE PROTECTED",
        0x2707: "SPACE ALLOCATION FAILED WRITE PROTECT",
        0x2800: "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED",
        0x2900: "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED",
        0x2901: "POWER ON OCCURRED",
        0x2902: "SCSI BUS RESET OCCURRED",
        0x2903: "BUS DEVICE RESET FUNCTION OCCURRED",
        0x2904: "DEVICE INTERNAL RESET",
        0x2905: "TRANSCEIVER MODE CHANGED TO SINGLE-ENDED",
        0x2906: "TRANSCEIVER MODE CHANGED TO LVD",
        0x2907: "I_T NEXUS LOSS OCCURRED",
        0x2A00: "PARAMETERS CHANGED",
        0x2A01: "MODE PARAMETERS CHANGED",
        0x2A02: "LOG PARAMETERS CHANGED",
        0x2A03: "RESERVATIONS PREEMPTED",
        0x2A04: "RESERVATIONS RELEASED",
        0x2A05: "REGISTRATIONS PREEMPTED",
        0x2A06: "ASYMMETRIC ACCESS STATE CHANGED",
        0x2A07: "IMPLICIT ASYMMETRIC ACCESS STATE TRANSITION FAILED",
        0x2A09: "CAPACITY DATA HAS CHANGED",
        0x2A10: "TIMESTAMP CHANGED",
        0x2B00: "COPY CANNOT EXECUTE SINCE HOST CANNOT DISCONNECT",
        0x2C00: "COMMAND SEQUENCE ERROR",
        0x3A00: "MEDIUM NOT PRESENT",
        0x3E03: "LOGICAL UNIT FAILED SELF-TEST",
        0x3F00: "TARGET OPERATING CONDITIONS HAVE CHANGED",
        0x3F01: "MICROCODE HAS BEEN CHANGED",
        0x3F02: "CHANGED OPERATING DEFINITION",
        0x3F03: "INQUIRY DATA HAS CHANGED",
        0x3F04: "COMPONENT DEVICE ATTACHED",
        0x3F05: "DEVICE IDENTIFIER CHANGED",
        0x3F06: "REDUNDANCY GROUP CREATED OR MODIFIED",
        0x3F07: "REDUNDANCY GROUP DELETED",
        0x3F08: "SPARE CREATED OR MODIFIED",
        0x3F09: "SPARE DELETED",
        0x3F0A: "VOLUME SET CREATED OR MODIFIED",
        0x3F0B: "VOLUME SET DELETED",
        0x3F0C: "VOLUME SET DEASSIGNED",
        0x3F0D: "VOLUME SET REASSIGNED",
        0x3F0E: "REPORTED LUNS DATA HAS CHANGED",
        0x3F0F: "ECHO BUFFER OVERWRITTEN",
        0x3F10: "MEDIUM LOADABLE",
        0x3F11: "MEDIUM AUXILIARY MEMORY ACCESSIBLE",
        0x3F12: "ISCSI IP ADDRESS ADDED",
        0x3F13: "ISCSI IP ADDRESS REMOVED",
        0x3F14: "ISCSI IP ADDRESS CHANGED",
        0x4700: "SCSI PARITY ERROR",
        0x4B00: "DATA PHASE ERROR",
        0x5503: "INSUFFICIENT RESOURCES",
        0x550C: "INSUFFICIENT RESOURCES TO CREATE ROD",
        0x550D: "INSUFFICIENT RESOURCES TO CREATE ROD TOKEN",
    ]

    /// The standard's name, or nil for a pair this table does not know.
    public var name: String? { Self.names[UInt16(code) << 8 | UInt16(qualifier)] }

    public var description: String {
        let codes = "\(hexString([code]).uppercased())/\(hexString([qualifier]).uppercased())"
        if let name { return "\(name) (\(codes))" }
        if code >= 0x80 || qualifier >= 0x80 { return "vendor specific (\(codes))" }
        return "ASC/ASCQ \(codes)"
    }
}
