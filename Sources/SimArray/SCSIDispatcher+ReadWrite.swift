import SCSIWire

extension SCSIDispatcher {
    /// READ(10)/READ(16) (SBC-4 5.16-5.17). RDPROTECT != 0 was already refused by the CDB
    /// usage check; DPO and FUA are accepted (reads come from the store, there is no cache to
    /// bypass). TRANSFER LENGTH 0 is not an error, but its LBA is still checked.
    func read(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try BlockTransferCDB(parsing: request.cdb)
        let count = UInt64(cdb.transferLength)
        try checkRange(lba: cdb.logicalBlockAddress, count: count, unit)
        guard count <= transferLimit(unit) else {
            throw SCSICommandError.invalidFieldInCDB(byte: cdb.kind.length == 10 ? 7 : 10)
        }
        guard count > 0 else { return .good() }
        let data = try storeCall(.unrecoveredReadError) { try unit.store.read(lba: cdb.logicalBlockAddress, count: Int(count)) }
        return .good(data)
    }

    /// WRITE(10)/WRITE(16) (SBC-4 5.40-5.41). FUA flushes the store after the write. When the
    /// transport delivered less than the transfer length (iSCSI EDTL < SPDTL), the whole blocks
    /// that did arrive are written and nothing beyond them (FCP-4 option a, what libiscsi's
    /// residual tests expect); a partial block cannot be written and is refused (05/0E/03,
    /// option b). Extra bytes past the transfer are ignored. The result carries the transfer
    /// length so the transport can report the residual.
    func write(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try BlockTransferCDB(parsing: request.cdb)
        guard !unit.options.writeProtected else { throw SCSICommandError.writeProtected }
        let count = UInt64(cdb.transferLength)
        try checkRange(lba: cdb.logicalBlockAddress, count: count, unit)
        guard count <= transferLimit(unit) else {
            throw SCSICommandError.invalidFieldInCDB(byte: cdb.kind.length == 10 ? 7 : 10)
        }
        let length = Int(count) * unit.blockSize
        var done = SCSIResult.good()
        done.dataOutLength = length
        guard count > 0 else { return done }
        let arrived = min(length, request.dataOut.count)
        guard arrived == length || arrived % unit.blockSize == 0 else {
            // Answered, not thrown: the transport still needs SPDTL for the residual.
            var refused = SCSIResult(error: .invalidFieldInInformationUnit, for: request.initiator)
            refused.dataOutLength = length
            return refused
        }
        let blocks = UInt64(arrived / unit.blockSize)
        guard blocks > 0 else { return done }
        let data = request.dataOut.count == arrived ? request.dataOut : Array(request.dataOut.prefix(arrived))
        try prepareWrite(unit, lba: cdb.logicalBlockAddress, count: blocks)
        try storeCall(.writeError) {
            try unit.store.write(lba: cdb.logicalBlockAddress, data: data)
            if cdb.fua { try unit.store.flush() }
        }
        return done
    }

    /// SYNCHRONIZE CACHE(10/16) (SBC-4 5.26-5.27): flushes the whole store; the range is only
    /// checked (NUMBER OF LOGICAL BLOCKS 0 = to the end). IMMED is accepted.
    func synchronizeCache(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try SynchronizeCacheCDB(parsing: request.cdb)
        if cdb.numberOfBlocks == 0 {
            guard cdb.logicalBlockAddress <= unit.blockCount else { throw SCSICommandError.lbaOutOfRange(cdb.logicalBlockAddress) }
        } else {
            try checkRange(lba: cdb.logicalBlockAddress, count: UInt64(cdb.numberOfBlocks), unit)
        }
        try storeCall(.writeError) { try unit.store.flush() }
        return .good()
    }
}
