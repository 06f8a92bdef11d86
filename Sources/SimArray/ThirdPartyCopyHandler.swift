import SCSIWire

/// The copy manager seam. The dispatcher owns the block commands; THIRD PARTY COPY OUT (83h:
/// EXTENDED COPY, POPULATE TOKEN, WRITE USING TOKEN, COPY OPERATION ABORT) and THIRD PARTY COPY
/// IN (84h: RECEIVE COPY RESULTS, RRTI, ...) go to the installed handler. With none installed
/// they get ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE and VPD 0x8F is absent.
///
/// Before calling `execute`, the dispatcher has resolved and masked the LU, delivered pending
/// unit attentions, and checked the service action, CDB length and reserved bits against
/// `supportedOperations(for:)`. Calls come from several sessions at once and run synchronously
/// on the caller's thread; a long copy blocks only its own command.
public protocol ThirdPartyCopyHandler: AnyObject, Sendable {
    /// The 83h/84h service actions this LU serves (REPORT SUPPORTED OPERATION CODES lists them,
    /// the dispatcher routes only them). Default: the Supported Commands descriptor of the
    /// handler's VPD 0x8F, with SPC's CDB usage.
    func supportedOperations(for unit: LogicalUnit) -> [SupportedOperation]
    /// VPD 0x8F for this LU; nil = the LU has no such page (LIO, SCST, most arrays).
    func thirdPartyCopyPage(for unit: LogicalUnit) -> ThirdPartyCopyPage?
    /// Runs one 83h/84h command received by `unit`. `directory` resolves CSCD designators and
    /// reachability from `request.initiator`. Build failures with `SCSIResult(error:for:)`.
    func execute(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult
    /// The array removed a LU (CTL frees its unused tokens). Default: nothing.
    /// Some arrays (QNAP) reject an INQUIRY for VPD 0x8F whose allocation length is shorter
    /// than the whole page. nil = any length is fine.
    func minimumThirdPartyCopyPageAllocationLength(for unit: LogicalUnit) -> Int?
    func logicalUnitRemoved(_ unit: LogicalUnit)
    /// `count` blocks of `unit` from `lba` are about to change (WRITE, WRITE SAME, UNMAP; the
    /// dispatcher calls it after its checks, just before the store). Point-in-time ROD tokens save
    /// the old data here (`TokenCopyService.willModify`). Default: nothing.
    func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64)
}

extension ThirdPartyCopyHandler {
    public func supportedOperations(for unit: LogicalUnit) -> [SupportedOperation] {
        guard let commands = thirdPartyCopyPage(for: unit)?.supportedCommands else { return [] }
        return commands.flatMap { command in
            command.serviceActions.compactMap {
                SupportedOperation.thirdPartyCopy(operationCode: command.operationCode.rawValue, serviceAction: $0)
            }
        }
    }

    public func minimumThirdPartyCopyPageAllocationLength(for unit: LogicalUnit) -> Int? { nil }

    public func logicalUnitRemoved(_ unit: LogicalUnit) {}

    public func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64) {}
}
