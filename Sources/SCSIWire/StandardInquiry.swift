/// Standard INQUIRY data (SPC-4 6.6.2): identity, and the two bits a copy engine looks at
/// first, 3PC (the LU has a copy manager) and TPGS (ALUA).
public struct StandardInquiry: Equatable, Sendable {
    public var peripheralQualifier: UInt8
    public var peripheralDeviceType: UInt8
    public var removable: Bool
    /// 5 = SPC-3, 6 = SPC-4, 7 = SPC-5.
    public var version: UInt8
    public var normACA: Bool
    public var hiSup: Bool
    public var responseDataFormat: UInt8
    public var sccs: Bool
    public var acc: Bool
    /// Target port group support, 0-3 (implicit/explicit ALUA).
    public var tpgs: UInt8
    /// Third-party copy: the LU supports EXTENDED COPY (byte 5 bit 3).
    public var thirdPartyCopy: Bool
    public var protect: Bool
    public var encServ: Bool
    public var multiP: Bool
    public var cmdQue: Bool
    public var vendor: String
    public var product: String
    public var revision: String
    /// Version descriptors (bytes 58-73), zeros dropped.
    public var versionDescriptors: [UInt16]

    public init(peripheralQualifier: UInt8 = 0, peripheralDeviceType: UInt8 = 0, removable: Bool = false,
                version: UInt8 = 6, normACA: Bool = false, hiSup: Bool = true, responseDataFormat: UInt8 = 2,
                sccs: Bool = false, acc: Bool = false, tpgs: UInt8 = 0, thirdPartyCopy: Bool = false,
                protect: Bool = false, encServ: Bool = false, multiP: Bool = false, cmdQue: Bool = true,
                vendor: String, product: String, revision: String, versionDescriptors: [UInt16] = []) {
        self.peripheralQualifier = peripheralQualifier
        self.peripheralDeviceType = peripheralDeviceType
        self.removable = removable
        self.version = version
        self.normACA = normACA
        self.hiSup = hiSup
        self.responseDataFormat = responseDataFormat
        self.sccs = sccs
        self.acc = acc
        self.tpgs = tpgs
        self.thirdPartyCopy = thirdPartyCopy
        self.protect = protect
        self.encServ = encServ
        self.multiP = multiP
        self.cmdQue = cmdQue
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.versionDescriptors = versionDescriptors
    }

    /// Needs the first 36 bytes; version descriptors are read as far as data and ADDITIONAL
    /// LENGTH both reach.
    public init(parsing b: [UInt8]) throws {
        try b.checkRange(0, 36, "standard INQUIRY data")
        peripheralQualifier = b[0] >> 5
        peripheralDeviceType = b[0] & 0x1F
        removable = b[1] & 0x80 != 0
        version = b[2]
        normACA = b[3] & 0x20 != 0
        hiSup = b[3] & 0x10 != 0
        responseDataFormat = b[3] & 0x0F
        sccs = b[5] & 0x80 != 0
        acc = b[5] & 0x40 != 0
        tpgs = (b[5] >> 4) & 0x03
        thirdPartyCopy = b[5] & 0x08 != 0
        protect = b[5] & 0x01 != 0
        encServ = b[6] & 0x40 != 0
        multiP = b[6] & 0x10 != 0
        cmdQue = b[7] & 0x02 != 0
        vendor = scsiASCII(Array(b[8..<16]))
        product = scsiASCII(Array(b[16..<32]))
        revision = scsiASCII(Array(b[32..<36]))
        let end = Swift.min(b.count, 5 + Int(b[4]))
        var descriptors: [UInt16] = []
        var offset = 58
        while offset + 2 <= Swift.min(end, 74) {
            let v = UInt16(b[offset]) << 8 | UInt16(b[offset + 1])
            if v != 0 { descriptors.append(v) }
            offset += 2
        }
        versionDescriptors = descriptors
    }

    /// 96 bytes when there are version descriptors, else 36; text padded with spaces.
    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: versionDescriptors.isEmpty ? 36 : 96)
        b[0] = peripheralQualifier << 5 | (peripheralDeviceType & 0x1F)
        b[1] = removable ? 0x80 : 0
        b[2] = version
        b[3] = (normACA ? 0x20 : 0) | (hiSup ? 0x10 : 0) | (responseDataFormat & 0x0F)
        b[4] = UInt8(b.count - 5)
        b[5] = (sccs ? 0x80 : 0) | (acc ? 0x40 : 0) | (tpgs & 3) << 4 | (thirdPartyCopy ? 0x08 : 0) | (protect ? 1 : 0)
        b[6] = (encServ ? 0x40 : 0) | (multiP ? 0x10 : 0)
        b[7] = cmdQue ? 0x02 : 0
        b.setBytes(Self.padded(vendor, 8), at: 8)
        b.setBytes(Self.padded(product, 16), at: 16)
        b.setBytes(Self.padded(revision, 4), at: 32)
        for (i, d) in versionDescriptors.prefix(8).enumerated() { b.setBE16(d, at: 58 + 2 * i) }
        return b
    }

    static func padded(_ s: String, _ n: Int) -> [UInt8] {
        let ascii = Array(s.utf8.prefix(n))
        return ascii + [UInt8](repeating: 0x20, count: n - ascii.count)
    }
}
