import SCSIWire

/// MODE SENSE(6) and MODE SENSE(10) CDBs (SPC-4 6.11-6.12).
///
/// | | DBD/LLBAA | PC, PAGE CODE | SUBPAGE | ALLOCATION LENGTH | CONTROL |
/// |---|---|---|---|---|---|
/// | (6) 1Ah | byte 1 bit 3 / — | 2 (bits 7-6, 5-0) | 3 | 4 | 5 |
/// | (10) 5Ah | byte 1 bit 3 / bit 4 | 2 | 3 | 7-8 | 9 |
public struct ModeSenseCDB: Equatable, Sendable {
    public static let modeSense6: UInt8 = 0x1A
    public static let modeSense10: UInt8 = 0x5A

    /// PAGE CONTROL.
    public enum PageControl: UInt8, Sendable {
        case current = 0, changeable = 1, defaultValues = 2, saved = 3
    }

    public var is10: Bool
    /// Disable block descriptors.
    public var dbd: Bool
    /// Long LBA block descriptors accepted (MODE SENSE(10) only).
    public var llbaa: Bool
    public var pageControl: PageControl
    public var pageCode: UInt8
    public var subpageCode: UInt8
    public var allocationLength: UInt16
    public var control: UInt8

    public init(is10: Bool, pageCode: UInt8, subpageCode: UInt8 = 0, pageControl: PageControl = .current,
                dbd: Bool = false, llbaa: Bool = false, allocationLength: UInt16, control: UInt8 = 0) {
        self.is10 = is10
        self.pageCode = pageCode
        self.subpageCode = subpageCode
        self.pageControl = pageControl
        self.dbd = dbd
        self.llbaa = llbaa
        self.allocationLength = allocationLength
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        switch cdb.first {
        case Self.modeSense6:
            try cdb.requireLength(6, "MODE SENSE(6) CDB")
            is10 = false
            llbaa = false
            allocationLength = UInt16(cdb[4])
            control = cdb[5]
        case Self.modeSense10:
            try cdb.requireLength(10, "MODE SENSE(10) CDB")
            is10 = true
            llbaa = cdb[1] & 0x10 != 0
            allocationLength = try cdb.be16(at: 7)
            control = cdb[9]
        default:
            throw WireError.invalidField(what: "MODE SENSE CDB", detail: "operation code \(cdb.first.map(hexByte) ?? "missing")")
        }
        dbd = cdb[1] & 0x08 != 0
        pageControl = PageControl(rawValue: cdb[2] >> 6)!
        pageCode = cdb[2] & 0x3F
        subpageCode = cdb[3]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: is10 ? 10 : 6)
        c[0] = is10 ? Self.modeSense10 : Self.modeSense6
        c[1] = (dbd ? 0x08 : 0) | (is10 && llbaa ? 0x10 : 0)
        c[2] = pageControl.rawValue << 6 | (pageCode & 0x3F)
        c[3] = subpageCode
        if is10 {
            c.setBE16(allocationLength, at: 7)
            c[9] = control
        } else {
            c[4] = UInt8(truncatingIfNeeded: allocationLength)
            c[5] = control
        }
        return c
    }
}
