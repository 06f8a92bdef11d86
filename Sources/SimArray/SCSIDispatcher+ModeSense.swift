import SCSIWire

extension SCSIDispatcher {
    /// MODE SENSE(6)/(10) (SPC-4 6.11-6.12) with the Caching (08h) and Control (0Ah) pages, or
    /// all of them (3Fh). The header's device-specific parameter carries WP and DPOFUA (libiscsi's
    /// DpoFua tests read it to decide whether DPO/FUA must be accepted). Nothing is changeable
    /// (there is no MODE SELECT) and nothing is saved (PC 11b: 05/39/00). Subpages: 00h, or FFh
    /// ("all subpages", which for these pages are just the pages).
    func modeSense(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try ModeSenseCDB(parsing: request.cdb)
        guard cdb.pageControl != .saved else { throw SCSICommandError.savingParametersNotSupported }
        guard cdb.subpageCode == 0x00 || cdb.subpageCode == 0xFF else { throw SCSICommandError.invalidFieldInCDB(byte: 3) }
        let options = unit.options
        let changeable = cdb.pageControl == .changeable
        let caching = CachingModePage(writeCacheEnabled: options.writeCacheEnabled).encoded(changeableMask: changeable)
        let control = ControlModePage(descriptorSense: request.initiator.descriptorSense).encoded(changeableMask: changeable)
        let pages: [[UInt8]]
        switch cdb.pageCode {
        case CachingModePage.pageCode: pages = [caching]
        case ControlModePage.pageCode: pages = [control]
        case 0x3F: pages = [caching, control]
        default: throw SCSICommandError.invalidFieldInCDB(byte: 2, bit: 5)
        }
        let descriptors = cdb.dbd ? [] : [ModeBlockDescriptor(numberOfBlocks: unit.blockCount, blockLength: UInt32(unit.blockSize))]
        let list = ModeParameterList(
            is10: cdb.is10,
            deviceSpecificParameter: ModeParameterList.deviceSpecificParameter(writeProtected: options.writeProtected, dpoFUA: true),
            longLBA: cdb.is10 && cdb.llbaa && unit.blockCount > 0xFFFF_FFFF,
            blockDescriptors: descriptors, pages: pages)
        return .good(list.encoded(), allocationLength: Int(cdb.allocationLength))
    }
}
