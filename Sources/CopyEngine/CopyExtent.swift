/// A run of blocks to copy: where it starts on each side and how long it is. Offload engines
/// only get extents between LUs of one block size; a host copy between block sizes counts in
/// units of the larger one (`BlockSizeBridge`).
public struct CopyExtent: Sendable, Hashable, CustomStringConvertible {
    public var sourceLBA: UInt64
    public var destinationLBA: UInt64
    public var blocks: UInt64

    public init(sourceLBA: UInt64, destinationLBA: UInt64, blocks: UInt64) {
        self.sourceLBA = sourceLBA
        self.destinationLBA = destinationLBA
        self.blocks = blocks
    }

    /// The part of this extent after its first `n` blocks (to resume after a partial copy).
    public func dropping(first n: UInt64) -> CopyExtent {
        let k = min(n, blocks)
        return CopyExtent(sourceLBA: sourceLBA + k, destinationLBA: destinationLBA + k, blocks: blocks - k)
    }

    /// The first `n` blocks of this extent.
    public func prefix(_ n: UInt64) -> CopyExtent {
        CopyExtent(sourceLBA: sourceLBA, destinationLBA: destinationLBA, blocks: min(n, blocks))
    }

    /// Splits into pieces of at most `size` blocks (the last may be shorter).
    public func chunks(of size: UInt64) -> [CopyExtent] {
        precondition(size > 0)
        var out: [CopyExtent] = []
        var done: UInt64 = 0
        while done < blocks {
            let n = min(size, blocks - done)
            out.append(CopyExtent(sourceLBA: sourceLBA + done, destinationLBA: destinationLBA + done, blocks: n))
            done += n
        }
        return out
    }

    public var description: String { "src \(sourceLBA)+\(blocks) -> dst \(destinationLBA)" }
}
