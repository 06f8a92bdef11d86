import SCSIWire

/// How a third-party copy command ends when it does not end GOOD: CHECK CONDITION with sense
/// (and, for COPY ABORTED in CTL style, forwarded sense descriptors carrying what the source or
/// destination itself answered), or TASK ABORTED after COPY OPERATION ABORT.
struct CopyFailure: Error, Equatable {
    var status: SCSIStatus
    var error: SCSICommandError?
    var forwarded: [ForwardedSense]

    init(_ error: SCSICommandError, forwarded: [ForwardedSense] = []) {
        self.status = .checkCondition
        self.error = error
        self.forwarded = forwarded
    }

    private init(status: SCSIStatus) {
        self.status = status
        self.error = nil
        self.forwarded = []
    }

    /// COPY OPERATION ABORT stopped the copy (CTL: `ctl_set_task_aborted`).
    static let taskAborted = CopyFailure(status: .taskAborted)

    /// The result in the initiator's sense format. Fixed format has no room for forwarded sense
    /// descriptors, so they are left out there (as CTL does).
    func result(for initiator: InitiatorContext) -> SCSIResult {
        guard let error else { return SCSIResult(status: status) }
        var sense = error.senseData(format: initiator.senseFormat)
        if sense.format == .descriptor { sense.forwarded = forwarded }
        return SCSIResult(status: .checkCondition, sense: sense.encoded())
    }

    // MARK: - ILLEGAL REQUEST conditions of the parameter list

    static let parameterListLength = CopyFailure(.parameterListLengthError)

    static func invalidParameter(byte: Int, bit: UInt8? = nil) -> CopyFailure {
        CopyFailure(.invalidFieldInParameterList(byte: byte, bit: bit))
    }

    static func illegal(_ asc: AdditionalSense, pointer: Int? = nil) -> CopyFailure {
        CopyFailure(SCSICommandError(key: .illegalRequest, additionalSense: asc,
                                     senseKeySpecific: pointer.map { .fieldPointer(inCDB: false, byte: UInt16(clamping: $0)) }))
    }

    static func invalidCDB(byte: Int) -> CopyFailure { CopyFailure(.invalidFieldInCDB(byte: byte)) }

    /// 05/00/16: a list identifier still in use by a running copy (SPC-4 EXTENDED COPY).
    static let operationInProgress = CopyFailure(SCSICommandError(key: .illegalRequest, additionalSense: .operationInProgress))

    /// 02/08/00: LIO's answer to source and destination block sizes that differ.
    static let logicalUnitCommunicationFailure =
        CopyFailure(SCSICommandError(key: .notReady, additionalSense: .logicalUnitCommunicationFailure))

    /// The sense an out-of-space fault answers with: 27/xx is DATA PROTECT, the 55/xx
    /// resource conditions ILLEGAL REQUEST (the dispatcher's write paths use the same rule).
    static func outOfSpace(_ asc: AdditionalSense, segment: Int?) -> CopyFailure {
        CopyFailure(SCSICommandError(key: asc.code == 0x27 ? .dataProtect : .illegalRequest, additionalSense: asc,
                                     commandSpecificInformation: segment.map(UInt64.init)))
    }
}

/// What a source or destination LU "answered" to the copy manager's internal I/O, for the
/// forwarded sense descriptor: the condition in fixed format, as a device would return it.
enum DeviceCondition: Equatable {
    case lbaOutOfRange(UInt64)
    case readError
    case writeError
    case writeProtected

    var error: SCSICommandError {
        switch self {
        case let .lbaOutOfRange(lba): return .lbaOutOfRange(lba)
        case .readError: return .unrecoveredReadError
        case .writeError: return .writeError
        case .writeProtected: return .writeProtected
        }
    }

    var senseBytes: [UInt8] { error.senseData(format: .fixed).encoded() }
}

/// Which side of a segment a failure belongs to.
enum CopySide: Equatable {
    case source, destination

    var forwardedSource: ForwardedSense.Source { self == .source ? .copySource : .copyDestination(0) }
    /// The segment descriptor byte holding this side's CSCD ID.
    var indexField: Int { self == .source ? 4 : 6 }
}
