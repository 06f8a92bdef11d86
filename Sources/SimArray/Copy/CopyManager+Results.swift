import SCSIWire

/// RECEIVE COPY STATUS(LID1), FAILURE DETAILS(LID1), OPERATING PARAMETERS and COPY OPERATION
/// ABORT.
extension CopyManager {
    /// 84h/00h: the list's copy manager status, segments processed and transfer count (bytes,
    /// MiB above 4 GiB, as CTL; or KiB, as SCST). No such list: 05/24/00 at the list identifier.
    func receiveCopyStatus(_ request: SCSIRequest, on unit: LogicalUnit) -> SCSIResult {
        guard let x = xcopy, let cdb = try? ReceiveCopyResults(parsing: request.cdb) else {
            return SCSIResult(error: .invalidFieldInCDBNoPointer, for: request.initiator)
        }
        let key = listKey(request, unit, cdb.listIdentifier)
        guard let s = lists.state(key) else { return SCSIResult(error: .invalidFieldInCDB(byte: 2), for: request.initiator) }
        let units: TransferCountUnits
        let count: UInt64
        switch x.transferCountUnits {
        case .bytes:
            if s.bytesTransferred <= UInt64(UInt32.max) {
                (units, count) = (.bytes, s.bytesTransferred)
            } else {
                (units, count) = (.mebibytes, s.bytesTransferred >> 20)
            }
        case .kibibytes:
            (units, count) = (.kibibytes, s.bytesTransferred >> 10)
        }
        let status: CopyManagerStatus = !s.completed ? .inProgress : (s.failed ? .completedWithErrors : .completedWithoutErrors)
        let answer = ReceiveCopyStatusLID1(copyManagerStatus: status, segmentsProcessed: UInt16(clamping: s.segmentsProcessed),
                                           transferCountUnits: units, transferCount: UInt32(clamping: count))
        guard let bytes = try? answer.encoded() else { return SCSIResult(error: .internalTargetFailure, for: request.initiator) }
        if s.completed, x.statusReadReleasesList { lists.release(key) }
        return .good(bytes, allocationLength: Int(clamping: cdb.allocationLength))
    }

    /// 84h/04h: status and sense of a finished list (no details, AVAILABLE DATA 0, when it
    /// succeeded). Unknown or still running: 05/24/00 at the list identifier (CTL).
    func receiveCopyFailureDetails(_ request: SCSIRequest, on unit: LogicalUnit) -> SCSIResult {
        guard let x = xcopy, let cdb = try? ReceiveCopyResults(parsing: request.cdb) else {
            return SCSIResult(error: .invalidFieldInCDBNoPointer, for: request.initiator)
        }
        let key = listKey(request, unit, cdb.listIdentifier)
        guard let s = lists.state(key), s.completed else {
            return SCSIResult(error: .invalidFieldInCDB(byte: 2), for: request.initiator)
        }
        let details = s.failed ? ReceiveCopyFailureDetails(copyCommandStatus: s.failureStatus?.rawValue, senseData: s.failureSense)
                               : ReceiveCopyFailureDetails(copyCommandStatus: nil)
        guard let bytes = try? details.encoded() else { return SCSIResult(error: .internalTargetFailure, for: request.initiator) }
        if x.statusReadReleasesList { lists.release(key) }
        return .good(bytes, allocationLength: Int(clamping: cdb.allocationLength))
    }

    /// The operating parameters the profile *advertises* (which may promise more than it
    /// enforces).
    public var operatingParameters: ReceiveCopyOperatingParameters? {
        guard let x = xcopy else { return nil }
        return ReceiveCopyOperatingParameters(
            snlid: x.snlid, maximumCSCDDescriptorCount: x.maxCSCDDescriptors,
            maximumSegmentDescriptorCount: x.maxSegmentDescriptors, maximumDescriptorListLength: x.maxDescriptorListLength,
            maximumSegmentLength: x.maxSegmentLength, maximumInlineDataLength: x.maxInlineDataLength,
            heldDataLimit: x.heldDataLimit, maximumStreamDeviceTransferSize: 0, totalConcurrentCopies: x.totalConcurrentCopies,
            maximumConcurrentCopies: x.maxConcurrentCopies, dataSegmentGranularityLog2: x.dataSegmentGranularityLog2,
            inlineDataGranularityLog2: x.inlineDataGranularityLog2, heldDataGranularityLog2: x.heldDataGranularityLog2,
            implementedDescriptorTypeCodes: x.implementedDescriptorTypeCodes.map(CopyDescriptorTypeCode.init(rawValue:)))
    }

    /// 84h/03h. An ALLOCATION LENGTH below the profile's minimum is 05/24/00 (LIO: below 54,
    /// although its answer is 46 bytes).
    func receiveCopyOperatingParameters(_ request: SCSIRequest) -> SCSIResult {
        guard let x = xcopy, let cdb = try? ReceiveCopyResults(parsing: request.cdb),
              let bytes = try? operatingParameters?.encoded() else {
            return SCSIResult(error: .invalidFieldInCDBNoPointer, for: request.initiator)
        }
        guard cdb.allocationLength >= x.rcopMinimumAllocationLength else {
            return SCSIResult(error: .invalidFieldInCDB(byte: 10), for: request.initiator)
        }
        return .good(bytes, allocationLength: Int(clamping: cdb.allocationLength))
    }

    /// 83h/1Ch: the token service first (its operations share list identifiers), then this
    /// nexus' EXTENDED COPY list on this LU, which stops before its next chunk and ends in TASK
    /// ABORTED. A finished list is accepted and left alone; an unknown one is 05/24/00 at byte 2.
    func copyOperationAbort(_ request: SCSIRequest, on unit: LogicalUnit) -> SCSIResult {
        guard let cdb = try? CopyOperationAbort(parsing: request.cdb) else {
            return SCSIResult(error: .invalidFieldInCDBNoPointer, for: request.initiator)
        }
        if tokenService?.abort(listIdentifier: cdb.listIdentifier, initiator: request.initiator) == true { return .good() }
        guard cdb.listIdentifier <= 0xFF, lists.requestAbort(listKey(request, unit, cdb.listIdentifier)) else {
            return SCSIResult(error: .invalidFieldInCDB(byte: 2), for: request.initiator)
        }
        return .good()
    }
}
