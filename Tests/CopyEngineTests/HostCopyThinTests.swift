@testable import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// Zero chunks on thin destinations: skipped, deallocated (WRITE SAME UNMAP or UNMAP, per the
/// provisioning page and within the limits) or written, and the data exact either way.
@Suite struct HostCopyThinTests {
    static let blocks: UInt64 = 2048
    static let chunk = 64

    /// A source whose chunks alternate in runs: data in chunks 0-7, zeros in 8-15, data 16-19,
    /// zeros 20-31 (chunk = 64 blocks). 12 data chunks, 20 zero chunks in 2 runs (512 and 768
    /// blocks), each put down as one range.
    static func halfEmptyImage(seed: UInt64) -> (image: [UInt8], dataBlocks: Int, zeroChunks: Int) {
        var rng = HostCopyRandom(seed: seed)
        var image = [UInt8](repeating: 0, count: Int(blocks) * 512)
        let dataChunks = Array(0..<8) + Array(16..<20)
        for c in dataChunks {
            image.replaceSubrange((c * chunk * 512)..<((c + 1) * chunk * 512), with: rng.bytes(chunk * 512))
        }
        return (image, dataChunks.count * chunk, 32 - dataChunks.count)
    }

    struct Setup {
        let fixture: HostCopyFixture
        let destination: InMemoryDevice
        let statistics: CopyStatistics
        let engine: HostCopyEngine
        let image: [UInt8]
        let dataBlocks: Int
        let zeroChunks: Int

