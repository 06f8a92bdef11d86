import Foundation
import SimArray
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileBlockStoreTests {
    /// SEEK_HOLE from `offset`, straight from the kernel.
    func nextHole(_ path: String, from offset: Int) -> Int {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return Int(lseek(fd, off_t(offset), 4))  // SEEK_HOLE on Linux
    }

    @Test func aNewFileIsAllHoleAndReadsZeros() throws {
        let dir = try TemporaryDirectory()
        let s = try FileBlockStore(path: dir.path("a.img"), blockSize: 512, blockCount: 1 << 20)
        #expect(s.blockCount == 1 << 20)
        #expect(try FileManager.default.attributesOfItem(atPath: dir.path("a.img"))[.size] as? Int == 512 << 20)
        #expect(s.allocatedBytes == 0)
        #expect(try s.read(lba: 12345, count: 3) == [UInt8](repeating: 0, count: 1536))
        #expect(try !s.isMapped(lba: 0))
        #expect(try s.provisioningExtent(from: 0, limit: .max) == ProvisioningExtent(mapped: false, blockCount: 1 << 20))
    }

    @Test func dataSurvivesReopen() throws {
        let dir = try TemporaryDirectory()
        let data = pattern(7, blocks: 9)
        do {
            let s = try FileBlockStore(path: dir.path("b.img"), blockSize: 512, blockCount: 4096)
            try s.write(lba: 1000, data: data)
            try s.flush()
        }
        let reopened = try FileBlockStore(existingAt: dir.path("b.img"), blockSize: 512)
        #expect(reopened.blockCount == 4096)
        #expect(try reopened.read(lba: 1000, count: 9) == data)
        #expect(try reopened.isMapped(lba: 1000) && reopened.isMapped(lba: 1008))
        #expect(try !reopened.isMapped(lba: 0))
    }

    @Test func unmapPunchesAHoleTheFileSystemCanSee() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("c.img")
        let s = try FileBlockStore(path: path, blockSize: 4096, blockCount: 256)
        try s.write(lba: 0, data: pattern(1, blocks: 64, blockSize: 4096))
        try s.flush()
        let before = s.allocatedBytes
        #expect(before >= 64 * 4096)
        #expect(nextHole(path, from: 0) == 64 * 4096)
        try s.unmap(lba: 16, count: 16)
        #expect(nextHole(path, from: 0) == 16 * 4096, "the hole starts where the unmap did")
        #expect(s.allocatedBytes <= before - 16 * 4096)
        #expect(try s.read(lba: 16, count: 16) == [UInt8](repeating: 0, count: 16 * 4096))
        #expect(try s.read(lba: 15, count: 1) == Array(pattern(1, blocks: 64, blockSize: 4096)[(15 * 4096)..<(16 * 4096)]))
        #expect(try s.isMapped(lba: 15) && !s.isMapped(lba: 16) && !s.isMapped(lba: 31) && s.isMapped(lba: 32))
        #expect(try s.provisioningExtent(from: 0, limit: 256) == ProvisioningExtent(mapped: true, blockCount: 16))
        #expect(try s.provisioningExtent(from: 16, limit: 256) == ProvisioningExtent(mapped: false, blockCount: 16))
        #expect(try s.provisioningExtent(from: 32, limit: 256) == ProvisioningExtent(mapped: true, blockCount: 32))
        #expect(try s.provisioningExtent(from: 64, limit: 256) == ProvisioningExtent(mapped: false, blockCount: 192))
        // The hole survives a reopen: provisioning lives in the file, not in memory.
        let reopened = try FileBlockStore(existingAt: path, blockSize: 4096)
        #expect(try !reopened.isMapped(lba: 20) && reopened.isMapped(lba: 40))
    }

    @Test func unmappingPartOfAFileSystemBlockZeroesItButLeavesItMapped() throws {
        let dir = try TemporaryDirectory()
        let s = try FileBlockStore(path: dir.path("d.img"), blockSize: 512, blockCount: 64)
        #expect(s.allocationGranularity >= 512)
        try s.write(lba: 0, data: pattern(2, blocks: 16))
        try s.unmap(lba: 3, count: 2)
        #expect(try s.read(lba: 3, count: 2) == [UInt8](repeating: 0, count: 1024))
        #expect(try s.read(lba: 5, count: 1) == Array(pattern(2, blocks: 16)[(5 * 512)..<(6 * 512)]))
        if s.allocationGranularity > 512 { #expect(try s.isMapped(lba: 3)) }
    }

    @Test func resizeGrowsAndShrinksTheFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("e.img")
        let s = try FileBlockStore(path: path, blockSize: 512, blockCount: 100)
        try s.write(lba: 99, data: pattern(5, blocks: 1))
        try s.resize(blockCount: 200)
        #expect(s.blockCount == 200)
        #expect(try s.read(lba: 99, count: 2) == pattern(5, blocks: 1) + [UInt8](repeating: 0, count: 512))
        try s.resize(blockCount: 50)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 50 * 512)
        #expect(throws: BlockStoreError.self) { try s.read(lba: 50, count: 1) }
        try s.resize(blockCount: 100)
        #expect(try s.read(lba: 99, count: 1) == [UInt8](repeating: 0, count: 512), "shrinking discarded the block")
    }

    @Test func badRangesAndArgumentsThrow() throws {
        let dir = try TemporaryDirectory()
        let s = try FileBlockStore(path: dir.path("f.img"), blockSize: 512, blockCount: 8)
        #expect(throws: BlockStoreError.outOfRange(lba: 8, count: 1, capacity: 8)) { try s.isMapped(lba: 8) }
        #expect(throws: BlockStoreError.self) { try s.read(lba: .max, count: 1) }
        #expect(throws: BlockStoreError.self) { try s.write(lba: 0, data: [1]) }
        #expect(throws: BlockStoreError.self) { try s.unmap(lba: 7, count: 2) }
        #expect(throws: BlockStoreError.self) { try FileBlockStore(path: dir.path("missing/dir/x.img"), blockSize: 512, blockCount: 1) }
        #expect(throws: BlockStoreError.self) { try FileBlockStore(existingAt: dir.path("nope.img"), blockSize: 512) }
        #expect(throws: BlockStoreError.self) { try FileBlockStore(path: dir.path("g.img"), blockSize: 512, blockCount: .max) }
    }

    @Test func concurrentReadersAndWriters() throws {
        let dir = try TemporaryDirectory()
        let s = try FileBlockStore(path: dir.path("h.img"), blockSize: 512, blockCount: 32 * 16)
        DispatchQueue.concurrentPerform(iterations: 32) { t in
            for i in 0..<16 {
                try? s.write(lba: UInt64(t * 16 + i), data: pattern(UInt8(t), blocks: 1))
                _ = try? s.read(lba: UInt64((t * 7 % 32) * 16), count: 4)
            }
        }
        for t in 0..<32 { #expect(try s.read(lba: UInt64(t * 16 + 15), count: 1) == pattern(UInt8(t), blocks: 1)) }
    }
}

@Suite struct FileBlockStoreZeroFillTests {
    @Test("Without hole punching, unmap writes zeros: reads zero, blocks stay allocated")
    func zeroFillFallback() throws {
        let dir = try TemporaryDirectory()
        let s = try FileBlockStore(path: dir.path("z.img"), blockSize: 4096, blockCount: 64, punchHoles: false)
        #expect(!s.punchesHoles)
        try s.write(lba: 0, data: pattern(3, blocks: 8, blockSize: 4096))
        try s.unmap(lba: 2, count: 4)
        #expect(try s.read(lba: 2, count: 4) == [UInt8](repeating: 0, count: 4 * 4096))
        #expect(try s.read(lba: 6, count: 2) == Array(pattern(3, blocks: 8, blockSize: 4096)[(6 * 4096)...]))
        #expect(try s.isMapped(lba: 3), "zeros were written, so the block is still allocated")
        #expect(try FileBlockStore(path: dir.path("p.img"), blockSize: 512, blockCount: 8).punchesHoles)
    }
}
