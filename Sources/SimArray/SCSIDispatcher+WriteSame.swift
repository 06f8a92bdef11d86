import SCSIWire

extension SCSIDispatcher {
    /// WRITE SAME(16) (SBC-4 5.53).
    ///
    /// - WRPROTECT and ANCHOR were refused by the CDB usage check (no protection information,
    ///   ANC_SUP 0); so was UNMAP on a fully provisioned LU (LBPWS 0).
    /// - NUMBER OF LOGICAL BLOCKS 0 means "to the last LBA" unless WSNZ is set (then it is an
    ///   invalid field, byte 10); more than MAXIMUM WRITE SAME LENGTH is an invalid field too.
    /// - NDOB: no Data-Out buffer, the block is zeros. Otherwise exactly one block must arrive
    ///   (05/0E/03 if not: libiscsi's InvalidDataOutSize expects an ILLEGAL REQUEST).
    /// - UNMAP with a block that reads back like an unmapped one (zeros, LBPRZ) deallocates the
    ///   range; with any other data the blocks are written, as SBC allows.
    func writeSame16(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try WriteSame16CDB(parsing: request.cdb)
        let options = unit.options
        guard !options.writeProtected else { throw SCSICommandError.writeProtected }
        let lba = cdb.logicalBlockAddress
        var count = UInt64(cdb.numberOfBlocks)
        if count == 0 {
            guard !options.writeSameNonZero else { throw SCSICommandError.invalidFieldInCDB(byte: 10) }
            guard lba < unit.blockCount else { throw SCSICommandError.lbaOutOfRange(lba) }
            count = unit.blockCount - lba
        }
        try checkRange(lba: lba, count: count, unit)
        if options.maximumWriteSameLength > 0, count > options.maximumWriteSameLength {
            throw SCSICommandError.invalidFieldInCDB(byte: 10)
        }
        let block: [UInt8]
        if cdb.noDataOutBuffer {
            block = [UInt8](repeating: 0, count: unit.blockSize)
        } else {
            guard request.dataOut.count == unit.blockSize else { throw SCSICommandError.invalidFieldInInformationUnit }
            block = request.dataOut
        }
        let deallocate = cdb.unmap && options.thinProvisioned && options.unmappedReadsZero && !block.contains { $0 != 0 }
        try prepareWrite(unit, lba: lba, count: count, allocates: !deallocate)
        try storeCall(.writeError) {
            if deallocate {
                try unit.store.unmap(lba: lba, count: count)
            } else {
                try unit.store.writeSame(lba: lba, count: count, block: block)
            }
        }
        return .good()
    }
}
