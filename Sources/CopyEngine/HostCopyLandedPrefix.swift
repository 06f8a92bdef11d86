/// Which chunks of an extent have landed in the destination, in whatever order they complete,
/// and the longest prefix of the extent made only of landed chunks: the `completedBlocks` a
/// failed or cancelled copy reports (never a block more).
struct HostCopyLandedPrefix: Sendable {
    private(set) var chunkBlocks: [UInt64]
    private var landed: [Bool]
    /// Chunks at the start of the extent that have all landed.
    private(set) var prefixChunks = 0
    /// Blocks in those chunks.
    private(set) var prefixBlocks: UInt64 = 0
    /// Blocks in every landed chunk, prefix or not (progress).
    private(set) var landedBlocks: UInt64 = 0

    init(chunkBlocks: [UInt64]) {
        self.chunkBlocks = chunkBlocks
        landed = Array(repeating: false, count: chunkBlocks.count)
    }

    /// Records chunk `index` as landed (once; a second report is ignored).
    mutating func land(_ index: Int) {
        guard !landed[index] else { return }
        landed[index] = true
        landedBlocks += chunkBlocks[index]
        while prefixChunks < landed.count, landed[prefixChunks] {
            prefixBlocks += chunkBlocks[prefixChunks]
            prefixChunks += 1
        }
    }

    var isComplete: Bool { prefixChunks == landed.count }
}
