import SCSIWire

/// REPORT LUNS CDB (SPC-4 6.33.1), read side: SELECT REPORT 2; ALLOCATION LENGTH 6-9;
/// CONTROL 11. `CDB.reportLuns` in SCSIWire builds it.
public struct ReportLunsCDB: Equatable, Sendable {
    public static let length = 12
    /// 00h all LUs except well-known ones; 01h well-known LUs only; 02h all; SPC-5 adds 10h-12h
    /// (administrative LU and its subsidiaries).
    public var selectReport: UInt8
    public var allocationLength: UInt32
    public var control: UInt8

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "REPORT LUNS CDB")
        selectReport = cdb[2]
        allocationLength = try cdb.be32(at: 6)
        control = cdb[11]
    }
}
