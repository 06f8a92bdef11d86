import SCSIWire

/// Everything about a LU's behaviour a profile may choose, apart from its identity and its
/// store's block size and capacity. Persisted with the LU; a missing key decodes to its default,
/// so old state files keep loading when options are added.
public struct LogicalUnitOptions: Codable, Equatable, Sendable {
    /// Standard INQUIRY VENDOR (8), PRODUCT (16) and REVISION (4) text.
    public var vendor = "OFFLOAD"
    public var product = "SIM-DISK"
    public var revision = "0001"
    /// Standard INQUIRY version descriptors: SAM-5, iSCSI, SPC-4, SBC-3 (libiscsi derives "SBC-3
    /// support" from 04C0h).
    public var versionDescriptors: [UInt16] = [0x00A0, 0x0960, 0x0460, 0x04C0]
    /// 3PC bit of standard INQUIRY: the LU claims a copy manager.
    public var thirdPartyCopy = true
    /// TPGS field (0-3). Non-zero promises REPORT TARGET PORT GROUPS, which this dispatcher does
    /// not serve yet.
    public var tpgs: UInt8 = 0
    /// VPD pages the LU has besides 0x00 (always present). 0x8F also needs a copy handler that
    /// returns a page.
    public var vpdPages: [UInt8] = [0x80, 0x83, 0x8F, 0xB0, 0xB1, 0xB2]

    /// Thin provisioned: LBPME, UNMAP, WRITE SAME with UNMAP, GET LBA STATUS with real extents.
    public var thinProvisioned = true
    /// Unmapped blocks read as zeros (LBPRZ). Both stores do zero them; false only hides it.
    public var unmappedReadsZero = true
    /// Writes fail with DATA PROTECT, WRITE PROTECTED; MODE SENSE shows WP.
    public var writeProtected = false
    /// Caching page WCE; SYNCHRONIZE CACHE and FUA flush the store either way.
    public var writeCacheEnabled = true
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT of READ CAPACITY(16).
    public var logicalBlocksPerPhysicalBlockExponent: UInt8 = 0
    /// VPD B1h MEDIUM ROTATION RATE (1 = non-rotating).
    public var mediumRotationRate: UInt16 = 1

    // Block limits (VPD B0h), in logical blocks.
    /// MAXIMUM TRANSFER LENGTH for READ/WRITE; also the cap on what one command may move.
    public var maximumTransferLength: UInt32 = 65536
    public var optimalTransferLength: UInt32 = 0
    public var maximumUnmapLBACount: UInt32 = 0xFFFF_FFFF
    public var maximumUnmapBlockDescriptorCount: UInt32 = 256
    /// OPTIMAL UNMAP GRANULARITY; nil = the store's allocation granularity.
    public var optimalUnmapGranularity: UInt32? = nil
    /// MAXIMUM WRITE SAME LENGTH; 0 = no limit reported.
    public var maximumWriteSameLength: UInt64 = 0
    /// WSNZ: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 is rejected instead of meaning "to the end".
    public var writeSameNonZero = false

    public init() {}

    /// The VPD pages VPD 0x00 may list, ascending, 0x00 first (0x8F still subject to a handler).
    public var configuredVPDPages: [UInt8] { Array(Set([0x00] + vpdPages)).sorted() }

    enum CodingKeys: String, CodingKey {
        case vendor, product, revision, versionDescriptors, thirdPartyCopy, tpgs, vpdPages, thinProvisioned,
             unmappedReadsZero, writeProtected, writeCacheEnabled, logicalBlocksPerPhysicalBlockExponent,
             mediumRotationRate, maximumTransferLength, optimalTransferLength, maximumUnmapLBACount,
             maximumUnmapBlockDescriptorCount, optimalUnmapGranularity, maximumWriteSameLength, writeSameNonZero
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LogicalUnitOptions()
        vendor = try c.decodeIfPresent(String.self, forKey: .vendor) ?? d.vendor
        product = try c.decodeIfPresent(String.self, forKey: .product) ?? d.product
        revision = try c.decodeIfPresent(String.self, forKey: .revision) ?? d.revision
        versionDescriptors = try c.decodeIfPresent([UInt16].self, forKey: .versionDescriptors) ?? d.versionDescriptors
        thirdPartyCopy = try c.decodeIfPresent(Bool.self, forKey: .thirdPartyCopy) ?? d.thirdPartyCopy
        tpgs = try c.decodeIfPresent(UInt8.self, forKey: .tpgs) ?? d.tpgs
        vpdPages = try c.decodeIfPresent([UInt8].self, forKey: .vpdPages) ?? d.vpdPages
        thinProvisioned = try c.decodeIfPresent(Bool.self, forKey: .thinProvisioned) ?? d.thinProvisioned
        unmappedReadsZero = try c.decodeIfPresent(Bool.self, forKey: .unmappedReadsZero) ?? d.unmappedReadsZero
        writeProtected = try c.decodeIfPresent(Bool.self, forKey: .writeProtected) ?? d.writeProtected
        writeCacheEnabled = try c.decodeIfPresent(Bool.self, forKey: .writeCacheEnabled) ?? d.writeCacheEnabled
        logicalBlocksPerPhysicalBlockExponent = try c.decodeIfPresent(UInt8.self, forKey: .logicalBlocksPerPhysicalBlockExponent)
            ?? d.logicalBlocksPerPhysicalBlockExponent
        mediumRotationRate = try c.decodeIfPresent(UInt16.self, forKey: .mediumRotationRate) ?? d.mediumRotationRate
        maximumTransferLength = try c.decodeIfPresent(UInt32.self, forKey: .maximumTransferLength) ?? d.maximumTransferLength
        optimalTransferLength = try c.decodeIfPresent(UInt32.self, forKey: .optimalTransferLength) ?? d.optimalTransferLength
        maximumUnmapLBACount = try c.decodeIfPresent(UInt32.self, forKey: .maximumUnmapLBACount) ?? d.maximumUnmapLBACount
        maximumUnmapBlockDescriptorCount = try c.decodeIfPresent(UInt32.self, forKey: .maximumUnmapBlockDescriptorCount)
            ?? d.maximumUnmapBlockDescriptorCount
        optimalUnmapGranularity = try c.decodeIfPresent(UInt32.self, forKey: .optimalUnmapGranularity)
        maximumWriteSameLength = try c.decodeIfPresent(UInt64.self, forKey: .maximumWriteSameLength) ?? d.maximumWriteSameLength
        writeSameNonZero = try c.decodeIfPresent(Bool.self, forKey: .writeSameNonZero) ?? d.writeSameNonZero
    }
}
