import SCSIWire

extension SCSIDispatcher {
    /// READ CAPACITY(10) (SBC-4 5.21). With PMI 0 the LBA field must be 0 (SBC-3).
    func readCapacity10(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try ReadCapacity10CDB(parsing: request.cdb)
        guard cdb.pmi || cdb.logicalBlockAddress == 0 else { throw SCSICommandError.invalidFieldInCDB(byte: 2) }
        return .good(unit.readCapacity10().encoded())
    }

    /// READ CAPACITY(16) (SBC-4 5.22); any allocation length, 0 included, is fine.
    func readCapacity16(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try ReadCapacity16CDB(parsing: request.cdb)
        return .good(unit.readCapacity16().encoded(), allocationLength: Int(clamping: cdb.allocationLength))
    }
}
