import Foundation
import SimArray
import Testing

@Suite struct MemoryBlockStoreTests {
    @Test func unwrittenBlocksReadZeroAndAreUnmapped() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 16)
        #expect(try s.read(lba: 0, count: 16) == [UInt8](repeating: 0, count: 16 * 512))
        #expect(try !s.isMapped(lba: 7))
        #expect(s.mappedBlockCount == 0)
    }

    @Test func writeReadUnmapRoundTrip() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 16)
        let data = pattern(3, blocks: 4)
        try s.write(lba: 5, data: data)
        #expect(try s.read(lba: 5, count: 4) == data)
        #expect(try s.read(lba: 4, count: 1) == [UInt8](repeating: 0, count: 512))
        #expect(try s.isMapped(lba: 5) && s.isMapped(lba: 8) && !s.isMapped(lba: 9))
        try s.unmap(lba: 6, count: 2)
        #expect(try s.read(lba: 5, count: 4) == Array(data[0..<512]) + [UInt8](repeating: 0, count: 1024) + Array(data[1536...]))
        #expect(try s.isMapped(lba: 5) && !s.isMapped(lba: 6) && !s.isMapped(lba: 7) && s.isMapped(lba: 8))
    }

    @Test func writingZerosMapsBlocks() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 4)
        try s.write(lba: 1, data: [UInt8](repeating: 0, count: 512))
        #expect(try s.isMapped(lba: 1))
    }

    @Test func writeSameFillsAndMaps() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 100_000)
        let block = [UInt8](repeating: 0xA5, count: 512)
        try s.writeSame(lba: 10, count: 90_000, block: block)
        #expect(s.mappedBlockCount == 90_000)
        #expect(try s.read(lba: 89_999, count: 1) == block)
        #expect(try !s.isMapped(lba: 9) && !s.isMapped(lba: 90_010))
        #expect(throws: BlockStoreError.self) { try s.writeSame(lba: 0, count: 1, block: [1, 2, 3]) }
    }

    @Test func unmapOfAHugeRangeWalksTheMapNotTheRange() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 1 << 40)
        try s.write(lba: 5, data: pattern(1, blocks: 1))
        try s.write(lba: (1 << 40) - 1, data: pattern(2, blocks: 1))
        try s.unmap(lba: 0, count: 1 << 39)
        #expect(try !s.isMapped(lba: 5) && s.isMapped(lba: (1 << 40) - 1))
    }

    @Test func provisioningExtentsFollowTheMap() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 100)
        try s.write(lba: 10, data: pattern(1, blocks: 5))
        #expect(try s.provisioningExtent(from: 0, limit: 100) == ProvisioningExtent(mapped: false, blockCount: 10))
        #expect(try s.provisioningExtent(from: 10, limit: 100) == ProvisioningExtent(mapped: true, blockCount: 5))
        #expect(try s.provisioningExtent(from: 12, limit: 2) == ProvisioningExtent(mapped: true, blockCount: 2))
        #expect(try s.provisioningExtent(from: 15, limit: 1000) == ProvisioningExtent(mapped: false, blockCount: 85))
        #expect(try s.provisioningExtent(from: 100, limit: 10) == ProvisioningExtent(mapped: false, blockCount: 0))
    }

    @Test func resizeDropsBlocksPastTheNewEndAndGrowsWithZeros() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 10)
        try s.write(lba: 8, data: pattern(9, blocks: 2))
        try s.resize(blockCount: 9)
        #expect(s.blockCount == 9)
        try s.resize(blockCount: 20)
        #expect(try s.isMapped(lba: 8) && !s.isMapped(lba: 9))
        #expect(try s.read(lba: 9, count: 1) == [UInt8](repeating: 0, count: 512))
    }

    @Test func badRangesThrowInsteadOfTrapping() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 8)
        #expect(throws: BlockStoreError.outOfRange(lba: 7, count: 2, capacity: 8)) { try s.read(lba: 7, count: 2) }
        #expect(throws: BlockStoreError.self) { try s.read(lba: .max, count: 2) }
        #expect(throws: BlockStoreError.self) { try s.write(lba: 8, data: pattern(0, blocks: 1)) }
        #expect(throws: BlockStoreError.self) { try s.write(lba: 0, data: [1, 2, 3]) }
        #expect(throws: BlockStoreError.self) { try s.unmap(lba: .max, count: 2) }
        #expect(throws: BlockStoreError.self) { try s.isMapped(lba: 8) }
        #expect(throws: BlockStoreError.self) { try s.read(lba: 0, count: -1) }
    }

    @Test func concurrentWritersEachSeeTheirOwnBlocks() throws {
        let s = MemoryBlockStore(blockSize: 512, blockCount: 64 * 32)
        DispatchQueue.concurrentPerform(iterations: 64) { t in
            for i in 0..<32 {
                try? s.write(lba: UInt64(t * 32 + i), data: pattern(UInt8(t), blocks: 1))
            }
        }
        for t in 0..<64 {
            #expect(try s.read(lba: UInt64(t * 32 + 31), count: 1) == pattern(UInt8(t), blocks: 1))
        }
    }
}