        func run() async throws {
            _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: HostCopyThinTests.blocks)) { _ in }
        }
        /// Runs of zero chunks: 8-15 and 20-31.
        let zeroRuns = 2
        var mapped: Int { fixture.store(1).mappedBlockCount }
        func count(_ name: String) -> Int { statistics.commands[name] ?? 0 }
    }

    static func setup(options: HostCopyOptions = HostCopyOptions(queueDepth: 4, chunkBlocks: 64), destinationGarbage: Bool = false,
                      configure: (inout LogicalUnitOptions) -> Void = { _ in }, intercept: HostCopyFixture.Intercept? = nil,
                      adjust: (inout DeviceReport) -> Void = { _ in }) async throws -> Setup {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: blocks)
        try f.makeLU(1, blocks: blocks, configure: configure)
        let (image, dataBlocks, zeroChunks) = halfEmptyImage(seed: 42)
        try f.put(0, image)
        if destinationGarbage { try f.put(1, [UInt8](repeating: 0xA5, count: Int(blocks) * 512)) }
        let dst = f.device(1, intercept: intercept)
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: dst, adjust: adjust),
                                    statistics: stats, options: options)
        return Setup(fixture: f, destination: dst, statistics: stats, engine: engine, image: image, dataBlocks: dataBlocks,
                     zeroChunks: zeroChunks)
    }

    @Test func halfEmptySourceOntoEmptyThinDestinationStaysThin() async throws {
        let s = try await Self.setup()
        #expect(s.engine.provisioning.thin && s.engine.provisioning.readsZeroWhenUnmapped)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        // Only the data chunks were allocated; GET LBA STATUS showed the rest unmapped already,
        // in one answer that served all 20 zero chunks.
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("GET LBA STATUS") == 1)
        #expect(s.count("WRITE(16)") == 12)
        #expect(s.count("WRITE SAME(16)") == 0 && s.count("UNMAP") == 0)
        // Zero chunks cost their reads only.
        #expect(s.statistics.hostBytesRead == Self.blocks * 512)
        #expect(s.statistics.hostBytesWritten == UInt64(s.dataBlocks * 512))
    }

    @Test func knownZeroedDestinationSkipsZeroChunksWithoutAsking() async throws {
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 4, chunkBlocks: 64, destinationKnownZeroed: true))
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.statistics.commands == ["READ(16)": 32, "WRITE(16)": 12])
        #expect(s.destination.commands.allSatisfy { $0.operationCode == .write16 })
    }

    @Test func mappedDestinationIsDeallocatedWithWriteSameUnmap() async throws {
        let s = try await Self.setup(destinationGarbage: true)
        #expect(s.engine.provisioning.deallocation == .writeSameUnmap)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("WRITE SAME(16)") == s.zeroRuns, "one WRITE SAME per run of zero chunks")
        #expect(s.count("UNMAP") == 0)
        #expect(s.count("WRITE(16)") == 12)
        let ws = s.destination.commands.filter { $0.operationCode == .writeSame16 }
        #expect(ws.allSatisfy { $0.cdb[1] & 0x08 != 0 && $0.data == .toDevice([UInt8](repeating: 0, count: 512)) })
        #expect(ws.compactMap { $0.hostCopyRange?.blocks } == [512, 768])
        // The zero block each WRITE SAME carries is counted as written.
        #expect(s.statistics.hostBytesWritten == UInt64(s.dataBlocks * 512 + s.zeroRuns * 512))
    }

    @Test func zeroRunsAreCutAtTheConfiguredLength() async throws {
        // Runs of 8 and 12 chunks, at most 5 chunks (320 blocks) a command: 5+3 and 5+5+2.
        var options = HostCopyOptions(queueDepth: 4, chunkBlocks: 64)
        options.zeroRunChunks = 5
        let s = try await Self.setup(options: options, destinationGarbage: true)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        let lengths = s.destination.commands.compactMap { $0.operationCode == .writeSame16 ? $0.hostCopyRange?.blocks : nil }
        #expect(lengths.sorted() == [128, 192, 320, 320, 320])
    }

    @Test func readingTheDestinationStaysWithinOneChunkOfMemoryPerSlot() async throws {
        // A thin destination without deallocation: each zero run is read back from the
        // destination before anything is written, piece by piece, never as one big buffer.
        let s = try await Self.setup(destinationGarbage: true, adjust: { report in
            report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: false, lbpws: false, lbprz: 1, provisioningType: 2))
        })
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.engine.buffers.peak <= 4)
        let reads = s.destination.commands.compactMap { $0.operationCode == .read16 ? $0.hostCopyRange?.blocks : nil }
        #expect(reads.allSatisfy { $0 <= 64 })
    }

    @Test func aRefusedLongWriteSameIsTriedAgainOneChunkLong() async throws {
        // The array enforces a WRITE SAME length it does not report: longer than one chunk is
        // INVALID FIELD IN CDB. The engine learns one chunk as the limit instead of giving up.
        let refuseLong: HostCopyFixture.Intercept = { c in
            c.operationCode == .writeSame16 && (c.hostCopyRange?.blocks ?? 0) > 64
                ? .checkCondition(.hostCopy(.illegalRequest, .invalidFieldInCDB)) : nil
        }
        let s = try await Self.setup(destinationGarbage: true, intercept: refuseLong)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("WRITE SAME(16)") == 1 + s.zeroChunks, "one refusal, then one per chunk")
        #expect(s.count("WRITE(16)") == 12, "no zeros written as data")
        #expect(s.statistics.warnings.isEmpty)
    }

    @Test func onlyTheMappedChunksOfARunAreDeallocated() async throws {
        // The destination holds old data in chunks 8-9 and 24-25 only: GET LBA STATUS shows the
        // rest of both runs unmapped, so only those four chunks are deallocated.
        var options = HostCopyOptions(queueDepth: 4, chunkBlocks: 64)
        options.destinationReadCheck = .never
        let s = try await Self.setup(options: options)
        for chunk in [8, 9, 24, 25] { try s.fixture.put(1, lba: UInt64(chunk * 64), [UInt8](repeating: 0xA5, count: 64 * 512)) }
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        let ws = s.destination.commands.compactMap { $0.operationCode == .writeSame16 ? $0.hostCopyRange : nil }
        #expect(ws.map(\.lba) == [512, 1536] && ws.map(\.blocks) == [128, 128], "\(ws)")
    }

    @Test func unmapIsUsedWhenOnlyLBPUIsAdvertised() async throws {
        let s = try await Self.setup(destinationGarbage: true, adjust: { report in
            report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: true, lbpws: false, lbprz: 1, provisioningType: 2))
        })
        #expect(s.engine.provisioning.deallocation == .unmap)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("UNMAP") == s.zeroRuns)
        #expect(s.count("WRITE SAME(16)") == 0)
        let lists = s.destination.commands.filter { $0.operationCode == .unmap }.compactMap { c -> UnmapParameterList? in
            guard case let .toDevice(bytes) = c.data else { return nil }
            return try? UnmapParameterList(parsing: bytes)
        }
        #expect(lists.map { $0.descriptors.map(\.numberOfBlocks) } == [[512], [768]])
    }

    @Test func unmapStaysWithinMaximumUnmapLBACount() async throws {
        // The array enforces 24 blocks per UNMAP; the engine learns it from VPD B0h.
        let s = try await Self.setup(destinationGarbage: true, configure: { $0.maximumUnmapLBACount = 24 }, adjust: { report in
            report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: true, lbpws: false, lbprz: 1, provisioningType: 2))
        })
        #expect(s.engine.provisioning.maximumUnmapBlocks == 24)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("UNMAP") == 22 + 32)  // 512 = 21 x 24 + 8, 768 = 32 x 24
        #expect(s.count("WRITE(16)") == 12)
    }

    @Test func writeSameStaysWithinMaximumWriteSameLength() async throws {
        let s = try await Self.setup(destinationGarbage: true, configure: { $0.maximumWriteSameLength = 40 })
        #expect(s.engine.provisioning.maximumWriteSameBlocks == 40)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("WRITE SAME(16)") == 13 + 20)  // 512 = 12 x 40 + 32, 768 = 19 x 40 + 8
        // Each of those commands is read back at its first and last block (some coincide).
        #expect(s.destination.count(.read16) == 2 * 33)
        let lengths = s.destination.commands.compactMap { $0.operationCode == .writeSame16 ? $0.hostCopyRange?.blocks : nil }
        #expect(lengths.allSatisfy { $0 <= 40 })
    }

    /// WRITE SAME(16) commands sent to the destination, and whether any had UNMAP set.
    static func writeSames(_ s: Setup) -> (count: Int, anyUnmap: Bool) {
        let ws = s.destination.commands.filter { $0.operationCode == .writeSame16 }
        return (ws.count, ws.contains { $0.cdb[1] & 0x08 != 0 })
    }

    @Test func theArrayWritesTheZerosWhenTheDestinationCannotDeallocate() async throws {
        let s = try await Self.setup(destinationGarbage: true, adjust: { report in
            report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: false, lbpws: false, lbprz: 1, provisioningType: 2))
        })
        #expect(s.engine.provisioning.deallocation == .none)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.count("WRITE(16)") == 12, "only the data chunks travel as data")
        let ws = Self.writeSames(s)
        #expect(ws.count == s.zeroRuns && !ws.anyUnmap, "zeros written by the array, not deallocated")
        #expect(s.count("UNMAP") == 0)
        #expect(s.statistics.hostBytesWritten == UInt64(s.dataBlocks * 512 + s.zeroRuns * 512))
    }

    @Test func zerosAreWrittenAsDataWhenWriteSameIsRefused() async throws {
        let refuse: HostCopyFixture.Intercept = { c in
            c.operationCode == .writeSame16 ? .checkCondition(.hostCopy(.illegalRequest, .invalidCommandOperationCode)) : nil
        }
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 1, chunkBlocks: 64), destinationGarbage: true,
                                     configure: { $0.thinProvisioned = false }, intercept: refuse)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.count("WRITE SAME(16)") == 1, "refused once, then not tried again")
        #expect(s.count("WRITE(16)") == 32)
    }

    @Test func withoutLBPRZNothingIsDeallocated() async throws {
        // Unmapped blocks that do not read as zeros cannot stand for zeros.
        let s = try await Self.setup(destinationGarbage: true, configure: { $0.unmappedReadsZero = false })
        #expect(!s.engine.provisioning.readsZeroWhenUnmapped)
        #expect(s.engine.provisioning.deallocation == .none)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.count("GET LBA STATUS") == 0 && s.count("UNMAP") == 0)
        #expect(!Self.writeSames(s).anyUnmap)
    }

    @Test func readingTheDestinationAvoidsAllocatingWhenNothingElseCan() async throws {
        // Thin, no deallocation and no GET LBA STATUS check: the default read check finds the zeros.
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 4, chunkBlocks: 64, checkLBAStatus: false), adjust: { report in
            report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: false, lbpws: false, lbprz: 1, provisioningType: 2))
        })
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.destination.count(.read16) == s.zeroChunks)
        #expect(s.count("WRITE(16)") == 12)
        #expect(s.statistics.hostBytesRead == Self.blocks * 512 + UInt64(s.zeroChunks * 64 * 512))
    }

    @Test func fullyProvisionedDestinationGetsZerosWrittenByTheArray() async throws {
        let s = try await Self.setup(destinationGarbage: true, configure: { $0.thinProvisioned = false })
        #expect(!s.engine.provisioning.thin)
        #expect(s.engine.provisioning.deallocation == .none)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.count("WRITE(16)") == 12)
        #expect(Self.writeSames(s) == (s.zeroRuns, false))
        #expect(s.count("GET LBA STATUS") == 0)
        #expect(s.destination.count(.read16) == 2 * s.zeroRuns, "the first and last block of each zeroed run are read back")
    }

    @Test func anArrayThatSaysGoodToWriteSameWithoutZeroingIsCaught() async throws {
        // GOOD, but nothing written: the old data stays. The read-back sees it, WRITE SAME is
        // dropped, and the zeros go down as data.
        let liar: HostCopyFixture.Intercept = { c in c.operationCode == .writeSame16 ? .good() : nil }
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 1, chunkBlocks: 64), destinationGarbage: true,
                                     configure: { $0.thinProvisioned = false }, intercept: liar)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image, "the destination must hold the source, zeros included")
        #expect(s.count("WRITE SAME(16)") == 1, "not trusted again after the first lie")
        #expect(s.count("WRITE(16)") == 32)
        #expect(s.statistics.warnings.contains { $0.contains("answered GOOD to WRITE SAME(16) but did not read zeros") })
    }

    @Test func writeSameRefusedFallsBackToUnmap() async throws {
        // The page claims LBPWS but the array refuses WRITE SAME(16) as an unknown command.
        let refuse: HostCopyFixture.Intercept = { c in
            c.operationCode == .writeSame16 ? .checkCondition(.hostCopy(.illegalRequest, .invalidCommandOperationCode)) : nil
        }
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 1, chunkBlocks: 64), destinationGarbage: true, intercept: refuse)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("WRITE SAME(16)") == 1, "refused once, then not tried again")
        #expect(s.count("UNMAP") == s.zeroRuns)
    }

    @Test func getLBAStatusRefusedIsNotAskedAgain() async throws {
        let refuse: HostCopyFixture.Intercept = { c in
            c.cdb.first == 0x9E && c.cdb[1] & 0x1F == 0x12 ? .checkCondition(.hostCopy(.illegalRequest, .invalidFieldInCDB)) : nil
        }
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 1, chunkBlocks: 64), intercept: refuse)
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == s.dataBlocks)
        #expect(s.count("GET LBA STATUS") == 1)
        #expect(s.count("WRITE SAME(16)") == s.zeroRuns)
    }

    @Test func keepDestinationThinOffWritesEveryChunk() async throws {
        let s = try await Self.setup(options: HostCopyOptions(queueDepth: 4, chunkBlocks: 64, keepDestinationThin: false))
        try await s.run()
        #expect(try s.fixture.contents(1) == s.image)
        #expect(s.mapped == Int(Self.blocks))
        #expect(s.statistics.commands == ["READ(16)": 32, "WRITE(16)": 32])
    }

    @Test func thinCopyWith4096ByteBlocks() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 4096, blocks: 512)
        try f.makeLU(1, blockSize: 4096, blocks: 512)
        var rng = HostCopyRandom(seed: 7)
        var image = [UInt8](repeating: 0, count: 512 * 4096)
        image.replaceSubrange(0..<(100 * 4096), with: rng.bytes(100 * 4096))  // chunks of 32 blocks: 3 full + part of the 4th
        try f.put(0, image)
        try f.put(1, [UInt8](repeating: 0x5A, count: 512 * 4096))
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: f.device(1)),
                                    options: HostCopyOptions(chunkBlocks: 32))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 512)) { _ in }
        #expect(try f.contents(1) == image)
        #expect(f.store(1).mappedBlockCount == 128)
    }
}
