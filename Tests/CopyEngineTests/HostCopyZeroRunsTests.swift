@testable import CopyEngine
import Testing

/// Runs of zero chunks are released only once they are final, whatever order chunks complete in.
@Suite struct HostCopyZeroRunsTests {
    @Test func inOrderCompletionReleasesEachRunWhenDataFollowsIt() {
        var runs = HostCopyZeroRuns(chunks: 6, maximumChunks: 64)
        #expect(runs.complete(0, zeros: false).isEmpty)
        #expect(runs.complete(1, zeros: true).isEmpty)
        #expect(runs.complete(2, zeros: true).isEmpty, "chunk 3 may still extend the run")
        #expect(runs.complete(3, zeros: false) == [1..<3])
        #expect(runs.complete(4, zeros: true).isEmpty)
        #expect(runs.complete(5, zeros: true) == [4..<6], "the end of the extent closes the last run")
    }

    @Test func outOfOrderCompletionWaitsForTheFrontier() {
        var runs = HostCopyZeroRuns(chunks: 5, maximumChunks: 64)
        #expect(runs.complete(2, zeros: true).isEmpty)
        #expect(runs.complete(3, zeros: false).isEmpty, "chunks 0 and 1 are still in flight")
        #expect(runs.complete(1, zeros: true).isEmpty)
        #expect(runs.frontier == 0)
        #expect(runs.complete(0, zeros: false) == [1..<3])
        #expect(runs.frontier == 4)
        #expect(runs.complete(4, zeros: false).isEmpty)
    }

    @Test func aRunIsCutAtTheMaximum() {
        var runs = HostCopyZeroRuns(chunks: 7, maximumChunks: 3)
        var released: [Range<Int>] = []
        for i in 0..<7 { released += runs.complete(i, zeros: true) }
        #expect(released == [0..<3, 3..<6, 6..<7])
    }

    @Test func maximumOfOneIsChunkByChunk() {
        var runs = HostCopyZeroRuns(chunks: 3, maximumChunks: 1)
        #expect(runs.complete(1, zeros: true).isEmpty)
        #expect(runs.complete(0, zeros: true) == [0..<1, 1..<2])
        #expect(runs.complete(2, zeros: true) == [2..<3])
    }

    @Test func dataOnlyReleasesNothing() {
        var runs = HostCopyZeroRuns(chunks: 3, maximumChunks: 8)
        for i in [2, 0, 1] { #expect(runs.complete(i, zeros: false).isEmpty) }
        #expect(runs.frontier == 3)
    }
}
