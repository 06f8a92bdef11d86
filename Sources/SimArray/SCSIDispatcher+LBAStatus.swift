import SCSIWire

extension SCSIDispatcher {
    /// Descriptors one GET LBA STATUS returns at most, whatever the allocation length.
    static let maximumLBAStatusDescriptors = 64

    /// GET LBA STATUS(16) (SBC-4 5.8): extents from STARTING LBA on, each mapped or deallocated,
    /// as many as the allocation length holds (at least the first, truncated if it must be). A
    /// fully provisioned LU is one mapped extent. A starting LBA past the last is 05/21/00.
    func getLBAStatus(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try GetLBAStatusCDB(parsing: request.cdb)
        let capacity = unit.blockCount
        guard cdb.startingLBA < capacity else { throw SCSICommandError.lbaOutOfRange(cdb.startingLBA) }
        let allocation = Int(clamping: cdb.allocationLength)
        let wanted = Swift.min(Self.maximumLBAStatusDescriptors, Swift.max(1, (allocation - 8) / 16))
        var descriptors: [LBAStatusDescriptor] = []
        var lba = cdb.startingLBA
        let thin = unit.options.thinProvisioned
        while descriptors.count < wanted, lba < capacity {
            let limit = Swift.min(capacity - lba, UInt64(UInt32.max))
            let extent = thin
                ? try storeCall(.unrecoveredReadError) { try unit.store.provisioningExtent(from: lba, limit: limit) }
                : ProvisioningExtent(mapped: true, blockCount: limit)
            // A store may answer past the limit; never report past it (or past the end).
            let length = Swift.min(extent.blockCount, limit)
            guard length > 0 else { break }
            descriptors.append(LBAStatusDescriptor(logicalBlockAddress: lba, numberOfBlocks: UInt32(length),
                                                   provisioningStatus: extent.mapped ? .mapped : .deallocated))
            lba += length
        }
        return .good(LBAStatusData(descriptors: descriptors).encoded(), allocationLength: allocation)
    }
}
