import SCSIWire

/// READ CAPACITY(10) CDB (SBC-4 5.21.1): LOGICAL BLOCK ADDRESS 2-5 and PMI (byte 8 bit 0), both
/// obsolete in SBC-4 but still checked by SBC-3 targets (LBA must be 0 when PMI is 0).
public struct ReadCapacity10CDB: Equatable, Sendable {
    public static let length = 10
    public var logicalBlockAddress: UInt32
    public var pmi: Bool
    public var control: UInt8

    public init(logicalBlockAddress: UInt32 = 0, pmi: Bool = false, control: UInt8 = 0) {
        self.logicalBlockAddress = logicalBlockAddress
        self.pmi = pmi
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "READ CAPACITY(10) CDB")
        logicalBlockAddress = try cdb.be32(at: 2)
        pmi = cdb[8] & 0x01 != 0
        control = cdb[9]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: Self.length)
        c[0] = OperationCode.readCapacity10.rawValue
        c.setBE32(logicalBlockAddress, at: 2)
        c[8] = pmi ? 1 : 0
        c[9] = control
        return c
    }
}

/// READ CAPACITY(16) CDB (SBC-4 5.22.1): SERVICE ACTION IN(16) 9Eh / 10h, ALLOCATION LENGTH 10-13.
public struct ReadCapacity16CDB: Equatable, Sendable {
    public static let length = 16
    public static let serviceAction: UInt8 = 0x10
    public var allocationLength: UInt32
    public var control: UInt8

    public init(allocationLength: UInt32, control: UInt8 = 0) {
        self.allocationLength = allocationLength
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "READ CAPACITY(16) CDB")
        allocationLength = try cdb.be32(at: 10)
        control = cdb[15]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: Self.length)
        c[0] = OperationCode.serviceActionIn16.rawValue
        c[1] = Self.serviceAction
        c.setBE32(allocationLength, at: 10)
        c[15] = control
        return c
    }
}
