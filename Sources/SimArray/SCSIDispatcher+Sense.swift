import SCSIWire

extension SCSIDispatcher {
    /// REQUEST SENSE (SPC-4 6.39). iSCSI delivers sense with the status, so this only ever
    /// reports a pending unit attention (clearing it), LOGICAL UNIT NOT SUPPORTED for a LUN with
    /// no LU, or NO SENSE. The status is GOOD either way; DESC picks the format.
    func requestSense(_ request: SCSIRequest, unit: LogicalUnit?) throws -> SCSIResult {
        let cdb = try RequestSenseCDB(parsing: request.cdb)
        let format: SenseData.Format = cdb.descriptorFormat ? .descriptor : .fixed
        let condition: SCSICommandError
        if unit == nil {
            condition = .logicalUnitNotSupported
        } else if let attention = array.takeUnitAttention(nexus: request.initiator.nexus, lun: request.lun) {
            condition = .unitAttention(attention)
        } else {
            condition = SCSICommandError(key: .noSense, additionalSense: .noAdditionalSenseInformation)
        }
        return .good(condition.senseData(format: format).encoded(), allocationLength: Int(cdb.allocationLength))
    }
}
