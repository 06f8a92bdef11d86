import SCSIWire

/// INQUIRY CDB (SPC-4 6.6.1), read side: byte 1 EVPD (bit 0) and the obsolete CMDDT (bit 1);
/// PAGE CODE 2; ALLOCATION LENGTH 3-4; CONTROL 5. `CDB.inquiry` in SCSIWire builds it.
public struct InquiryCDB: Equatable, Sendable {
    public static let length = 6
    public var evpd: Bool
    public var cmddt: Bool
    public var pageCode: UInt8
    public var allocationLength: UInt16
    public var control: UInt8

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "INQUIRY CDB")
        evpd = cdb[1] & 0x01 != 0
        cmddt = cdb[1] & 0x02 != 0
        pageCode = cdb[2]
        allocationLength = try cdb.be16(at: 3)
        control = cdb[5]
    }
}
