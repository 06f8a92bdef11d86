/// How a host copy addresses two LUs of different block sizes (a 512-byte LU onto a 4Kn one,
/// or back): extents count in units of the larger block size, and each unit is a whole number
/// of blocks on either side. With equal block sizes the unit is the block, one for one.
/// Offload cannot do this here (EXTENDED COPY and ODX address both ends in one block size),
/// the host path can, as qemu-img does.
public struct BlockSizeBridge: Sendable, Equatable {
    public let sourceBlockSize: Int
    public let destinationBlockSize: Int

    /// nil when a block size is not positive or neither is a multiple of the other.
    public init?(source: Int, destination: Int) {
        guard source > 0, destination > 0, max(source, destination) % min(source, destination) == 0 else { return nil }
        sourceBlockSize = source
        destinationBlockSize = destination
    }

    public var unitBytes: Int { max(sourceBlockSize, destinationBlockSize) }
    public var isIdentity: Bool { sourceBlockSize == destinationBlockSize }
    public var sourceBlocksPerUnit: UInt64 { UInt64(unitBytes / sourceBlockSize) }
    public var destinationBlocksPerUnit: UInt64 { UInt64(unitBytes / destinationBlockSize) }
}
