import SCSIWire

/// The ODX half of a copy manager: POPULATE TOKEN, WRITE USING TOKEN and RECEIVE ROD TOKEN
/// INFORMATION. The XCOPY copy manager owns the 83h/84h seam and hands these service actions
/// here, so EXTENDED COPY and token copies share list identifiers and COPY OPERATION ABORT.
public protocol TokenCopyService: AnyObject, Sendable {
    func populateToken(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult
    func writeUsingToken(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult
    func receiveRODTokenInformation(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult
    /// COPY OPERATION ABORT for `listIdentifier` from `initiator`; false when no token
    /// operation of that list identifier is known here (the copy manager then looks at its own).
    func abort(listIdentifier: UInt32, initiator: InitiatorContext) -> Bool
    /// A write is about to change blocks of `unit`: point-in-time tokens keep the old data.
    func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64)
    /// The LU is gone: its tokens become invalid.
    func logicalUnitRemoved(_ unit: LogicalUnit)
}
