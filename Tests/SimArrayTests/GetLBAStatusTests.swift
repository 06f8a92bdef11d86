import SCSIWire
import SimArray
import Testing

/// GET LBA STATUS, with libiscsi's GetLBAStatus patterns.
@Suite struct GetLBAStatusTests {
    let blocks: UInt64 = 2048

    func status(_ h: Harness, _ lba: UInt64, allocation: UInt32 = 24) throws -> [LBAStatusDescriptor] {
        try LBAStatusData(parsing: h.good(TestCDB.getLBAStatus(lba: lba, allocation: allocation))).descriptors
    }

    @Test("Any LBA inside the LU is GOOD (libiscsi GetLBAStatus.Simple)")
    func simple() throws {
        let h = try Harness(blockCount: blocks)
        for i: UInt64 in [1, 2, 255, 256] {
            h.good(TestCDB.getLBAStatus(lba: i))
            h.good(TestCDB.getLBAStatus(lba: blocks - i))
        }
        #expect(try status(h, 0) == [LBAStatusDescriptor(logicalBlockAddress: 0, numberOfBlocks: UInt32(blocks), provisioningStatus: .deallocated)])
    }

    @Test("Starting LBA at or past the end: 05/21/00 (libiscsi GetLBAStatus.BeyondEol)")
    func beyondEnd() throws {
        let h = try Harness(blockCount: blocks)
        for lba in [blocks, blocks + 1, 1 << 63, .max] {
            expectSense(h.run(TestCDB.getLBAStatus(lba: lba)), 0x05, 0x21, 0x00)
        }
    }

    @Test("After UNMAP of a prefix, the next block is reported mapped from itself (libiscsi UnmapSingle)")
    func unmapSingle() throws {
        let h = try Harness(blockCount: blocks)
        for i: UInt64 in stride(from: 1, through: 255, by: 37) {
            h.write(lba: 0, [UInt8](repeating: 0x41, count: 257 * 512))
            let list = TestCDB.unmapList([(0, UInt32(i))])
            h.good(TestCDB.unmap(listLength: UInt16(list.count)), dataOut: list)
            #expect(try status(h, 0).first == LBAStatusDescriptor(logicalBlockAddress: 0, numberOfBlocks: UInt32(i), provisioningStatus: .deallocated))
            let d = try #require(try status(h, i + 1).first)
            #expect(d.logicalBlockAddress == i + 1 && d.provisioningStatus == .mapped)
            #expect(d.numberOfBlocks == UInt32(257 - (i + 1)))
        }
    }

    @Test("The allocation length decides how many extents come back")
    func severalExtents() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 10, pattern(1, blocks: 5))
        h.write(lba: 100, pattern(2, blocks: 1))
        let all = try status(h, 0, allocation: 1024)
        #expect(all == [
            LBAStatusDescriptor(logicalBlockAddress: 0, numberOfBlocks: 10, provisioningStatus: .deallocated),
            LBAStatusDescriptor(logicalBlockAddress: 10, numberOfBlocks: 5, provisioningStatus: .mapped),
            LBAStatusDescriptor(logicalBlockAddress: 15, numberOfBlocks: 85, provisioningStatus: .deallocated),
            LBAStatusDescriptor(logicalBlockAddress: 100, numberOfBlocks: 1, provisioningStatus: .mapped),
            LBAStatusDescriptor(logicalBlockAddress: 101, numberOfBlocks: UInt32(blocks - 101), provisioningStatus: .deallocated),
        ])
        #expect(try status(h, 0, allocation: 40) == Array(all.prefix(2)))
        let raw = h.good(TestCDB.getLBAStatus(lba: 0, allocation: 40))
        #expect(raw.count == 40 && Array(raw[0..<4]) == [0, 0, 0, 36], "PARAMETER DATA LENGTH counts what is returned")
        #expect(h.good(TestCDB.getLBAStatus(lba: 0, allocation: 8)).count == 8, "truncated to the allocation length")
        #expect(h.good(TestCDB.getLBAStatus(lba: 0, allocation: 0)).isEmpty)
    }

    @Test func fullyProvisionedLUIsOneMappedExtent() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        let h = try Harness(blockCount: blocks, options: o)
        #expect(try status(h, 5) == [LBAStatusDescriptor(logicalBlockAddress: 5, numberOfBlocks: UInt32(blocks - 5), provisioningStatus: .mapped)])
    }

    @Test func reportTypeIsNotSupported() throws {
        expectSense(try Harness().run(TestCDB.getLBAStatus(lba: 0, reportType: 1)), 0x05, 0x24, 0x00, field: .cdb(14, bit: 0))
    }
}
