import SCSIWire

/// WRITE SAME(16) CDB (SBC-4 5.53): 93h; byte 1 WRPROTECT (bits 7-5), ANCHOR (bit 4), UNMAP
/// (bit 3), NDOB (bit 0: no data-out buffer, write zeros); LBA 2-9; NUMBER OF LOGICAL BLOCKS
/// 10-13 (0 = to the end of the LU, if WSNZ allows); GROUP NUMBER 14 (bits 5-0); CONTROL 15.
public struct WriteSame16CDB: Equatable, Sendable {
    public static let length = 16
    public var wrprotect: UInt8
    public var anchor: Bool
    public var unmap: Bool
    public var noDataOutBuffer: Bool
    public var logicalBlockAddress: UInt64
    public var numberOfBlocks: UInt32
    public var groupNumber: UInt8
    public var control: UInt8

    public init(logicalBlockAddress: UInt64, numberOfBlocks: UInt32, unmap: Bool = false, anchor: Bool = false,
                noDataOutBuffer: Bool = false, wrprotect: UInt8 = 0, groupNumber: UInt8 = 0, control: UInt8 = 0) {
        self.logicalBlockAddress = logicalBlockAddress
        self.numberOfBlocks = numberOfBlocks
        self.unmap = unmap
        self.anchor = anchor
        self.noDataOutBuffer = noDataOutBuffer
        self.wrprotect = wrprotect
        self.groupNumber = groupNumber
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "WRITE SAME(16) CDB")
        wrprotect = cdb[1] >> 5
        anchor = cdb[1] & 0x10 != 0
        unmap = cdb[1] & 0x08 != 0
        noDataOutBuffer = cdb[1] & 0x01 != 0
        logicalBlockAddress = try cdb.be64(at: 2)
        numberOfBlocks = try cdb.be32(at: 10)
        groupNumber = cdb[14] & 0x3F
        control = cdb[15]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: Self.length)
        c[0] = OperationCode.writeSame16.rawValue
        c[1] = (wrprotect & 0x07) << 5 | (anchor ? 0x10 : 0) | (unmap ? 0x08 : 0) | (noDataOutBuffer ? 0x01 : 0)
        c.setBE64(logicalBlockAddress, at: 2)
        c.setBE32(numberOfBlocks, at: 10)
        c[14] = groupNumber & 0x3F
        c[15] = control
        return c
    }
}
