/// Evidence that the destination holds the data: real targets have answered GOOD to copies
/// they did not perform. After an offloaded range, the first and last block of every command
/// and a few random blocks are read back from both sides and compared; `full` compares all.
/// Extents count in units of the larger block size (`BlockSizeBridge`), so a host copy
/// between block sizes is compared byte for byte as well.
public struct Verifier: Sendable {
    public enum Mode: String, Sendable { case none, sampled, full }

    public let source: BlockIO
    public let destination: BlockIO
    /// Random blocks checked per verified range, on top of every command's first and last.
    public var randomSamples: Int
    /// Largest read while comparing everything, in blocks of the smaller block size.
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

    /// Sampled comparisons in flight at once: on a target with milliseconds per command, a
    /// hundred samples one after the other cost more than the offloaded copy itself. A full
    /// check keeps two pieces in flight (each up to `chunkBlocks` from both sides in memory).
    public var concurrency = 8

    /// Compares the sampled blocks; throws `CopyError(.data)` naming the first that differs.
    public func verifySampled(_ extent: CopyExtent, commands: [CopyExtent], method: CopyMethod) async throws {
        var rng = SystemRandomNumberGenerator()
        let offsets = sampleOffsets(for: extent, commands: commands, random: &rng)
        // A few blocks: finished even when cancelled, so what an interrupted offload got
        // through can still be checked and reported.
        try await compareAll(offsets.map { (extent.sourceLBA + $0, extent.destinationLBA + $0, 1) }, width: concurrency,
                             bridge: try bridge(method), method: method, stopsWhenCancelled: false)
    }

    /// Compares every block of `extent`.
    public func verifyFull(_ extent: CopyExtent, method: CopyMethod) async throws {
        // `chunkBlocks` of the smaller block size per piece, in units.
        let bridge = try self.bridge(method)
        let smaller = Swift.min(bridge.sourceBlockSize, bridge.destinationBlockSize)
        let pieces = extent.chunks(of: UInt64(Swift.max(1, chunkBlocks * smaller / bridge.unitBytes)))
        try await compareAll(pieces.map { ($0.sourceLBA, $0.destinationLBA, Int($0.blocks)) }, width: 2, bridge: bridge,
                             method: method, stopsWhenCancelled: true)
    }

    /// Runs the comparisons, `width` at a time. A difference stops new ones; of those
    /// found, the one earliest in the list is thrown (the same answer as one at a time). Any
    /// other error ends the check at once. With `stopsWhenCancelled`, cancellation stops new
    /// ones too and throws `.cancelled`: what was not compared is not verified (a long
    /// `--verify` obeys Ctrl-C).
    private func compareAll(_ items: [(source: UInt64, destination: UInt64, blocks: Int)], width: Int, bridge: BlockSizeBridge,
                            method: CopyMethod, stopsWhenCancelled: Bool) async throws {
        var firstDifference: (index: Int, error: CopyError)?
        var started = 0
        let cancelled = CopyError(.cancelled, method: method, "verification cancelled")
        do {
            try await withThrowingTaskGroup(of: (Int, CopyError?).self) { group in
                func start() {
                    let i = started, item = items[i]
                    started += 1
                    group.addTask {
                        do {
                            try await compare(item.source, item.destination, blocks: item.blocks, bridge: bridge, method: method)
                            return (i, nil)
                        } catch let e as CopyError where e.kind == .data {
                            return (i, e)
                        }
                    }
                }
                func stopped() -> Bool { stopsWhenCancelled && Task.isCancelled }
                while started < items.count, started < Swift.max(1, width), !stopped() { start() }
                while let (i, difference) = try await group.next() {
                    if let difference, firstDifference.map({ i < $0.index }) ?? true { firstDifference = (i, difference) }
                    if firstDifference == nil, !stopped(), started < items.count { start() }
                }
            }
        } catch is CancellationError {
            throw cancelled  // a device whose reads give up when the task is cancelled
        }
        if let firstDifference { throw firstDifference.error }
        if started < items.count { throw cancelled }
    }

    /// Compares `units` units from unit `s` of the source with those from unit `d` of the
    /// destination, each side read in its own blocks.
    private func compare(_ s: UInt64, _ d: UInt64, blocks units: Int, bridge: BlockSizeBridge, method: CopyMethod) async throws {
        let ks = bridge.sourceBlocksPerUnit, kd = bridge.destinationBlocksPerUnit
        async let sourceBytes = source.read(lba: s * ks, blocks: units * Int(ks), method: nil)
        async let destinationBytes = destination.read(lba: d * kd, blocks: units * Int(kd), method: nil)
        let a = try await sourceBytes, b = try await destinationBytes
        guard a != b else { return }
        let byte = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
        throw CopyError(.data, method: method,
                        "destination block \(d * kd + UInt64(byte / bridge.destinationBlockSize)) differs from source block \(s * ks + UInt64(byte / bridge.sourceBlockSize)) after the array reported the copy done")
    }

    /// How units map onto each side's blocks; block sizes no copy bridges are invalid here too.
    private func bridge(_ method: CopyMethod) throws -> BlockSizeBridge {
        guard let bridge = BlockSizeBridge(source: source.blockSize, destination: destination.blockSize) else {
            throw CopyError(.invalid, method: method, "block sizes \(source.blockSize) and \(destination.blockSize) cannot be compared unit for unit")
        }
        return bridge
    }
}
