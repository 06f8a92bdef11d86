@testable import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// Failures and cancellation: the error is classified and `completedBlocks` is exactly the
/// prefix of the extent whose chunks all landed.
@Suite struct HostCopyFailureTests {
    static func fixture(blocks: UInt64 = 2048, seed: UInt64) throws -> (HostCopyFixture, [UInt8]) {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: blocks)
        try f.makeLU(1, blocks: blocks)
        var rng = HostCopyRandom(seed: seed)
        let image = rng.bytes(Int(blocks) * 512)
        try f.put(0, image)
        return (f, image)
    }

    /// Refuses WRITE(16) touching destination blocks in `refused` with 27/07 (thin pool full).
    static func refuseWrites(_ refused: Range<UInt64>) -> HostCopyFixture.Intercept {
        { c in
            guard c.operationCode == .write16, let r = c.hostCopyRange, r.lba < refused.upperBound, r.lba + r.blocks > refused.lowerBound else { return nil }
            return .checkCondition(.hostCopy(.dataProtect, .spaceAllocationFailedWriteProtect))
        }
    }

    @Test(arguments: [1, 4, 8])
    func destinationRefusingWritesPastAnLBA(_ depth: Int) async throws {
        let (f, image) = try Self.fixture(seed: UInt64(depth))
        let before = hostCopyChecksum(try f.contents(0))
        // Extent starts at destination LBA 100; refusal from LBA 100 + 300.
        let dst = f.device(1, intercept: Self.refuseWrites(400..<UInt64.max))
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: depth, chunkBlocks: 64))
        let extent = CopyExtent(sourceLBA: 0, destinationLBA: 100, blocks: 1500)
        let error = try await #require(throws: CopyError.self) { try await engine.copy(extent) { _ in } }
        #expect(error.kind == .space)
        #expect(error.method == .host)
        // Chunks 0-3 (256 blocks) end before LBA 400; chunk 4 crosses it.
        #expect(error.completedBlocks == 256)
        #expect(try f.contents(1, lba: 100, blocks: 256) == Array(image[0..<(256 * 512)]))
        #expect(hostCopyChecksum(try f.contents(0)) == before)
        // No chunk started after the failure was seen beyond what was in flight then.
        #expect(dst.count(.write16) <= 5 + depth)
    }

    @Test func laterChunksLandingDoNotCountPastAHole() async throws {
        let (f, image) = try Self.fixture(seed: 77)
        // Chunk 2 (blocks 128-191) fails, and slowly, so chunks 3.. land meanwhile.
        let refusing = f.device(1, intercept: Self.refuseWrites(128..<192))
        let dst = HostCopyPacedDevice(refusing) { c in c.hostCopyRange?.lba == 128 ? .milliseconds(30) : .milliseconds(1) }
        let log = HostCopyProgressLog()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: 6, chunkBlocks: 64))
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { log.record($0) }
        }
        #expect(error.kind == .space)
        #expect(error.completedBlocks == 128)
        // More than the prefix landed (progress counts it), but it is not claimed.
        #expect((log.all.last ?? 0) > 128)
        #expect(try f.contents(1, blocks: 128) == Array(image[0..<(128 * 512)]))
    }

    @Test func sourceReadErrorIsClassified() async throws {
        let (f, image) = try Self.fixture(seed: 5)
        let src = f.device(0) { c in
            guard c.operationCode == .read16, let r = c.hostCopyRange, r.lba <= 700, r.lba + r.blocks > 700 else { return nil }
            return .checkCondition(.hostCopy(.mediumError, AdditionalSense(code: 0x11, qualifier: 0x00)))
        }
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: f.device(1)),
                                    options: HostCopyOptions(queueDepth: 3, chunkBlocks: 100))
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { _ in }
        }
        #expect(error.kind == .transport)
        #expect(error.completedBlocks == 700)
        #expect(error.sense?.key == .mediumError)
        #expect(try f.contents(1, blocks: 700) == Array(image[0..<(700 * 512)]))
    }

    /// BUSY to the end of the command's deadline (1 s here): resent until then, then transient.
    @Test func busyIsTransient() async throws {
        let (f, _) = try Self.fixture(seed: 6)
        let dst = f.device(1) { c in
            c.operationCode == .write16 && c.hostCopyRange?.lba == 512 ? SCSIResponse(status: .busy) : nil
        }
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: 1, chunkBlocks: 128, commandTimeout: .seconds(1)))
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { _ in }
        }
        #expect(error.kind == .transient)
        #expect(error.completedBlocks == 512)
    }

    @Test("BUSY, TASK SET FULL and UNIT ATTENTION, each answered once: the commands go again and the copy ends byte-exact")
    func notRunAnswersAreSentAgain() async throws {
        let (f, image) = try Self.fixture(seed: 7)
        let readAnswered = Counter(), writeAnswered = Counter(), thirdWrite = Counter()
        let src = f.device(0) { c in
            guard c.operationCode == .read16, c.hostCopyRange?.lba == 256 else { return nil }
            readAnswered.increment()
            return readAnswered.value == 1 ? .checkCondition(.hostCopy(.unitAttention, .powerOnResetOrBusDeviceReset)) : nil
        }
        let dst = f.device(1) { c in
            guard c.operationCode == .write16, let lba = c.hostCopyRange?.lba else { return nil }
            if lba == 512 {
                writeAnswered.increment()
                return writeAnswered.value == 1 ? SCSIResponse(status: .busy) : nil
            }
            if lba == 1024 {
                thirdWrite.increment()
                return thirdWrite.value <= 2 ? SCSIResponse(status: .taskSetFull) : nil
            }
            return nil
        }
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst),
                                    statistics: stats, options: HostCopyOptions(queueDepth: 4, chunkBlocks: 128))
        let outcome = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { _ in }
        #expect(outcome.blocks == 2048)
        #expect(try f.contents(1) == image)
        // 16 chunks: one READ resent, one WRITE resent once and one twice.
        #expect(stats.commands["READ(16)"] == 17)
        #expect(stats.commands["WRITE(16)"] == 19)
    }

    @Test func lostSessionIsATransportError() async throws {
        let (f, _) = try Self.fixture(seed: 8)
        let dst = f.device(1) { c in
            if c.operationCode == .write16, c.hostCopyRange?.lba == 256 { throw TransportError.connectionLost("sim", reason: "reset by peer") }
            return nil
        }
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: 1, chunkBlocks: 128))
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { _ in }
        }
        #expect(error.kind == .transport)
        #expect(error.completedBlocks == 256)
        // The failed chunk's buffer is given up, not reused: a late answer may still land in it.
        #expect(engine.buffers.current == 0)
        #expect(engine.buffers.spare == 0)
    }

    @Test func failureInARunOfZerosCountsOnlyTheLandedPrefix() async throws {
        // Blocks 512-1023 are zeros: chunks 4-7, put down in runs of two (512+256, 768+256).
        // The first run lands, the second fails: the prefix ends where the second run starts.
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 1024)
        try f.makeLU(1, blocks: 1024)
        var rng = HostCopyRandom(seed: 9)
        var image = rng.bytes(1024 * 512)
        for i in (512 * 512)..<(1024 * 512) { image[i] = 0 }
        try f.put(0, image)
        try f.put(1, [UInt8](repeating: 0xFF, count: 1024 * 512))
        let dst = f.device(1) { c in
            c.operationCode == .writeSame16 && c.hostCopyRange?.lba == 768 ? .checkCondition(.hostCopy(.hardwareError, AdditionalSense(code: 0x44, qualifier: 0))) : nil
        }
        let stats = CopyStatistics()
        var options = HostCopyOptions(queueDepth: 1, chunkBlocks: 128)
        options.zeroRunChunks = 2
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: dst),
                                    statistics: stats, options: options)
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1024)) { _ in }
        }
        #expect(error.kind == .transport)
        #expect(error.completedBlocks == 768)
        #expect(try f.contents(1, blocks: 768) == Array(image[0..<(768 * 512)]))
        #expect(dst.commands.compactMap { $0.operationCode == .writeSame16 ? $0.hostCopyRange?.blocks : nil } == [256, 256])
    }

    @Test func cancellationStopsIssuingAndReportsTheLandedPrefix() async throws {
        let (f, image) = try Self.fixture(blocks: 4096, seed: 10)
        let inFlight = HostCopyInFlight()
        let srcSession = f.device(0)
        let src = HostCopyPacedDevice(srcSession, inFlight: inFlight) { _ in .milliseconds(3) }
        let dstSession = f.device(1)
        let dst = HostCopyPacedDevice(dstSession, inFlight: inFlight) { _ in .milliseconds(3) }
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst),
                                    options: HostCopyOptions(queueDepth: 4, chunkBlocks: 32))
        let (landed, signal) = AsyncStream.makeStream(of: UInt64.self)
        let task = Task {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { signal.yield($0) }
        }
        for await blocks in landed where blocks >= 96 { break }
        task.cancel()
        let result = await task.result
        guard case let .failure(e) = result, let error = e as? CopyError else {
            Issue.record("expected a cancelled CopyError, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
        #expect(error.method == .host)
        #expect(error.completedBlocks >= 32 && error.completedBlocks < 4096)
        #expect(error.completedBlocks % 32 == 0)
        #expect(try f.contents(1, blocks: error.completedBlocks) == Array(image[0..<Int(error.completedBlocks * 512)]))
        // In-flight chunks finished before the engine returned; far from all 128 were issued.
        #expect(inFlight.current == 0)
        #expect(engine.buffers.current == 0)
        #expect(dstSession.count(.write16) < 128)
        // Every chunk that was read was also written (none abandoned halfway).
        #expect(srcSession.count(.read16) == dstSession.count(.write16))
    }

    @Test func alreadyCancelledSendsNothing() async throws {
        let (f, _) = try Self.fixture(seed: 12)
        let src = f.device(0), dst = f.device(1)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2048)) { _ in }
        }
        let result = await task.result
        guard case let .failure(e) = result, let error = e as? CopyError else {
            Issue.record("expected a cancelled CopyError, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
        #expect(error.completedBlocks == 0)
        #expect(src.commands.isEmpty && dst.commands.isEmpty)
    }

    @Test func extentPastTheEndIsInvalid() async throws {
        let (f, _) = try Self.fixture(blocks: 256, seed: 13)
        let src = f.device(0), dst = f.device(1)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst))
        for extent in [CopyExtent(sourceLBA: 200, destinationLBA: 0, blocks: 100), CopyExtent(sourceLBA: 0, destinationLBA: 200, blocks: 100),
                       CopyExtent(sourceLBA: UInt64.max, destinationLBA: 0, blocks: 2)] {
            let error = try await #require(throws: CopyError.self) { try await engine.copy(extent) { _ in } }
            #expect(error.kind == .invalid)
        }
        #expect(src.commands.isEmpty && dst.commands.isEmpty)
    }

    @Test func noSessionsIsInvalid() async throws {
        let engine = HostCopyEngine(sources: [], destinations: [])
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8)) { _ in }
        }
        #expect(error.kind == .invalid)
    }
}
