import CopyEngine
import Testing

@Suite struct CopyExtentTests {
    @Test func chunksCoverTheExtentExactly() {
        let e = CopyExtent(sourceLBA: 10, destinationLBA: 1000, blocks: 10)
        let parts = e.chunks(of: 4)
        #expect(parts.map(\.blocks) == [4, 4, 2])
        #expect(parts.map(\.sourceLBA) == [10, 14, 18])
        #expect(parts.map(\.destinationLBA) == [1000, 1004, 1008])
    }

    @Test func resumeAfterPartialProgress() {
        let e = CopyExtent(sourceLBA: 10, destinationLBA: 1000, blocks: 10)
        #expect(e.dropping(first: 3) == CopyExtent(sourceLBA: 13, destinationLBA: 1003, blocks: 7))
        #expect(e.dropping(first: 99).blocks == 0)
        #expect(e.prefix(3) == CopyExtent(sourceLBA: 10, destinationLBA: 1000, blocks: 3))
    }
}
