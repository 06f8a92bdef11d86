@testable import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

@Suite struct HostCopyEngineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var queueDepth: Int
        var chunkBlocks: Int?
        var blocks: UInt64
        var testDescription: String { "qd \(queueDepth), chunk \(chunkBlocks.map(String.init) ?? "auto"), \(blocks) blocks" }
    }

    static let cases: [Case] = [
        Case(queueDepth: 1, chunkBlocks: 8, blocks: 100),
        Case(queueDepth: 2, chunkBlocks: 64, blocks: 64),
        Case(queueDepth: 4, chunkBlocks: 16, blocks: 1000),
        Case(queueDepth: 8, chunkBlocks: 128, blocks: 1001),
        Case(queueDepth: 16, chunkBlocks: 7, blocks: 333),
        Case(queueDepth: 32, chunkBlocks: 1, blocks: 50),
        Case(queueDepth: 8, chunkBlocks: nil, blocks: 5000),
    ]

    @Test(arguments: cases)
    func copiesRandomDataByteExact(_ c: Case) async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 6000)
        try f.makeLU(1, blocks: 6000)
        var rng = HostCopyRandom(seed: UInt64(c.blocks) &* 7 &+ UInt64(c.queueDepth))
        try f.put(0, rng.bytes(6000 * 512))
        let before = hostCopyChecksum(try f.contents(0))
        let src = f.device(0), dst = f.device(1)
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst),
                                    statistics: stats, options: HostCopyOptions(queueDepth: c.queueDepth, chunkBlocks: c.chunkBlocks))
        let chunk = c.chunkBlocks ?? 2048
        #expect(engine.chunkBlocks == chunk)
        let extent = CopyExtent(sourceLBA: 5, destinationLBA: 17, blocks: c.blocks)
        let log = HostCopyProgressLog()
        let outcome = try await engine.copy(extent) { log.record($0) }

        #expect(outcome.blocks == c.blocks)
        #expect(outcome.offloadedCommands.isEmpty)
        #expect(try f.contents(1, lba: 17, blocks: c.blocks) == f.contents(0, lba: 5, blocks: c.blocks))
        // Nothing outside the destination range was touched.
        #expect(try f.contents(1, lba: 0, blocks: 17).allSatisfy { $0 == 0 })
        #expect(try f.contents(1, lba: 17 + c.blocks).allSatisfy { $0 == 0 })
        #expect(hostCopyChecksum(try f.contents(0)) == before)

        let chunks = Int((c.blocks + UInt64(chunk) - 1) / UInt64(chunk))
        #expect(stats.hostBytesRead == c.blocks * 512)
        #expect(stats.hostBytesWritten == c.blocks * 512)
        #expect(stats.commands == ["READ(16)": chunks, "WRITE(16)": chunks])
        #expect(src.commands.allSatisfy { $0.operationCode == .read16 })
        #expect(dst.commands.allSatisfy { $0.operationCode == .write16 })
        #expect(src.commands.compactMap(\.hostCopyRange).allSatisfy { $0.blocks <= UInt64(chunk) })
        // Progress: one report per chunk, rising, ending at the whole extent.
        #expect(log.all.count == chunks)
        #expect(log.all == log.all.sorted())
        #expect(log.all.last == c.blocks)
        #expect(engine.buffers.current == 0)
        #expect(engine.buffers.peak <= c.queueDepth)
    }

    @Test func copies4096ByteBlocks() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 4096, blocks: 1200)
        try f.makeLU(1, blockSize: 4096, blocks: 1200)
        var rng = HostCopyRandom(seed: 4096)
        try f.put(0, rng.bytes(1200 * 4096))
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: f.device(1)),
                                    statistics: stats)
        // 1 MiB of 4096-byte blocks.
        #expect(engine.chunkBlocks == 256)
        let extent = CopyExtent(sourceLBA: 3, destinationLBA: 100, blocks: 1001)
        _ = try await engine.copy(extent) { _ in }
        #expect(try f.contents(1, lba: 100, blocks: 1001) == f.contents(0, lba: 3, blocks: 1001))
        #expect(stats.hostBytesRead == 1001 * 4096)
        #expect(stats.commands["READ(16)"] == 4)
    }

    /// Two LUs of 2048 blocks, the source filled from `seed`, three sessions to the source and
    /// two to the destination.
    static func sessions(seed: UInt64) throws -> (HostCopyFixture, sources: [InMemoryDevice], destinations: [InMemoryDevice]) {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 2048)
        try f.makeLU(1, blocks: 2048)
        var rng = HostCopyRandom(seed: seed)
        try f.put(0, rng.bytes(2048 * 512))
        return (f, (0..<3).map { f.device(0, session: $0) }, (0..<2).map { f.device(1, session: 10 + $0) })
    }

    @Test func roundRobinsOverSessions() async throws {
        let (f, sources, destinations) = try Self.sessions(seed: 3)
        let engine = HostCopyEngine(sources: try await f.endpoints(0, devices: sources), destinations: try await f.endpoints(1, devices: destinations),
                                    options: HostCopyOptions(queueDepth: 5, chunkBlocks: 100))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { _ in }
        #expect(try f.contents(1) == f.contents(0))
        // 21 chunks: chunk i on source i mod 3, destination i mod 2.
        #expect(sources.map { $0.count(.read16) } == [7, 7, 7])
        #expect(destinations.map { $0.count(.write16) } == [11, 10])
        for (s, session) in sources.enumerated() {
            let lbas = Set(session.commands.compactMap(\.hostCopyRange).map(\.lba))
            #expect(lbas == Set(stride(from: s, to: 21, by: 3).map { UInt64($0 * 100) }))
        }
    }

    @Test("an endpoint's further sessions (offload-copy --sessions) carry the job's host copy too")
    func jobSpreadsOverAnEndpointsSessions() async throws {
        let (f, sources, destinations) = try Self.sessions(seed: 4)
        let s = try await f.endpoints(0, devices: sources), d = try await f.endpoints(1, devices: destinations)
        var options = CopyOptions()
        options.method = .host
        options.chunkBytes = 100 * 512
        let job = CopyJob(source: CopyEndpoint(device: s[0].device, report: s[0].report, moreSessions: [sources[1], sources[2]]),
                          destination: CopyEndpoint(device: d[0].device, report: d[0].report, moreSessions: [destinations[1]]),
                          options: options, engines: CopyEngines.make)
        let report = try await job.run()
        #expect(report.ok)
        #expect(try f.contents(1) == f.contents(0))
        #expect(sources.allSatisfy { $0.count(.read16) > 0 }, "reads per session: \(sources.map { $0.count(.read16) })")
        #expect(destinations.allSatisfy { $0.count(.write16) > 0 }, "writes per session: \(destinations.map { $0.count(.write16) })")
    }

    @Test func neverSendsTheSourceAnythingButReads() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 1024)
        try f.makeLU(1, blocks: 1024)
        var rng = HostCopyRandom(seed: 11)
        var image = rng.bytes(1024 * 512)
        for i in (256 * 512)..<(512 * 512) { image[i] = 0 }  // a zero stretch exercises the thin paths too
        try f.put(0, image)
        let before = hostCopyChecksum(try f.contents(0))
        let mappedBefore = f.store(0).mappedBlockCount
        try f.put(1, [UInt8](repeating: 0xEE, count: 1024 * 512))
        let src = f.device(0)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: f.device(1)),
                                    options: HostCopyOptions(queueDepth: 6, chunkBlocks: 64))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1024)) { _ in }
        #expect(src.commands.count == 16)
        #expect(src.commands.allSatisfy { $0.operationCode == .read16 })
        #expect(hostCopyChecksum(try f.contents(0)) == before)
        #expect(f.store(0).mappedBlockCount == mappedBefore)
        #expect(try f.contents(1) == image)
    }

    @Test func chunkSizeComesFromTheBlockLimits() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 4096) { $0.maximumTransferLength = 96 }
        try f.makeLU(1, blocks: 4096) { $0.optimalTransferLength = 256 }
        try f.makeLU(2, blocks: 4096) { $0.optimalTransferLength = 512 }
        var rng = HostCopyRandom(seed: 5)
        try f.put(0, rng.bytes(4096 * 512))
        try f.put(1, rng.bytes(4096 * 512))
        // MAXIMUM TRANSFER LENGTH 96 on the source wins over the destination's optimal 256.
        let src0 = f.device(0)
        let a = HostCopyEngine(source: try await f.endpoint(0, device: src0), destination: try await f.endpoint(2, device: f.device(2)))
        #expect(a.chunkBlocks == 96)
        _ = try await a.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1000)) { _ in }
        #expect(src0.commands.compactMap(\.hostCopyRange).map(\.blocks) == Array(repeating: 96, count: 10) + [40])
        #expect(try f.contents(2, blocks: 1000) == f.contents(0, blocks: 1000))
        // Without a maximum, the smaller sane optimal length (256 blocks = 128 KiB).
        let b = HostCopyEngine(source: try await f.endpoint(1, device: f.device(1)), destination: try await f.endpoint(2, device: f.device(2)))
        #expect(b.chunkBlocks == 256)
        _ = try await b.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { _ in }
        #expect(try f.contents(2) == f.contents(1))
    }

    @Test(arguments: [1, 3, 8])
    func holdsAtMostQueueDepthBuffers(_ depth: Int) async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 4096)
        try f.makeLU(1, blocks: 4096)
        var rng = HostCopyRandom(seed: UInt64(depth))
        var image = rng.bytes(4096 * 512)
        for i in (1024 * 512)..<(2048 * 512) { image[i] = 0 }  // zero chunks take buffers differently
        try f.put(0, image)
        let inFlight = HostCopyInFlight()
        // Writes slower than reads: a pipeline without a bound would pile up read buffers.
        let src = HostCopyPacedDevice(f.device(0), inFlight: inFlight) { _ in .microseconds(300) }
        let dst = HostCopyPacedDevice(f.device(1), inFlight: inFlight) { _ in .milliseconds(2) }
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: depth, chunkBlocks: 64, checkLBAStatus: false, destinationReadCheck: .always))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { _ in }
        #expect(try f.contents(1) == image)
        #expect(engine.buffers.peak <= depth)
        #expect(engine.buffers.peak == depth, "the pipeline should fill up")
        #expect(engine.buffers.current == 0)
        #expect(inFlight.peak <= depth)
        #expect(inFlight.current == 0)
    }

    @Test func writesInOrderOfCompletionEachChunkOnce() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 512)
        try f.makeLU(1, blocks: 512)
        var rng = HostCopyRandom(seed: 99)
        try f.put(0, rng.bytes(512 * 512))
        // The first chunk's read is slow: later chunks land before it.
        let src = HostCopyPacedDevice(f.device(0)) { c in c.hostCopyRange?.lba == 0 ? .milliseconds(40) : .milliseconds(1) }
        let dst = f.device(1)
        let log = HostCopyProgressLog()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: 4, chunkBlocks: 32))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 512)) { log.record($0) }
        let writes = dst.commands.compactMap(\.hostCopyRange).map(\.lba)
        #expect(writes.count == 16)
        #expect(Set(writes) == Set((0..<16).map { UInt64($0 * 32) }))
        #expect(writes.first != 0, "chunk 0 was slow and should not be written first")
        // Progress counts landed blocks, whatever their order.
        #expect(log.all.first == 32)
        #expect(log.all.last == 512)
        #expect(try f.contents(1) == f.contents(0))
    }

    @Test func emptyExtentSendsNothing() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 64)
        try f.makeLU(1, blocks: 64)
        let src = f.device(0), dst = f.device(1)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst))
        let outcome = try await engine.copy(CopyExtent(sourceLBA: 10, destinationLBA: 10, blocks: 0)) { _ in Issue.record("no progress expected") }
        #expect(outcome.blocks == 0)
        #expect(src.commands.isEmpty && dst.commands.isEmpty)
    }
}
