@testable import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// The host path between LUs of different block sizes: extents in units of the larger block,
/// each side addressed in its own blocks, zeros put down in the destination's blocks.
@Suite struct HostCopyBlockSizeBridgeTests {
    @Test func bridgeArithmetic() throws {
        let up = try #require(BlockSizeBridge(source: 512, destination: 4096))
        #expect(up.unitBytes == 4096 && up.sourceBlocksPerUnit == 8 && up.destinationBlocksPerUnit == 1 && !up.isIdentity)
        let down = try #require(BlockSizeBridge(source: 4096, destination: 512))
        #expect(down.sourceBlocksPerUnit == 1 && down.destinationBlocksPerUnit == 8)
        #expect(BlockSizeBridge(source: 512, destination: 512)?.isIdentity == true)
        #expect(BlockSizeBridge(source: 512, destination: 520) == nil)
        #expect(BlockSizeBridge(source: 0, destination: 512) == nil)
    }

    @Test("512 -> 4096: data byte-exact, zeros as one WRITE SAME in 4096-byte blocks, destination thin")
    func upToFourK() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 512, blocks: 8192)      // 4 MiB
        try f.makeLU(1, blockSize: 4096, blocks: 1024)     // 4 MiB
        var rng = HostCopyRandom(seed: 31)
        var image = rng.bytes(8192 * 512)
        for i in (2 << 20)..<(4 << 20) { image[i] = 0 }  // second half zeros
        try f.put(0, image)
        try f.put(1, [UInt8](repeating: 0xA5, count: 4 << 20))
        let src = f.device(0), dst = f.device(1)
        let stats = CopyStatistics()
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: dst),
                                    statistics: stats, options: HostCopyOptions(queueDepth: 4, chunkBlocks: 64))
        #expect(engine.bridge?.unitBytes == 4096)
        let outcome = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1024)) { _ in }
        #expect(outcome.blocks == 1024)
        #expect(try f.contents(1) == image)
        // 64 units = 256 KiB a chunk: 512 source blocks read, 64 destination blocks written.
        #expect(src.commands.compactMap { $0.operationCode == .read16 ? $0.hostCopyRange?.blocks : nil }.allSatisfy { $0 == 512 })
        #expect(dst.commands.compactMap { $0.operationCode == .write16 ? $0.hostCopyRange?.blocks : nil }.allSatisfy { $0 == 64 })
        #expect(stats.commands["WRITE(16)"] == 8)
        let ws = dst.commands.compactMap { $0.operationCode == .writeSame16 ? $0.hostCopyRange : nil }
        #expect(ws.map(\.lba) == [512] && ws.map(\.blocks) == [512], "one WRITE SAME over the 2 MiB of zeros, in 4096-byte blocks")
        #expect(f.store(1).mappedBlockCount == 512)
        #expect(src.commands.allSatisfy { $0.operationCode == .read16 || $0.cdb.first == 0x9E })
    }

    @Test("4096 -> 512 at offsets: each side's LBAs scaled, nothing outside touched")
    func downFromFourK() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 4096, blocks: 64)
        try f.makeLU(1, blockSize: 512, blocks: 1024)
        var rng = HostCopyRandom(seed: 32)
        let image = rng.bytes(64 * 4096)
        try f.put(0, image)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: f.device(1)),
                                    options: HostCopyOptions(queueDepth: 3, chunkBlocks: 5))
        // Units 3..<43 of the source onto units 70..<110 of the destination (LBA 560 in 512s).
        _ = try await engine.copy(CopyExtent(sourceLBA: 3, destinationLBA: 70, blocks: 40)) { _ in }
        #expect(try f.contents(1, lba: 560, blocks: 320) == Array(image[(3 * 4096)..<(43 * 4096)]))
        #expect(try f.contents(1, lba: 0, blocks: 560).allSatisfy { $0 == 0 })
        #expect(try f.contents(1, lba: 880).allSatisfy { $0 == 0 })
    }

    @Test func extentPastTheEndInUnitsIsInvalid() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 512, blocks: 100)   // 12 whole units of 4096
        try f.makeLU(1, blockSize: 4096, blocks: 64)
        let src = f.device(0)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src), destination: try await f.endpoint(1, device: f.device(1)))
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 13)) { _ in }
        }
        #expect(error.kind == .invalid)
        #expect(src.commands.allSatisfy { $0.operationCode != .read16 })
    }

    @Test func sessionsOfOneSideWithDifferentBlockSizesAreInvalid() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 512, blocks: 256)
        try f.makeLU(1, blockSize: 4096, blocks: 256)
        try f.makeLU(2, blockSize: 512, blocks: 256)
        let engine = HostCopyEngine(sources: [try await f.endpoint(0, device: f.device(0)), try await f.endpoint(1, device: f.device(1))],
                                    destinations: [try await f.endpoint(2, device: f.device(2))])
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8)) { _ in }
        }
        #expect(error.kind == .invalid)
    }

    @Test func aUnitLargerThanAMaximumTransferLengthIsInvalid() async throws {
        // The source takes at most 4 blocks of 512 bytes a command: half a 4096-byte unit.
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: 512, blocks: 256)
        try f.makeLU(1, blockSize: 4096, blocks: 32)
        let src = f.device(0)
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: src, adjust: { $0.blockLimits = .answered(BlockLimitsPage(maximumTransferLength: 4)) }),
                                    destination: try await f.endpoint(1, device: f.device(1)))
        let error = try await #require(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8)) { _ in }
        }
        #expect(error.kind == .invalid)
        #expect(src.commands.allSatisfy { $0.operationCode != .read16 })
    }
}
