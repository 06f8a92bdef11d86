/// VPD page 0xB0, block limits (SBC-4 6.6.4). Lengths are in logical blocks. Fields past the
/// page length a target returned are nil, so "not sent" differs from "sent as 0" (and 0
/// itself means "not reported" for most of them).
public struct BlockLimitsPage: Equatable, Sendable {
    public var writeSameNonZero: Bool
    public var maximumCompareAndWriteLength: UInt8
    public var optimalTransferLengthGranularity: UInt16
    public var maximumTransferLength: UInt32
    public var optimalTransferLength: UInt32
    public var maximumPrefetchLength: UInt32
    public var maximumUnmapLBACount: UInt32?
    public var maximumUnmapBlockDescriptorCount: UInt32?
    public var optimalUnmapGranularity: UInt32?
    public var unmapGranularityAlignment: UInt32?
    public var maximumWriteSameLength: UInt64?
    public var maximumAtomicTransferLength: UInt32?
    public var atomicAlignment: UInt32?
    public var atomicTransferLengthGranularity: UInt32?
    public var maximumAtomicTransferLengthWithAtomicBoundary: UInt32?
    public var maximumAtomicBoundarySize: UInt32?

    public init(writeSameNonZero: Bool = false, maximumCompareAndWriteLength: UInt8 = 0,
                optimalTransferLengthGranularity: UInt16 = 0, maximumTransferLength: UInt32 = 0,
                optimalTransferLength: UInt32 = 0, maximumPrefetchLength: UInt32 = 0,
                maximumUnmapLBACount: UInt32? = nil, maximumUnmapBlockDescriptorCount: UInt32? = nil,
                optimalUnmapGranularity: UInt32? = nil, unmapGranularityAlignment: UInt32? = nil,
                maximumWriteSameLength: UInt64? = nil) {
        self.writeSameNonZero = writeSameNonZero
        self.maximumCompareAndWriteLength = maximumCompareAndWriteLength
        self.optimalTransferLengthGranularity = optimalTransferLengthGranularity
        self.maximumTransferLength = maximumTransferLength
        self.optimalTransferLength = optimalTransferLength
        self.maximumPrefetchLength = maximumPrefetchLength
        self.maximumUnmapLBACount = maximumUnmapLBACount
        self.maximumUnmapBlockDescriptorCount = maximumUnmapBlockDescriptorCount
        self.optimalUnmapGranularity = optimalUnmapGranularity
        self.unmapGranularityAlignment = unmapGranularityAlignment
        self.maximumWriteSameLength = maximumWriteSameLength
    }

    public init(parsing b: [UInt8]) throws {
        let (_, body) = try VPDPageHeader.body(of: b, expecting: .blockLimits)
        let p = [0, 0, 0, 0] + body  // offsets below are page offsets, as in SBC
        try p.checkRange(0, 20, "block limits page")
        writeSameNonZero = p[4] & 0x01 != 0
        maximumCompareAndWriteLength = p[5]
        optimalTransferLengthGranularity = try p.be16(at: 6)
        maximumTransferLength = try p.be32(at: 8)
        optimalTransferLength = try p.be32(at: 12)
        maximumPrefetchLength = try p.be32(at: 16)
        func opt32(_ o: Int) -> UInt32? { o + 4 <= p.count ? try? p.be32(at: o) : nil }
        maximumUnmapLBACount = opt32(20)
        maximumUnmapBlockDescriptorCount = opt32(24)
        optimalUnmapGranularity = opt32(28)
        // UGAVALID (byte 32 bit 7) says whether the alignment means anything.
        if let raw = opt32(32), raw & 0x8000_0000 != 0 { unmapGranularityAlignment = raw & 0x7FFF_FFFF }
        maximumWriteSameLength = 44 <= p.count ? try? p.be64(at: 36) : nil
        maximumAtomicTransferLength = opt32(44)
        atomicAlignment = opt32(48)
        atomicTransferLengthGranularity = opt32(52)
        maximumAtomicTransferLengthWithAtomicBoundary = opt32(56)
        maximumAtomicBoundarySize = opt32(60)
    }

    /// The 0x3C-byte page SBC-3 and later define (64 bytes in all).
    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 64)
        p[4] = writeSameNonZero ? 1 : 0
        p[5] = maximumCompareAndWriteLength
        p.setBE16(optimalTransferLengthGranularity, at: 6)
        p.setBE32(maximumTransferLength, at: 8)
        p.setBE32(optimalTransferLength, at: 12)
        p.setBE32(maximumPrefetchLength, at: 16)
        p.setBE32(maximumUnmapLBACount ?? 0, at: 20)
        p.setBE32(maximumUnmapBlockDescriptorCount ?? 0, at: 24)
        p.setBE32(optimalUnmapGranularity ?? 0, at: 28)
        if let a = unmapGranularityAlignment { p.setBE32(0x8000_0000 | a, at: 32) }
        p.setBE64(maximumWriteSameLength ?? 0, at: 36)
        p.setBE32(maximumAtomicTransferLength ?? 0, at: 44)
        p.setBE32(atomicAlignment ?? 0, at: 48)
        p.setBE32(atomicTransferLengthGranularity ?? 0, at: 52)
        p.setBE32(maximumAtomicTransferLengthWithAtomicBoundary ?? 0, at: 56)
        p.setBE32(maximumAtomicBoundarySize ?? 0, at: 60)
        return VPDPageHeader.encode(.blockLimits, deviceType: deviceType, body: Array(p[4...]))
    }
}
