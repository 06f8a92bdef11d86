@testable import CopyEngine
import Foundation
import SCSITransport
import SCSIWire
import Testing

/// The verifier compares in parallel but answers as if it went one block at a time: the
/// difference it names is the first in LBA order, and equal data passes.
@Suite struct VerifierTests {
    /// A LUN (512-byte blocks unless told) answering READ(16) from `bytes` after a short
    /// sleep, counting the reads in flight.
    final class Disk: SCSIDevice, @unchecked Sendable {
        let address = DeviceAddress(kind: .memory, nexus: "memory", lun: 0, display: "memory:0")
        let lock = NSLock()
        let bytes: [UInt8]
        let blockSize: Int
        var inFlight = 0, most = 0
        init(_ bytes: [UInt8], blockSize: Int = 512) { self.bytes = bytes; self.blockSize = blockSize }

        func execute(_ c: SCSICommand) async throws -> SCSIResponse {
            let lba = Int(c.cdb[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            let n = Int(c.cdb[10..<14].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            lock.withLock { inFlight += 1; most = max(most, inFlight) }
            try await Task.sleep(for: .milliseconds(2))
            lock.withLock { inFlight -= 1 }
            return .good(Array(bytes[(lba * blockSize)..<((lba + n) * blockSize)]))
        }
    }

    static func verifier(_ a: Disk, _ b: Disk) -> Verifier {
        let stats = CopyStatistics()
        return Verifier(source: BlockIO(device: a, blockSize: 512, statistics: stats),
                        destination: BlockIO(device: b, blockSize: 512, statistics: stats))
    }

    static let image = (0..<(256 * 512)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    @Test("samples: both ends of every command inside the extent, the extent's own ends, and the random ones within it")
    func sampleOffsetsCoverCommandsAndRandomBlocks() throws {
        let a = Disk(Self.image), b = Disk(Self.image)
        var v = Self.verifier(a, b)
        let extent = CopyExtent(sourceLBA: 1000, destinationLBA: 5000, blocks: 1000)
        let commands = [CopyExtent(sourceLBA: 1000, destinationLBA: 5000, blocks: 100),
                        CopyExtent(sourceLBA: 1100, destinationLBA: 5100, blocks: 500),
                        CopyExtent(sourceLBA: 9000, destinationLBA: 9000, blocks: 10)]  // outside: ignored
        v.randomSamples = 0
        var rng = SystemRandomNumberGenerator()
        #expect(v.sampleOffsets(for: extent, commands: commands, random: &rng) == [0, 99, 100, 599, 999])
        // Random ones come on top, inside the extent; with as many as blocks, most blocks are hit.
        v.randomSamples = 1000
        let many = v.sampleOffsets(for: extent, commands: commands, random: &rng)
        #expect(Set([0, 99, 100, 599, 999]).isSubset(of: Set(many)))
        #expect(many.allSatisfy { $0 < 1000 } && many == many.sorted() && Set(many).count == many.count)
        #expect(many.count > 500, "only \(many.count) distinct blocks from 1000 random draws")
    }

    @Test("a difference only a random sample can find is found when the samples cover the range")
    func randomSamplesFindADifferenceAwayFromCommandEnds() async throws {
        var changed = Self.image
        changed[77 * 512 + 3] ^= 0xFF  // block 77: not an end of the one command below
        var v = Self.verifier(Disk(Self.image), Disk(changed))
        v.randomSamples = 4096
        let error = try await #require(throws: CopyError.self) {
            try await v.verifySampled(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256),
                                      commands: [CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256)], method: .xcopy)
        }
        #expect(error.kind == .data)
        #expect(error.message.contains("block 77"), "\(error.message)")
        v.randomSamples = 0
        try await v.verifySampled(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256),
                                  commands: [CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256)], method: .xcopy)
    }

    @Test("cancelled during a full verification: no new comparisons, a cancelled error, not a pass")
    func fullVerificationStopsWhenCancelled() async throws {
        let a = Disk(Self.image), b = Disk(Self.image)
        let stats = CopyStatistics()
        // One block per comparison: 256 of them, two in flight, 2 ms per read.
        let v = Verifier(source: BlockIO(device: a, blockSize: 512, statistics: stats),
                         destination: BlockIO(device: b, blockSize: 512, statistics: stats), chunkBlocks: 1)
        let check = Task { try await v.verifyFull(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256), method: .host) }
        try await Task.sleep(for: .milliseconds(30))
        check.cancel()
        let error = try await #require(throws: CopyError.self) { try await check.value }
        #expect(error.kind == .cancelled)
        #expect(stats.commands["READ(16)", default: 0] < 2 * 256, "every block was compared anyway")
    }

    @Test func equalDataPassesAndSamplesRunInParallel() async throws {
        let a = Disk(Self.image), b = Disk(Self.image)
        let commands = (0..<32).map { CopyExtent(sourceLBA: UInt64($0 * 8), destinationLBA: UInt64($0 * 8), blocks: 8) }
        try await Self.verifier(a, b).verifySampled(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256), commands: commands, method: .xcopy)
        #expect(a.most > 1, "samples were read one at a time")
    }

    @Test func theFirstDifferenceInOrderIsNamed() async throws {
        var bad = Self.image
        for block in [200, 16, 120] { bad[block * 512 + 5] ^= 0xFF }
        let a = Disk(Self.image), b = Disk(bad)
        let commands = (0..<32).map { CopyExtent(sourceLBA: UInt64($0 * 8), destinationLBA: UInt64($0 * 8), blocks: 8) }
        for _ in 0..<5 {
            let error = await #expect(throws: CopyError.self) {
                try await Self.verifier(a, b).verifySampled(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256),
                                                            commands: commands, method: .xcopy)
            }
            #expect(error?.kind == .data)
            #expect(error?.description.contains("destination block 16 ") == true, "\(error?.description ?? "")")
        }
    }

    @Test func fullCheckFindsADifferenceAnywhere() async throws {
        var bad = Self.image
        bad[77 * 512 + 300] ^= 1
        let error = await #expect(throws: CopyError.self) {
            var v = Self.verifier(Disk(Self.image), Disk(bad))
            v.chunkBlocks = 16
            try await v.verifyFull(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 256), method: .odx)
        }
        #expect(error?.description.contains("destination block 77 ") == true, "\(error?.description ?? "")")
    }

    @Test func fullCheckAcrossBlockSizesNamesEachSidesBlock() async throws {
        // Source in 512-byte blocks, destination in 4096: extents count in 4096-byte units.
        var bad = Self.image
        bad[77 * 512 + 300] ^= 1
        let stats = CopyStatistics()
        var v = Verifier(source: BlockIO(device: Disk(Self.image), blockSize: 512, statistics: stats),
                         destination: BlockIO(device: Disk(bad, blockSize: 4096), blockSize: 4096, statistics: stats))
        v.chunkBlocks = 16
        try await Verifier(source: BlockIO(device: Disk(Self.image), blockSize: 512, statistics: stats),
                           destination: BlockIO(device: Disk(Self.image, blockSize: 4096), blockSize: 4096, statistics: stats))
            .verifyFull(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 32), method: .host)
        let error = await #expect(throws: CopyError.self) {
            try await v.verifyFull(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 32), method: .host)
        }
        // Byte 77 * 512 + 300 is source block 77 and destination block 9.
        #expect(error?.description.contains("destination block 9 differs from source block 77 ") == true, "\(error?.description ?? "")")
    }
}
