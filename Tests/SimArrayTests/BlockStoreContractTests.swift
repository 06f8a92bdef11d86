import SimArray
import Testing

/// The contract every store meets, shown on the smallest conforming type: unmapped blocks read
/// back as zeros, which the dispatcher's LBPRZ=1 and thin-aware copies rely on.
@Suite struct BlockStoreContractTests {
    final class Tiny: BlockStore, @unchecked Sendable {
        let blockSize = 512
        let blockCount: UInt64 = 4
        var blocks = [[UInt8]?](repeating: nil, count: 4)
        func read(lba: UInt64, count: Int) throws -> [UInt8] {
            (0..<count).flatMap { blocks[Int(lba) + $0] ?? [UInt8](repeating: 0, count: 512) }
        }
        func write(lba: UInt64, data: [UInt8]) throws {
            for i in 0..<(data.count / 512) { blocks[Int(lba) + i] = Array(data[(i * 512)..<((i + 1) * 512)]) }
        }
        func unmap(lba: UInt64, count: UInt64) throws { for i in 0..<Int(count) { blocks[Int(lba) + i] = nil } }
        func isMapped(lba: UInt64) throws -> Bool { blocks[Int(lba)] != nil }
        func flush() throws {}
    }

    @Test func unmappedBlocksReadZeroAfterWriteAndUnmap() throws {
        let s = Tiny()
        try s.write(lba: 1, data: [UInt8](repeating: 7, count: 512))
        #expect(try s.isMapped(lba: 1))
        #expect(try s.read(lba: 1, count: 1) == [UInt8](repeating: 7, count: 512))
        try s.unmap(lba: 1, count: 1)
        #expect(try !s.isMapped(lba: 1))
        #expect(try s.read(lba: 1, count: 1) == [UInt8](repeating: 0, count: 512))
    }
}
