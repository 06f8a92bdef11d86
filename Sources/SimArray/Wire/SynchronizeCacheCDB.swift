import SCSIWire

/// SYNCHRONIZE CACHE(10) and (16) CDBs (SBC-4 5.26-5.27): byte 1 IMMED (bit 1); LBA and
/// NUMBER OF LOGICAL BLOCKS (0 = to the end of the LU) at 2-5/7-8 or 2-9/10-13; GROUP NUMBER
/// at 6 or 14.
public struct SynchronizeCacheCDB: Equatable, Sendable {
    public var is16: Bool
    public var immediate: Bool
    public var logicalBlockAddress: UInt64
    public var numberOfBlocks: UInt32
    public var groupNumber: UInt8
    public var control: UInt8

    public init(is16: Bool, logicalBlockAddress: UInt64 = 0, numberOfBlocks: UInt32 = 0, immediate: Bool = false,
                groupNumber: UInt8 = 0, control: UInt8 = 0) {
        self.is16 = is16
        self.logicalBlockAddress = logicalBlockAddress
        self.numberOfBlocks = numberOfBlocks
        self.immediate = immediate
        self.groupNumber = groupNumber
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        switch cdb.first {
        case OperationCode.synchronizeCache10.rawValue:
            try cdb.requireLength(10, "SYNCHRONIZE CACHE(10) CDB")
            is16 = false
            logicalBlockAddress = UInt64(try cdb.be32(at: 2))
            groupNumber = cdb[6] & 0x1F
            numberOfBlocks = UInt32(try cdb.be16(at: 7))
            control = cdb[9]
        case OperationCode.synchronizeCache16.rawValue:
            try cdb.requireLength(16, "SYNCHRONIZE CACHE(16) CDB")
            is16 = true
            logicalBlockAddress = try cdb.be64(at: 2)
            numberOfBlocks = try cdb.be32(at: 10)
            groupNumber = cdb[14] & 0x1F
            control = cdb[15]
        default:
            throw WireError.invalidField(what: "SYNCHRONIZE CACHE CDB", detail: "operation code \(cdb.first.map(hexByte) ?? "missing")")
        }
        immediate = cdb[1] & 0x02 != 0
    }

    public func encoded() throws -> [UInt8] {
        var c = [UInt8](repeating: 0, count: is16 ? 16 : 10)
        c[1] = immediate ? 0x02 : 0
        if is16 {
            c[0] = OperationCode.synchronizeCache16.rawValue
            c.setBE64(logicalBlockAddress, at: 2)
            c.setBE32(numberOfBlocks, at: 10)
            c[14] = groupNumber & 0x1F
            c[15] = control
        } else {
            guard logicalBlockAddress <= UInt64(UInt32.max), numberOfBlocks <= UInt32(UInt16.max) else {
                throw WireError.valueOutOfRange(what: "SYNCHRONIZE CACHE(10) LBA/blocks", value: logicalBlockAddress, maximum: UInt64(UInt32.max))
            }
            c[0] = OperationCode.synchronizeCache10.rawValue
            c.setBE32(UInt32(logicalBlockAddress), at: 2)
            c[6] = groupNumber & 0x1F
            c.setBE16(UInt16(numberOfBlocks), at: 7)
            c[9] = control
        }
        return c
    }
}
