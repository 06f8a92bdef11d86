import SCSIWire
import SimArray
import Testing

/// WRITE SAME(16), with libiscsi's WriteSame16 patterns.
@Suite struct WriteSameTests {
    let blocks: UInt64 = 2048

    @Test("One block repeated, at the start and the end (libiscsi WriteSame16.Simple/Check)")
    func simpleAndCheck() throws {
        let h = try Harness(blockCount: blocks)
        for i in [1, 2, 100, 256] {
            let block = [UInt8](repeating: UInt8(i & 0xFF), count: 512)
            h.good(TestCDB.writeSame16(lba: 0, blocks: UInt32(i)), dataOut: block)
            #expect(h.read(lba: 0, blocks: UInt32(i)) == Array((0..<i).map { _ in block }.joined()))
            h.good(TestCDB.writeSame16(lba: blocks - UInt64(i), blocks: UInt32(i)), dataOut: block)
            #expect(h.read(lba: blocks - UInt64(i), blocks: UInt32(i)) == Array((0..<i).map { _ in block }.joined()))
        }
    }

    @Test func beyondEndOfLU() throws {
        let h = try Harness(blockCount: blocks)
        let zero = [UInt8](repeating: 0, count: 512)
        for i: UInt64 in [1, 2, 256] {
            expectSense(h.run(TestCDB.writeSame16(lba: blocks - i + 1, blocks: UInt32(i)), dataOut: zero), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.writeSame16(lba: 1 << 63, blocks: UInt32(i)), dataOut: zero), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.writeSame16(lba: .max, blocks: UInt32(i)), dataOut: zero), 0x05, 0x21, 0x00)
        }
        expectSense(h.run(TestCDB.writeSame16(lba: blocks - 1, blocks: 2), dataOut: zero), 0x05, 0x21, 0x00)
    }

    @Test("NUMBER OF LOGICAL BLOCKS 0 writes to the end when WSNZ is 0 (libiscsi ZeroBlocks)")
    func zeroBlocksMeansToTheEnd() throws {
        let h = try Harness(blockCount: blocks)
        let block = [UInt8](repeating: 0x5A, count: 512)
        h.good(TestCDB.writeSame16(lba: blocks - 10, blocks: 0), dataOut: block)
        #expect(h.read(lba: blocks - 10, blocks: 10) == Array((0..<10).map { _ in block }.joined()))
        #expect(try !h.unit.store.isMapped(lba: blocks - 11))
        let zero = [UInt8](repeating: 0, count: 512)
        expectSense(h.run(TestCDB.writeSame16(lba: blocks + 1, blocks: 0), dataOut: zero), 0x05, 0x21, 0x00)
        expectSense(h.run(TestCDB.writeSame16(lba: blocks, blocks: 0), dataOut: zero), 0x05, 0x21, 0x00)
        expectSense(h.run(TestCDB.writeSame16(lba: 1 << 63, blocks: 0), dataOut: zero), 0x05, 0x21, 0x00)
        expectSense(h.run(TestCDB.writeSame16(lba: .max, blocks: 0), dataOut: zero), 0x05, 0x21, 0x00)
    }

    @Test func wsnzRefusesZeroBlocks() throws {
        var o = LogicalUnitOptions()
        o.writeSameNonZero = true
        let h = try Harness(blockCount: blocks, options: o)
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 0), dataOut: [UInt8](repeating: 0, count: 512)),
                    0x05, 0x24, 0x00, field: .cdb(10))
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 0, unmap: true), dataOut: [UInt8](repeating: 0, count: 512)),
                    0x05, 0x24, 0x00, field: .cdb(10))
    }

    @Test("MAXIMUM WRITE SAME LENGTH: at it GOOD, past it (also via 0 = to the end) invalid field")
    func maximumWriteSameLength() throws {
        var o = LogicalUnitOptions()
        o.maximumWriteSameLength = 64
        let h = try Harness(blockCount: blocks, options: o)
        let zero = [UInt8](repeating: 0, count: 512)
        h.good(TestCDB.writeSame16(lba: 0, blocks: 64), dataOut: zero)
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 65), dataOut: zero), 0x05, 0x24, 0x00, field: .cdb(10))
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 0), dataOut: zero), 0x05, 0x24, 0x00, field: .cdb(10))
        expectSense(h.run(TestCDB.writeSame16(lba: blocks - 65, blocks: 0), dataOut: zero), 0x05, 0x24, 0x00, field: .cdb(10))
        h.good(TestCDB.writeSame16(lba: blocks - 64, blocks: 0), dataOut: zero)
        h.good(TestCDB.writeSame16(lba: blocks - 63, blocks: 0), dataOut: zero)
    }

    @Test("WRPROTECT 1-7: invalid field at byte 1 (libiscsi WriteSame16.WriteProtect)")
    func wrprotect() throws {
        let h = try Harness(blockCount: blocks)
        for p: UInt8 in 1...7 {
            expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 1, protect: p), dataOut: [UInt8](repeating: 0, count: 512)),
                        0x05, 0x24, 0x00, field: .cdb(1, bit: UInt8(7 - (p << 5).leadingZeroBitCount)))
        }
    }

    @Test("UNMAP with zeros deallocates; reads back zeros (libiscsi WriteSame16.Unmap)")
    func unmapDeallocates() throws {
        let h = try Harness(blockCount: blocks)
        for i: UInt32 in [1, 7, 256] {
            h.write(lba: 0, [UInt8](repeating: 0xFF, count: Int(i) * 512))
            h.good(TestCDB.writeSame16(lba: 0, blocks: i, unmap: true), dataOut: [UInt8](repeating: 0, count: 512))
            #expect(h.read(lba: 0, blocks: i) == [UInt8](repeating: 0, count: Int(i) * 512))
            #expect(try !h.unit.store.isMapped(lba: 0) && !h.unit.store.isMapped(lba: UInt64(i - 1)))
            h.write(lba: blocks - UInt64(i), [UInt8](repeating: 0xFF, count: Int(i) * 512))
            h.good(TestCDB.writeSame16(lba: blocks - UInt64(i), blocks: i, unmap: true), dataOut: [UInt8](repeating: 0, count: 512))
            #expect(h.read(lba: blocks - UInt64(i), blocks: i) == [UInt8](repeating: 0, count: Int(i) * 512))
        }
        // Until the end (libiscsi UnmapUntilEnd).
        h.write(lba: blocks - 5, [UInt8](repeating: 0xFF, count: 5 * 512))
        h.good(TestCDB.writeSame16(lba: blocks - 5, blocks: 0, unmap: true), dataOut: [UInt8](repeating: 0, count: 512))
        #expect(try !h.unit.store.isMapped(lba: blocks - 1))
    }

    @Test("UNMAP with non-zero data writes the data instead (SBC allows either)")
    func unmapWithDataWrites() throws {
        let h = try Harness(blockCount: blocks)
        let block = [UInt8](repeating: 0x11, count: 512)
        h.good(TestCDB.writeSame16(lba: 3, blocks: 2, unmap: true), dataOut: block)
        #expect(h.read(lba: 3, blocks: 2) == block + block)
        #expect(try h.unit.store.isMapped(lba: 4))
    }

    @Test("ANCHOR is unsupported (ANC_SUP 0): with or without UNMAP, invalid field at byte 1 bit 4")
    func anchor() throws {
        let h = try Harness(blockCount: blocks)
        let zero = [UInt8](repeating: 0, count: 512)
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 1, anchor: true), dataOut: zero), 0x05, 0x24, 0x00, field: .cdb(1, bit: 4))
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 1, unmap: true, anchor: true), dataOut: zero), 0x05, 0x24, 0x00, field: .cdb(1, bit: 4))
    }

    @Test("UNMAP on a fully provisioned LU (LBPWS 0): invalid field at byte 1 bit 3 (libiscsi UnmapVPD)")
    func unmapOnThickLU() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        let h = try Harness(blockCount: blocks, options: o)
        let zero = [UInt8](repeating: 0, count: 512)
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 1, unmap: true), dataOut: zero), 0x05, 0x24, 0x00, field: .cdb(1, bit: 3))
        h.good(TestCDB.writeSame16(lba: 0, blocks: 1), dataOut: zero)
        #expect(try h.unit.store.isMapped(lba: 0))
    }

    @Test("NDOB writes zeros with no Data-Out buffer")
    func noDataOutBuffer() throws {
        let h = try Harness(blockCount: blocks)
        h.write(lba: 0, [UInt8](repeating: 0xFF, count: 4 * 512))
        h.good(TestCDB.writeSame16(lba: 0, blocks: 4, ndob: true))
        #expect(h.read(lba: 0, blocks: 4) == [UInt8](repeating: 0, count: 2048))
        #expect(try h.unit.store.isMapped(lba: 0), "written, not unmapped, without UNMAP")
        h.good(TestCDB.writeSame16(lba: 0, blocks: 4, unmap: true, ndob: true))
        #expect(try !h.unit.store.isMapped(lba: 0))
    }

    @Test("A Data-Out of half or two blocks: ILLEGAL REQUEST (libiscsi InvalidDataOutSize)")
    func dataOutSize() throws {
        let h = try Harness(blockCount: blocks)
        for size in [0, 256, 1024] {
            expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 1, unmap: true), dataOut: [UInt8](repeating: 0xA6, count: size)),
                        0x05, 0x0E, 0x03)
        }
        #expect(try !h.unit.store.isMapped(lba: 0))
    }

    @Test func writeProtected() throws {
        var o = LogicalUnitOptions()
        o.writeProtected = true
        let h = try Harness(blockCount: blocks, options: o)
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 1), dataOut: [UInt8](repeating: 0, count: 512)), 0x07, 0x27, 0x00)
    }
}
