@testable import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// The host engine against many shapes of source and destination at once: random data, zero
/// and never-written chunks, old data in the destination, block sizes equal or bridged, thin or
/// thick, queue depths and run lengths. Whatever the mix, the destination ends equal to the
/// source range, nothing outside it changes, the source is never written, and a thin
/// destination that can deallocate holds no more mapped blocks than the source's data needs.
@Suite struct HostCopyRandomizedTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        var sourceBlockSize: Int
        var destinationBlockSize: Int
        var thinDestination: Bool
        var testDescription: String {
            "seed \(seed), \(sourceBlockSize) -> \(destinationBlockSize), \(thinDestination ? "thin" : "thick") destination"
        }
    }

    static let shapes: [Shape] = (1...12).map { i in
        let sizes = [(512, 512), (512, 4096), (4096, 512), (4096, 4096)][i % 4]
        return Shape(seed: UInt64(i), sourceBlockSize: sizes.0, destinationBlockSize: sizes.1, thinDestination: i % 3 != 0)
    }

    @Test(arguments: shapes)
    func destinationEqualsSourceWhateverTheMix(_ shape: Shape) async throws {
        var rng = HostCopyRandom(seed: shape.seed)
        let bytes = 4 << 20
        let unit = max(shape.sourceBlockSize, shape.destinationBlockSize)
        let f = try HostCopyFixture()
        try f.makeLU(0, blockSize: shape.sourceBlockSize, blocks: UInt64(bytes / shape.sourceBlockSize))
        try f.makeLU(1, blockSize: shape.destinationBlockSize, blocks: UInt64(bytes / shape.destinationBlockSize)) {
            $0.thinProvisioned = shape.thinDestination
        }
        // Source: 64 KiB pieces, each random data, written zeros, or never written.
        let piece = 64 << 10
        var image = [UInt8](repeating: 0, count: bytes)
        var dataPieces = Set<Int>()
        for p in 0..<(bytes / piece) {
            switch rng.next() % 3 {
            case 0:
                image.replaceSubrange((p * piece)..<((p + 1) * piece), with: rng.bytes(piece))
                dataPieces.insert(p)
                try f.put(0, lba: UInt64(p * piece / shape.sourceBlockSize), Array(image[(p * piece)..<((p + 1) * piece)]))
            case 1:
                try f.put(0, lba: UInt64(p * piece / shape.sourceBlockSize), [UInt8](repeating: 0, count: piece))
            default:
                break
            }
        }
        // Destination: old data in a random third of its pieces.
        for p in 0..<(bytes / piece) where rng.next() % 3 == 0 {
            try f.put(1, lba: UInt64(p * piece / shape.destinationBlockSize), [UInt8](repeating: 0xA5, count: piece))
        }
        let destinationBefore = try f.contents(1)
        let sourceBefore = try f.contents(0)

        var options = HostCopyOptions(queueDepth: Int(1 + rng.next() % 8), chunkBlocks: Int(1 + rng.next() % 48) * (16 << 10) / unit)
        options.zeroRunChunks = Int(1 + rng.next() % 6)
        options.skipSourceHoles = rng.next() % 2 == 0
        let engine = HostCopyEngine(source: try await f.endpoint(0, device: f.device(0)), destination: try await f.endpoint(1, device: f.device(1)),
                                    options: options)
        // A range that starts and ends off the edges: units 3 ..< total - 5, same place on both sides.
        let totalUnits = UInt64(bytes / unit)
        let extent = CopyExtent(sourceLBA: 3, destinationLBA: 3, blocks: totalUnits - 8)
        let outcome = try await engine.copy(extent) { _ in }
        #expect(outcome.blocks == extent.blocks)

        let after = try f.contents(1)
        let start = 3 * unit, end = (Int(totalUnits) - 5) * unit
        #expect(Array(after[start..<end]) == Array(image[start..<end]), "the copied range differs from the source")
        #expect(Array(after[..<start]) == Array(destinationBefore[..<start]) && Array(after[end...]) == Array(destinationBefore[end...]),
                "bytes outside the range changed")
        #expect(try f.contents(0) == sourceBefore, "the source was written")
        #expect(engine.buffers.current == 0 && engine.buffers.peak <= options.queueDepth)
        if shape.thinDestination {
            // Mapped bytes: at most the chunks holding some data (a chunk is written whole),
            // plus the edges outside the range, which keep whatever they had.
            let chunkBytes = engine.chunkBlocks * unit
            var allowed = start + (bytes - end)
            for chunkStart in stride(from: start, to: end, by: chunkBytes) {
                let chunkEnd = min(chunkStart + chunkBytes, end)
                if (chunkStart / piece...((chunkEnd - 1) / piece)).contains(where: dataPieces.contains) { allowed += chunkEnd - chunkStart }
            }
            let mappedBytes = f.store(1).mappedBlockCount * shape.destinationBlockSize
            #expect(mappedBytes <= allowed, "destination holds \(mappedBytes) mapped bytes, the data needs at most \(allowed)")
        }
    }
}
