import SCSIWire

/// READ CAPACITY(10) parameter data (SBC-4 5.21.2): 8 bytes, RETURNED LOGICAL BLOCK ADDRESS
/// then LOGICAL BLOCK LENGTH IN BYTES. A capacity whose last LBA does not fit 32 bits is
/// reported as FFFFFFFFh, telling the initiator to use READ CAPACITY(16).
public struct ReadCapacity10Data: Equatable, Sendable {
    public var returnedLBA: UInt32
    public var blockLength: UInt32

    public init(returnedLBA: UInt32, blockLength: UInt32) {
        self.returnedLBA = returnedLBA
        self.blockLength = blockLength
    }

    /// For a LU whose last LBA is `lastLBA`; FFFFFFFFh when it does not fit.
    public init(lastLBA: UInt64, blockLength: UInt32) {
        self.init(returnedLBA: lastLBA >= 0xFFFF_FFFF ? 0xFFFF_FFFF : UInt32(lastLBA), blockLength: blockLength)
    }

    public init(parsing b: [UInt8]) throws {
        returnedLBA = try b.be32(at: 0, "READ CAPACITY(10) returned LBA")
        blockLength = try b.be32(at: 4, "READ CAPACITY(10) block length")
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8)
        b.setBE32(returnedLBA, at: 0)
        b.setBE32(blockLength, at: 4)
        return b
    }

    /// True when the capacity is too large for this format.
    public var needsReadCapacity16: Bool { returnedLBA == 0xFFFF_FFFF }
}
