/// READ CAPACITY(16) parameter data (SBC-4 5.20.2): size, block length and the provisioning
/// bits LBPME/LBPRZ that say whether unmapping is enabled and reads back zeros.
public struct ReadCapacity16Data: Equatable, Sendable {
    public var lastLBA: UInt64
    public var blockLength: UInt32
    public var protectionType: UInt8
    public var protectionEnabled: Bool
    public var protectionIntervalExponent: UInt8
    /// Logical blocks per physical block, as a power of 2.
    public var logicalBlocksPerPhysicalBlockExponent: UInt8
    public var lbpme: Bool
    public var lbprz: Bool
    public var lowestAlignedLBA: UInt16

    public init(lastLBA: UInt64, blockLength: UInt32, protectionType: UInt8 = 0, protectionEnabled: Bool = false,
                protectionIntervalExponent: UInt8 = 0, logicalBlocksPerPhysicalBlockExponent: UInt8 = 0,
                lbpme: Bool = false, lbprz: Bool = false, lowestAlignedLBA: UInt16 = 0) {
        self.lastLBA = lastLBA
        self.blockLength = blockLength
        self.protectionType = protectionType
        self.protectionEnabled = protectionEnabled
        self.protectionIntervalExponent = protectionIntervalExponent
        self.logicalBlocksPerPhysicalBlockExponent = logicalBlocksPerPhysicalBlockExponent
        self.lbpme = lbpme
        self.lbprz = lbprz
        self.lowestAlignedLBA = lowestAlignedLBA
    }

    public init(parsing b: [UInt8]) throws {
        lastLBA = try b.be64(at: 0, "READ CAPACITY(16) returned LBA")
        blockLength = try b.be32(at: 8, "READ CAPACITY(16) block length")
        try b.checkRange(12, 4, "READ CAPACITY(16) bytes 12-15")
        protectionType = (b[12] >> 1) & 0x07
        protectionEnabled = b[12] & 0x01 != 0
        protectionIntervalExponent = b[13] >> 4
        logicalBlocksPerPhysicalBlockExponent = b[13] & 0x0F
        lbpme = b[14] & 0x80 != 0
        lbprz = b[14] & 0x40 != 0
        lowestAlignedLBA = (UInt16(b[14]) << 8 | UInt16(b[15])) & 0x3FFF
        guard blockLength > 0 else {
            throw WireError.invalidField(what: "READ CAPACITY(16)", detail: "block length is 0")
        }
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 32)
        b.setBE64(lastLBA, at: 0)
        b.setBE32(blockLength, at: 8)
        b[12] = (protectionType & 7) << 1 | (protectionEnabled ? 1 : 0)
        b[13] = protectionIntervalExponent << 4 | (logicalBlocksPerPhysicalBlockExponent & 0x0F)
        b.setBE16((lbpme ? 0x8000 : 0) | (lbprz ? 0x4000 : 0) | (lowestAlignedLBA & 0x3FFF), at: 14)
        return b
    }

    /// Number of logical blocks (last LBA + 1).
    public var blockCount: UInt64 { lastLBA &+ 1 }
    public var byteCount: UInt64 { blockCount.multipliedReportingOverflow(by: UInt64(blockLength)).partialValue }
}
