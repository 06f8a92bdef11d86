import SCSIWire

extension SCSIDispatcher {
    /// REPORT LUNS (SPC-4 6.33): the LUNs this nexus can reach. SELECT REPORT 00h and 02h list
    /// them; 01h (well-known LUs only) and SPC-5's 10h-12h (administrative LUs) list nothing,
    /// there being none; anything else is an invalid field at byte 2. Clears a pending REPORTED
    /// LUNS DATA HAS CHANGED for the nexus, as SPC requires.
    func reportLuns(_ request: SCSIRequest) throws -> SCSIResult {
        let cdb = try ReportLunsCDB(parsing: request.cdb)
        let luns: [UInt64]
        switch cdb.selectReport {
        case 0x00, 0x02: luns = array.reachableLUNs(for: request.initiator)
        case 0x01, 0x10, 0x11, 0x12: luns = []
        default: throw SCSICommandError.invalidFieldInCDB(byte: 2)
        }
        array.clearUnitAttention(.reportedLUNsDataHasChanged, nexus: request.initiator.nexus)
        let data = ReportLunsData(lunFields: try luns.map(ReportLunsData.field(forLUN:))).encoded()
        return .good(data, allocationLength: Int(clamping: cdb.allocationLength))
    }
}
