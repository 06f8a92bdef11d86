/// One block-to-block segment of an extent: where it starts (blocks from the extent's start)
/// and how long it is (at most 65535 blocks, the 16-bit NUMBER OF BLOCKS).
struct XCopySegment: Sendable, Equatable {
    var offset: UInt64
    var blocks: UInt32
}

/// One EXTENDED COPY: consecutive segments of the extent, so what it copies is one run.
struct XCopyCommand: Sendable {
    /// Indexes into the extent's segment list.
    var segments: Range<Int>
    /// Blocks from the extent's start where this command begins.
    var offset: UInt64
    /// Each segment's block count, in order.
    var segmentBlocks: [UInt32]

    var blocks: UInt64 { segmentBlocks.reduce(0) { $0 + UInt64($1) } }

    /// Blocks in the first `n` segments.
    func blocks(inFirst n: Int) -> UInt64 {
        segmentBlocks.prefix(max(0, n)).reduce(0) { $0 + UInt64($1) }
    }
}

/// The segments not yet sent, as ranges of segment indexes in extent order. Commands take from
/// the front; a command refused with TOO MANY SEGMENT DESCRIPTORS puts its segments back, in
/// order, to be sent again in smaller commands.
struct XCopyWorkQueue {
    private(set) var pending: [Range<Int>]

    init(segmentCount: Int) { pending = segmentCount > 0 ? [0..<segmentCount] : [] }

    var isEmpty: Bool { pending.isEmpty }

    /// The next run of at most `limit` segments.
    mutating func take(atMost limit: Int) -> Range<Int>? {
        guard !pending.isEmpty else { return nil }
        let first = pending.removeFirst()
        let n = min(max(1, limit), first.count)
        let taken = first.lowerBound..<(first.lowerBound + n)
        if n < first.count { pending.insert((first.lowerBound + n)..<first.upperBound, at: 0) }
        return taken
    }

    mutating func putBack(_ r: Range<Int>) {
        guard !r.isEmpty else { return }
        let i = pending.firstIndex { $0.lowerBound > r.lowerBound } ?? pending.endIndex
        pending.insert(r, at: i)
    }

    mutating func removeAll() { pending.removeAll() }
}

/// Which blocks of the extent are certainly in the destination, from the start: commands
/// finish out of order, and only a gap-free run from block 0 counts.
struct XCopyCompletion {
    private var done: [UInt64: (length: UInt64, done: UInt64)] = [:]
    /// Blocks from the extent's start that are done, up to the first command not finished.
    private(set) var prefix: UInt64 = 0

    /// A command starting at `offset`, `length` blocks long, has `blocksDone` certainly done
    /// from its start (all of it when it finished). Never lowers what was recorded.
    mutating func record(offset: UInt64, length: UInt64, blocksDone: UInt64) {
        guard offset >= prefix else { return }
        let n = min(blocksDone, length)
        if let old = done[offset], old.done >= n { return }
        done[offset] = (length, n)
        while let d = done[prefix], d.done == d.length, d.length > 0 {
            done[prefix] = nil
            prefix += d.length
        }
    }

    /// The gap-free run plus what the command right after it has done so far.
    var certain: UInt64 { prefix + (done[prefix]?.done ?? 0) }
}
