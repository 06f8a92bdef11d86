import SCSIWire

/// GET LBA STATUS(16) CDB (SBC-4 5.8.1): SERVICE ACTION IN(16) 9Eh / 12h; STARTING LBA 2-9;
/// ALLOCATION LENGTH 10-13; REPORT TYPE 14 (bits 1-0, SBC-4: 0 = all, 1 = mapped/anchored only,
/// 2 = deallocated only, 3 = anchored only); CONTROL 15.
public struct GetLBAStatusCDB: Equatable, Sendable {
    public static let length = 16
    public static let serviceAction: UInt8 = 0x12
    public var startingLBA: UInt64
    public var allocationLength: UInt32
    public var reportType: UInt8
    public var control: UInt8

    public init(startingLBA: UInt64, allocationLength: UInt32, reportType: UInt8 = 0, control: UInt8 = 0) {
        self.startingLBA = startingLBA
        self.allocationLength = allocationLength
        self.reportType = reportType
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "GET LBA STATUS CDB")
        startingLBA = try cdb.be64(at: 2)
        allocationLength = try cdb.be32(at: 10)
        reportType = cdb[14] & 0x03
        control = cdb[15]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: Self.length)
        c[0] = OperationCode.serviceActionIn16.rawValue
        c[1] = Self.serviceAction
        c.setBE64(startingLBA, at: 2)
        c.setBE32(allocationLength, at: 10)
        c[14] = reportType & 0x03
        c[15] = control
        return c
    }
}

/// PROVISIONING STATUS of an LBA status descriptor (byte 12, bits 3-0).
public struct ProvisioningStatus: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }
    public static let mapped = ProvisioningStatus(rawValue: 0)
    public static let deallocated = ProvisioningStatus(rawValue: 1)
    public static let anchored = ProvisioningStatus(rawValue: 2)
    /// SBC-4: "mapped or unknown" extents a device server could not classify.
    public static let unknown = ProvisioningStatus(rawValue: 3)
    public var description: String {
        switch rawValue {
        case 0: return "mapped"
        case 1: return "deallocated"
        case 2: return "anchored"
        case 3: return "mapped or unknown"
        default: return "provisioning status \(rawValue)"
        }
    }
}

/// One LBA status descriptor (16 bytes): LBA 0-7, NUMBER OF LOGICAL BLOCKS 8-11, PROVISIONING
/// STATUS 12 (bits 3-0), ADDITIONAL STATUS 13, reserved 14-15.
public struct LBAStatusDescriptor: Equatable, Sendable {
    public var logicalBlockAddress: UInt64
    public var numberOfBlocks: UInt32
    public var provisioningStatus: ProvisioningStatus
    public var additionalStatus: UInt8
    public init(logicalBlockAddress: UInt64, numberOfBlocks: UInt32, provisioningStatus: ProvisioningStatus,
                additionalStatus: UInt8 = 0) {
        self.logicalBlockAddress = logicalBlockAddress
        self.numberOfBlocks = numberOfBlocks
        self.provisioningStatus = provisioningStatus
        self.additionalStatus = additionalStatus
    }
}

/// GET LBA STATUS parameter data (SBC-4 5.8.2): PARAMETER DATA LENGTH 0-3 (n-3), reserved 4-7,
/// then 16-byte LBA status descriptors.
public struct LBAStatusData: Equatable, Sendable {
    public var descriptors: [LBAStatusDescriptor]
    public init(descriptors: [LBAStatusDescriptor]) { self.descriptors = descriptors }

    /// Reads as many descriptors as both PARAMETER DATA LENGTH and the data allow.
    public init(parsing b: [UInt8]) throws {
        let length = Int(try b.be32(at: 0, "GET LBA STATUS parameter data length"))
        try b.requireLength(8, "GET LBA STATUS header")
        let available = Swift.min(length - 4, b.count - 8)
        descriptors = try (0..<Swift.max(0, available / 16)).map { i in
            let o = 8 + 16 * i
            return LBAStatusDescriptor(logicalBlockAddress: try b.be64(at: o),
                                       numberOfBlocks: try b.be32(at: o + 8),
                                       provisioningStatus: ProvisioningStatus(rawValue: b[o + 12]),
                                       additionalStatus: b[o + 13])
        }
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8 + 16 * descriptors.count)
        b.setBE32(UInt32(truncatingIfNeeded: 4 + 16 * descriptors.count), at: 0)
        for (i, d) in descriptors.enumerated() {
            let o = 8 + 16 * i
            b.setBE64(d.logicalBlockAddress, at: o)
            b.setBE32(d.numberOfBlocks, at: o + 8)
            b[o + 12] = d.provisioningStatus.rawValue
            b[o + 13] = d.additionalStatus
        }
        return b
    }
}
