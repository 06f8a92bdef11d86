import SCSIWire

extension SCSIDispatcher {
    /// UNMAP (SBC-4 5.32), served on thin LUs only (elsewhere the operation code is unknown, as
    /// on LIO without emulate_tpu). ANCHOR was refused by the CDB usage check.
    ///
    /// Parameter list checks, all before anything is unmapped:
    /// - PARAMETER LIST LENGTH 0: nothing to do; 1-7, or fewer than 8 bytes arriving: 05/1A/00.
    /// - UNMAP DATA LENGTH or BLOCK DESCRIPTOR DATA LENGTH claiming more than arrived: 05/26/00
    ///   pointing at the field (byte 0 or 2). A trailing partial descriptor is ignored (SBC).
    /// - More descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT: 05/26/00, byte 2.
    /// - More blocks in total than MAXIMUM UNMAP LBA COUNT: 05/26/00 at the descriptor's count.
    /// - A range past the end: 05/21/00, INFORMATION = its LBA.
    func unmap(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try UnmapCDB(parsing: request.cdb)
        let options = unit.options
        guard !options.writeProtected else { throw SCSICommandError.writeProtected }
        let listLength = Int(cdb.parameterListLength)
        guard listLength > 0 else { return .good() }
        guard listLength >= 8, request.dataOut.count >= 8 else { throw SCSICommandError.parameterListLengthError }
        let data = Array(request.dataOut.prefix(listLength))
        let list: UnmapParameterList
        do {
            list = try UnmapParameterList(parsing: data)
        } catch {
            throw SCSICommandError.parameterListLengthError
        }
        guard Int(list.unmapDataLength) + 2 <= data.count else { throw SCSICommandError.invalidFieldInParameterList(byte: 0) }
        guard Int(list.blockDescriptorDataLength) + 8 <= data.count else { throw SCSICommandError.invalidFieldInParameterList(byte: 2) }
        guard UInt64(list.descriptors.count) <= UInt64(options.maximumUnmapBlockDescriptorCount) else {
            throw SCSICommandError.invalidFieldInParameterList(byte: 2)
        }
        var total: UInt64 = 0
        for (i, d) in list.descriptors.enumerated() {
            try checkRange(lba: d.logicalBlockAddress, count: UInt64(d.numberOfBlocks), unit)
            total += UInt64(d.numberOfBlocks)
            guard total <= UInt64(options.maximumUnmapLBACount) else {
                throw SCSICommandError.invalidFieldInParameterList(byte: 8 + 16 * i + 8)
            }
        }
        for d in list.descriptors where d.numberOfBlocks > 0 {
            try prepareWrite(unit, lba: d.logicalBlockAddress, count: UInt64(d.numberOfBlocks), allocates: false)
        }
        try storeCall(.writeError) {
            for d in list.descriptors where d.numberOfBlocks > 0 {
                try unit.store.unmap(lba: d.logicalBlockAddress, count: UInt64(d.numberOfBlocks))
            }
        }
        return .good()
    }
}
