import SCSIWire

/// The CHECK CONDITIONs of the token commands, in one place so the tests and the code agree on
/// every key, ASC/ASCQ and field pointer.
enum TokenSense {
    /// 05/23/xx INVALID TOKEN OPERATION.
    static func invalidToken(_ sense: AdditionalSense) -> SCSICommandError {
        SCSICommandError(key: .illegalRequest, additionalSense: sense)
    }

    /// 05/26/00 without a field pointer (CTL: overlapping ranges, a ROD exhausted mid-copy,
    /// block sizes that differ).
    static let invalidFieldInParameterListNoPointer =
        SCSICommandError(key: .illegalRequest, additionalSense: .invalidFieldInParameterList)

    /// 05/26/08 TOO MANY SEGMENT DESCRIPTORS (SBC's answer to too many range descriptors).
    static let tooManySegmentDescriptors =
        SCSICommandError(key: .illegalRequest, additionalSense: .tooManySegmentDescriptors)

    /// 05/00/16 OPERATION IN PROGRESS.
    static let operationInProgress =
        SCSICommandError(key: .illegalRequest, additionalSense: .operationInProgress)

    /// 0A/0D/04 COPY ABORTED, COPY TARGET DEVICE DATA UNDERRUN, INFORMATION = blocks written:
    /// a WRITE USING TOKEN that wrote less than asked (Windows reads the count from INFORMATION
    /// and resumes from there, classpnp `retry.c`).
    static func truncated(blocksWritten: UInt64) -> SCSICommandError {
        SCSICommandError(key: .copyAborted, additionalSense: .copyTargetDeviceDataUnderrun, information: blocksWritten)
    }

    /// The out-of-space fault's condition: 27/xx with DATA PROTECT (27/07 SPACE ALLOCATION
    /// FAILED WRITE PROTECT, SBC's thin provisioning answer), anything else (55/03, 55/0C, 55/0D
    /// INSUFFICIENT RESOURCES...) with ILLEGAL REQUEST.
    static func outOfSpace(_ sense: AdditionalSense) -> SCSICommandError {
        SCSICommandError(key: sense.code == 0x27 ? .dataProtect : .illegalRequest, additionalSense: sense)
    }
}
