/// Gathers consecutive chunks of zeros so they go down as one range: one WRITE SAME, UNMAP or
/// GET LBA STATUS question (and one read-back of the first and last block of each command)
/// for a run instead of per chunk. Every command costs an array time of its own (on LIO under emulation
/// about 0.7 ms), and a half-empty volume without allocation information is one long run.
///
/// Chunks complete in any order. A run is only final once every chunk before it and the chunk
/// after it have completed, so this tracks the in-order frontier: zero chunks are released as
/// runs when the frontier passes a data chunk after them, reaches the end of the extent, or
/// the run reaches `maximumChunks` (which bounds the work a failure leaves unlanded and keeps
/// progress moving). Since at most the queue depth of chunks is in flight, a zero chunk waits
/// for at most that many others.
struct HostCopyZeroRuns: Sendable {
    private enum State: Sendable { case inFlight, data, zeros }

    private var states: [State]
    /// Chunks before this index have all completed.
    private(set) var frontier = 0
    /// First chunk of the run of zeros the frontier is inside of, not yet released.
    private var runStart: Int?
    let maximumChunks: Int

    init(chunks: Int, maximumChunks: Int) {
        states = Array(repeating: .inFlight, count: chunks)
        self.maximumChunks = Swift.max(1, maximumChunks)
    }

    /// Records chunk `index` as completed, as data (landed) or as zeros still to be put down;
    /// returns the runs of zero chunks that are now final, in order.
    mutating func complete(_ index: Int, zeros: Bool) -> [Range<Int>] {
        states[index] = zeros ? .zeros : .data
        var released: [Range<Int>] = []
        while frontier < states.count, states[frontier] != .inFlight {
            if states[frontier] == .zeros {
                let start = runStart ?? frontier
                runStart = start
                if frontier + 1 - start == maximumChunks {
                    released.append(start..<(frontier + 1))
                    runStart = nil
                }
            } else if let start = runStart {
                released.append(start..<frontier)
                runStart = nil
            }
            frontier += 1
        }
        if frontier == states.count, let start = runStart {
            released.append(start..<frontier)
            runStart = nil
        }
        return released
    }
}
