import CopyEngine
import OffloadProbe
import SCSITransport
import SCSIWire
import Testing

/// With skipSourceHoles, a deallocated source chunk on a thin LBPRZ source is not read: the
/// host path of a half-empty volume moves only the allocated half, and the copy stays exact.
@Suite struct HostCopySourceHoleTests {
    @Test("half-empty thin source: only the allocated half is read, the destination is exact and thin")
    func skipsHoles() async throws {
        let f = try JobFixture(blocks: 4096)
        // Allocate the first half of the source only.
        let half = [UInt8]((0..<(2048 * 512)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try f.store(0).write(lba: 0, data: half)
        let src = try await f.endpoint(0), dst = try await f.endpoint(1)
        var o = HostCopyOptions(queueDepth: 4, chunkBlocks: 256)
        o.skipSourceHoles = true
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: src, destination: dst, statistics: stats, options: o)
        let out = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { _ in }
        #expect(out.blocks == 4096)
        #expect(stats.hostBytesRead == 2048 * 512, "read \(stats.hostBytesRead) bytes; only the allocated half should be")
        #expect(try f.contents(1) == f.contents(0))
        #expect(try !f.store(1).isMapped(lba: 3000), "the hole stays a hole on the destination")
        // One answer describes the whole source (mapped half, deallocated half) and one the
        // empty destination: not a question per chunk, although four chunks start at once.
        #expect(stats.commands["GET LBA STATUS"] == 2)
    }

    @Test("off by default: every chunk is read")
    func offByDefault() async throws {
        let f = try JobFixture(blocks: 1024)
        let src = try await f.endpoint(0), dst = try await f.endpoint(1)
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: src, destination: dst, statistics: stats, options: HostCopyOptions(queueDepth: 2, chunkBlocks: 256))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1024)) { _ in }
        #expect(stats.hostBytesRead == 1024 * 512, "without the option every chunk of an empty source is read")
        #expect(stats.commands["READ(16)"] == 4)
    }
}
