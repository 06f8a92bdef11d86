import SCSIWire
import SimArray
import Testing

/// UNMAP, with libiscsi's Unmap patterns and the parameter-list errors SBC defines.
@Suite struct UnmapTests {
    let blocks: UInt64 = 2048

    func unmap(_ h: Harness, _ ranges: [(lba: UInt64, blocks: UInt32)]) -> SCSIResult {
        let list = TestCDB.unmapList(ranges)
        return h.run(TestCDB.unmap(listLength: UInt16(list.count)), dataOut: list)
    }

    @Test("One descriptor of 1-256 blocks; unmapped blocks read zeros (libiscsi Unmap.Simple)")
    func simple() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 0, [UInt8](repeating: 0x61, count: 256 * 512))
        for i: UInt32 in [1, 2, 100, 256] {
            #expect(unmap(h, [(0, i)]).status == .good)
            #expect(h.read(lba: 0, blocks: i) == [UInt8](repeating: 0, count: Int(i) * 512))
            #expect(try !h.unit.store.isMapped(lba: UInt64(i - 1)))
        }
    }

    @Test("One descriptor per block, up to 256 descriptors")
    func manyDescriptors() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 0, [UInt8](repeating: 0x61, count: 256 * 512))
        let ranges = (0..<256).map { (lba: UInt64($0), blocks: UInt32(1)) }
        #expect(unmap(h, ranges).status == .good)
        #expect(try (0..<256).allSatisfy { try !h.unit.store.isMapped(lba: UInt64($0)) })
    }

    @Test("Zero-block descriptors, one at the end of the LU, overlapping ones, none at all (libiscsi Unmap.ZeroBlocks)")
    func zeroBlocks() throws {
        let h = try Harness(blockCount: blocks)
        for i in 0..<16 { #expect(unmap(h, [(UInt64(i), 0)]).status == .good) }
        #expect(unmap(h, [(blocks, 0)]).status == .good)
        #expect(unmap(h, []).status == .good)
        #expect(unmap(h, (0..<256).map { (UInt64($0 / 2), 0) }).status == .good)
        h.good(TestCDB.unmap(listLength: 0))
    }

    @Test("PARAMETER LIST LENGTH 1-7, or fewer than 8 bytes arriving: 05/1A/00")
    func shortParameterList() throws {
        let h = try Harness(blockCount: blocks)
        for n: UInt16 in 1...7 {
            expectSense(h.run(TestCDB.unmap(listLength: n), dataOut: [UInt8](repeating: 0, count: Int(n))), 0x05, 0x1A, 0x00)
        }
        expectSense(h.run(TestCDB.unmap(listLength: 24), dataOut: [0, 22, 0, 16]), 0x05, 0x1A, 0x00)
        expectSense(h.run(TestCDB.unmap(listLength: 24)), 0x05, 0x1A, 0x00)
    }

    @Test("Lengths claiming more than arrived: 05/26/00 pointing at the field, nothing unmapped")
    func truncatedParameterList() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 0, pattern(1, blocks: 4))
        var list = TestCDB.unmapList([(0, 4)])
        list[3] = 32  // BLOCK DESCRIPTOR DATA LENGTH: two descriptors, one sent
        expectSense(h.run(TestCDB.unmap(listLength: 24), dataOut: list), 0x05, 0x26, 0x00, field: .parameter(2))
        list = TestCDB.unmapList([(0, 4)])
        list[1] = 40  // UNMAP DATA LENGTH past the list
        expectSense(h.run(TestCDB.unmap(listLength: 24), dataOut: list), 0x05, 0x26, 0x00, field: .parameter(0))
        // The CDB promises 40 bytes, 24 arrive, the header describes 40.
        let long = TestCDB.unmapList([(0, 1), (1, 1)])
        expectSense(h.run(TestCDB.unmap(listLength: 40), dataOut: Array(long.prefix(24))), 0x05, 0x26, 0x00)
        #expect(try h.unit.store.isMapped(lba: 0))
    }

    @Test("An incomplete last descriptor is ignored (SBC)")
    func partialDescriptor() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 0, pattern(1, blocks: 4))
        var list = TestCDB.unmapList([(0, 1), (2, 1)])
        list[3] = 24  // one and a half descriptors
        list[1] = 30
        list = Array(list.prefix(32))
        h.good(TestCDB.unmap(listLength: 32), dataOut: list)
        #expect(try !h.unit.store.isMapped(lba: 0) && h.unit.store.isMapped(lba: 2))
    }

    @Test("More descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT: 05/26/00, byte 2")
    func tooManyDescriptors() throws {
        var o = LogicalUnitOptions()
        o.maximumUnmapBlockDescriptorCount = 4
        let h = try Harness(blockCount: blocks, options: o)
        #expect(unmap(h, (0..<4).map { (UInt64($0), 1) }).status == .good)
        expectSense(unmap(h, (0..<5).map { (UInt64($0), 1) }), 0x05, 0x26, 0x00, field: .parameter(2))
    }

    @Test("More blocks than MAXIMUM UNMAP LBA COUNT: 05/26/00 at the descriptor that crosses it")
    func tooManyBlocks() throws {
        var o = LogicalUnitOptions()
        o.maximumUnmapLBACount = 100
        let h = try Harness(blockCount: blocks, options: o)
        #expect(unmap(h, [(0, 100)]).status == .good)
        expectSense(unmap(h, [(0, 60), (200, 41)]), 0x05, 0x26, 0x00, field: .parameter(8 + 16 + 8))
    }

    @Test("A range past the end: 05/21/00 and no descriptor is applied")
    func outOfRange() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 0, pattern(1, blocks: 1))
        let r = unmap(h, [(0, 1), (blocks - 1, 2)])
        expectSense(r, 0x05, 0x21, 0x00)
        #expect(r.senseData?.information == blocks - 1)
        #expect(try h.unit.store.isMapped(lba: 0))
        expectSense(unmap(h, [(.max, 1)]), 0x05, 0x21, 0x00)
        expectSense(unmap(h, [(blocks + 1, 0)]), 0x05, 0x21, 0x00)
    }

    @Test("A fully provisioned LU has no UNMAP: 05/20/00, as LIO without emulate_tpu")
    func thickLU() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        let h = try Harness(blockCount: blocks, options: o)
        expectSense(unmap(h, [(0, 1)]), 0x05, 0x20, 0x00)
    }

    @Test func anchorAndWriteProtect() throws {
        let h = try Harness(blockCount: blocks)
        expectSense(h.run(TestCDB.unmap(listLength: 24, anchor: true), dataOut: TestCDB.unmapList([(0, 1)])),
                    0x05, 0x24, 0x00, field: .cdb(1, bit: 0))
        var o = LogicalUnitOptions()
        o.writeProtected = true
        expectSense(unmap(try Harness(blockCount: blocks, options: o), [(0, 1)]), 0x07, 0x27, 0x00)
    }
}
