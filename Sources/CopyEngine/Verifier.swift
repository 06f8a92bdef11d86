/// Evidence that the destination holds the data: real targets have answered GOOD to copies
/// they did not perform. After an offloaded range, the first and last block of every command
/// and a few random blocks are read back from both sides and compared; `full` compares all.
public struct Verifier: Sendable {
    public enum Mode: String, Sendable { case none, sampled, full }

    public let source: BlockIO
    public let destination: BlockIO
    /// Random blocks checked per verified range, on top of every command's first and last.
    public var randomSamples: Int
    /// Largest read while comparing everything.
    public var chunkBlocks: Int

    public init(source: BlockIO, destination: BlockIO, randomSamples: Int = 8, chunkBlocks: Int = 2048) {
        self.source = source
        self.destination = destination
        self.randomSamples = randomSamples
        self.chunkBlocks = chunkBlocks
    }

    /// The blocks a sampled check reads, as offsets into `extent`: both ends of every command,
    /// plus random ones; sorted, unique.
    public func sampleOffsets(for extent: CopyExtent, commands: [CopyExtent], random: inout some RandomNumberGenerator) -> [UInt64] {
        guard extent.blocks > 0 else { return [] }
        var set = Set<UInt64>()
        for c in commands where c.blocks > 0 {
            for lba in [c.sourceLBA, c.sourceLBA + c.blocks - 1] where lba >= extent.sourceLBA && lba < extent.sourceLBA + extent.blocks {
                set.insert(lba - extent.sourceLBA)
            }
        }
        set.insert(0)
        set.insert(extent.blocks - 1)
        for _ in 0..<randomSamples { set.insert(UInt64.random(in: 0..<extent.blocks, using: &random)) }
        return set.sorted()
    }

    /// Compares the sampled blocks; throws `CopyError(.data)` naming the first that differs.
    public func verifySampled(_ extent: CopyExtent, commands: [CopyExtent], method: CopyMethod) async throws {
        var rng = SystemRandomNumberGenerator()
        for offset in sampleOffsets(for: extent, commands: commands, random: &rng) {
            try await compare(extent.sourceLBA + offset, extent.destinationLBA + offset, blocks: 1, method: method)
        }
    }

    /// Compares every block of `extent`.
    public func verifyFull(_ extent: CopyExtent, method: CopyMethod) async throws {
        for piece in extent.chunks(of: UInt64(chunkBlocks)) {
            try await compare(piece.sourceLBA, piece.destinationLBA, blocks: Int(piece.blocks), method: method)
        }
    }

    private func compare(_ s: UInt64, _ d: UInt64, blocks: Int, method: CopyMethod) async throws {
        let a = try await source.read(lba: s, blocks: blocks, method: nil)
        let b = try await destination.read(lba: d, blocks: blocks, method: nil)
        guard a != b else { return }
        let bs = source.blockSize
        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }.map { $0.offset / bs } ?? 0
        throw CopyError(.data, method: method,
                        "destination block \(d + UInt64(first)) differs from source block \(s + UInt64(first)) after the array reported the copy done")
    }
}
