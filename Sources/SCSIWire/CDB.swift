/// Builders for the CDBs of the non-copy commands; the copy family's live beside their
/// parameter lists. Each returns the exact bytes to send.
public enum CDB {
    public static func testUnitReady() -> [UInt8] { [0x00, 0, 0, 0, 0, 0] }

    /// INQUIRY: standard data when `page` is nil, else the VPD page (EVPD=1).
    public static func inquiry(page: VPDPageCode? = nil, allocationLength: UInt16) -> [UInt8] {
        var c: [UInt8] = [OperationCode.inquiry.rawValue, page == nil ? 0 : 1, page?.rawValue ?? 0, 0, 0, 0]
        c.setBE16(allocationLength, at: 3)
        return c
    }

    public static func readCapacity16(allocationLength: UInt32 = 32) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 16)
        c[0] = OperationCode.serviceActionIn16.rawValue
        c[1] = 0x10
        c.setBE32(allocationLength, at: 10)
        return c
    }

    /// REPORT LUNS with SELECT REPORT 0 (all LUNs the initiator can address).
    public static func reportLuns(allocationLength: UInt32) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 12)
        c[0] = OperationCode.reportLuns.rawValue
        c.setBE32(allocationLength, at: 6)
        return c
    }

    public static func read16(lba: UInt64, blocks: UInt32, fua: Bool = false) -> [UInt8] {
        block16(.read16, lba: lba, blocks: blocks, fua: fua)
    }

    public static func write16(lba: UInt64, blocks: UInt32, fua: Bool = false) -> [UInt8] {
        block16(.write16, lba: lba, blocks: blocks, fua: fua)
    }

    /// SYNCHRONIZE CACHE(16) (SBC-4 5.27): LBA at 2-9, NUMBER OF LOGICAL BLOCKS at 10-13 (0 means
    /// to the end of the medium); IMMED clear, so GOOD means the range is on stable storage.
    public static func synchronizeCache16(lba: UInt64, blocks: UInt32) -> [UInt8] {
        block16(.synchronizeCache16, lba: lba, blocks: blocks, fua: false)
    }

    /// SYNCHRONIZE CACHE(10) (SBC-4 5.26): LBA at 2-5, NUMBER OF LOGICAL BLOCKS at 7-8 (0 means
    /// to the end of the medium), for devices without the 16-byte form.
    public static func synchronizeCache10(lba: UInt32, blocks: UInt16) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 10)
        c[0] = OperationCode.synchronizeCache10.rawValue
        c.setBE32(lba, at: 2)
        c.setBE16(blocks, at: 7)
        return c
    }

    /// The 16-byte layout READ, WRITE and SYNCHRONIZE CACHE share: byte 1 (FUA is bit 3; the
    /// others stay 0), LBA at 2-9, block count at 10-13, group 14, control 15.
    private static func block16(_ op: OperationCode, lba: UInt64, blocks: UInt32, fua: Bool) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 16)
        c[0] = op.rawValue
        c[1] = fua ? 0x08 : 0
        c.setBE64(lba, at: 2)
        c.setBE32(blocks, at: 10)
        return c
    }
}
