import Foundation
import SCSIWire
import SimArray
import Testing

/// READ/WRITE(10/16) and SYNCHRONIZE CACHE, with libiscsi's Read10/16 and Write10/16 patterns.
@Suite struct ReadWriteTests {
    let blocks: UInt64 = 4096

    @Test func writeThenReadBack10And16() throws {
        let h = try Harness(blockCount: blocks)
        let a = pattern(1, blocks: 3), b = pattern(2, blocks: 2)
        h.good(TestCDB.write10(lba: 7, blocks: 3), dataOut: a)
        h.good(TestCDB.write16(lba: 4000, blocks: 2), dataOut: b)
        #expect(h.good(TestCDB.read10(lba: 7, blocks: 3)) == a)
        #expect(h.good(TestCDB.read16(lba: 4000, blocks: 2)) == b)
        #expect(h.good(TestCDB.read16(lba: 6, blocks: 1)) == [UInt8](repeating: 0, count: 512))
    }

    @Test("Reads of 1-256 blocks at the start and the end (libiscsi Read10.Simple)")
    func simpleReads() throws {
        let h = try Harness(blockCount: blocks)
        for i in 1...256 {
            #expect(h.good(TestCDB.read10(lba: 0, blocks: UInt16(i))).count == i * 512)
            #expect(h.good(TestCDB.read16(lba: blocks - UInt64(i), blocks: UInt32(i))).count == i * 512)
        }
    }

    @Test("Beyond the end: 05/21/00 with INFORMATION = LBA (libiscsi Read10/16.BeyondEol)")
    func beyondEndOfLU() throws {
        let h = try Harness(blockCount: blocks)
        for i: UInt64 in [1, 2, 17, 256] {
            for op in [UInt8(0x28), 0x2A] {
                let r = h.run(TestCDB.rw10(op, lba: UInt32(blocks + 1 - i), blocks: UInt16(i)), dataOut: pattern(0, blocks: Int(i)))
                expectSense(r, 0x05, 0x21, 0x00)
                #expect(r.senseData?.information == blocks + 1 - i)
                expectSense(h.run(TestCDB.rw10(op, lba: 0x8000_0000, blocks: UInt16(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
                expectSense(h.run(TestCDB.rw10(op, lba: 0xFFFF_FFFF, blocks: UInt16(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
            }
            for op in [UInt8(0x88), 0x8A] {
                expectSense(h.run(TestCDB.rw16(op, lba: blocks + 1 - i, blocks: UInt32(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
                expectSense(h.run(TestCDB.rw16(op, lba: 1 << 63, blocks: UInt32(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
                expectSense(h.run(TestCDB.rw16(op, lba: 1 << 55, blocks: UInt32(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
                expectSense(h.run(TestCDB.rw16(op, lba: .max, blocks: UInt32(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
            }
        }
        for i: UInt64 in [2, 3, 256] {
            expectSense(h.run(TestCDB.read16(lba: blocks - 1, blocks: UInt32(i))), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.write10(lba: UInt32(blocks - 1), blocks: UInt16(i)), dataOut: pattern(0, blocks: Int(i))), 0x05, 0x21, 0x00)
        }
    }

    @Test("A huge LBA in fixed sense: INFORMATION does not fit, so VALID is clear")
    func hugeLBAInformation() throws {
        let h = try Harness(blockCount: blocks)
        let r = h.run(TestCDB.read16(lba: 1 << 40, blocks: 1))
        expectSense(r, 0x05, 0x21, 0x00)
        #expect(r.sense[0] == 0x70 && r.senseData?.information == nil)
        var d = h
        d.initiator.descriptorSense = true
        let rd = d.run(TestCDB.read16(lba: 1 << 40, blocks: 1))
        #expect(rd.sense[0] == 0x72 && rd.senseData?.information == 1 << 40)
    }

    @Test("Transfer length 0 is GOOD, but its LBA is still checked (libiscsi ZeroBlocks)")
    func zeroBlocks() throws {
        let h = try Harness(blockCount: blocks)
        #expect(h.good(TestCDB.read10(lba: 0, blocks: 0)).isEmpty)
        h.good(TestCDB.write10(lba: 0, blocks: 0))
        h.good(TestCDB.write16(lba: blocks, blocks: 0))
        for (op10, op16) in [(UInt8(0x28), UInt8(0x88)), (0x2A, 0x8A)] {
            expectSense(h.run(TestCDB.rw10(op10, lba: UInt32(blocks + 1), blocks: 0)), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.rw10(op10, lba: 0x8000_0000, blocks: 0)), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.rw10(op10, lba: 0xFFFF_FFFF, blocks: 0)), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.rw16(op16, lba: 1 << 63, blocks: 0)), 0x05, 0x21, 0x00)
            expectSense(h.run(TestCDB.rw16(op16, lba: .max, blocks: 0)), 0x05, 0x21, 0x00)
        }
    }

    @Test("RDPROTECT/WRPROTECT 1-7 without protection: 05/24/00 at byte 1, top bit set (libiscsi *Protect)")
    func protectFields() throws {
        let h = try Harness(blockCount: blocks)
        let one = pattern(9, blocks: 1)
        for p: UInt8 in 1...7 {
            let bit = UInt8(7 - (p << 5).leadingZeroBitCount)
            expectSense(h.run(TestCDB.read10(lba: 0, blocks: 1, protect: p)), 0x05, 0x24, 0x00, field: .cdb(1, bit: bit))
            expectSense(h.run(TestCDB.read16(lba: 0, blocks: 1, protect: p)), 0x05, 0x24, 0x00, field: .cdb(1, bit: bit))
            expectSense(h.run(TestCDB.write10(lba: 0, blocks: 1, protect: p), dataOut: one), 0x05, 0x24, 0x00, field: .cdb(1, bit: bit))
            expectSense(h.run(TestCDB.write16(lba: 0, blocks: 1, protect: p), dataOut: one), 0x05, 0x24, 0x00, field: .cdb(1, bit: bit))
        }
        #expect(h.good(TestCDB.read16(lba: 0, blocks: 1)) == [UInt8](repeating: 0, count: 512), "nothing was written")
    }

    @Test("DPO and FUA are accepted (MODE SENSE says DPOFUA; libiscsi *.DpoFua)")
    func dpoFua() throws {
        let h = try Harness(blockCount: blocks)
        let one = pattern(5, blocks: 1)
        for (dpo, fua) in [(true, false), (false, true), (true, true)] {
            h.good(TestCDB.read10(lba: 0, blocks: 1, dpo: dpo, fua: fua))
            h.good(TestCDB.read16(lba: 0, blocks: 1, dpo: dpo, fua: fua))
            h.good(TestCDB.write10(lba: 0, blocks: 1, dpo: dpo, fua: fua), dataOut: one)
            h.good(TestCDB.write16(lba: 0, blocks: 1, dpo: dpo, fua: fua), dataOut: one)
        }
    }

    final class CountingStore: BlockStore, @unchecked Sendable {
        let inner = MemoryBlockStore(blockSize: 512, blockCount: 64)
        var flushes = 0
        var blockSize: Int { inner.blockSize }
        var blockCount: UInt64 { inner.blockCount }
        func read(lba: UInt64, count: Int) throws -> [UInt8] { try inner.read(lba: lba, count: count) }
        func write(lba: UInt64, data: [UInt8]) throws { try inner.write(lba: lba, data: data) }
        func unmap(lba: UInt64, count: UInt64) throws { try inner.unmap(lba: lba, count: count) }
        func isMapped(lba: UInt64) throws -> Bool { try inner.isMapped(lba: lba) }
        func flush() throws { flushes += 1 }
    }

    @Test func fuaAndSynchronizeCacheFlushTheStore() throws {
        let store = CountingStore()
        let array = try SimulatedArray()
        try array.add(LogicalUnit(identity: .generate(), store: store), lun: 0)
        let d = SCSIDispatcher(array: array)
        func run(_ cdb: [UInt8], _ data: [UInt8] = []) -> SCSIResult {
            d.execute(SCSIRequest(lun: 0, cdb: cdb, dataOut: data, initiator: Harness.defaultInitiator))
        }
        #expect(run(TestCDB.write10(lba: 0, blocks: 1), pattern(1, blocks: 1)).status == .good)
        #expect(store.flushes == 0)
        #expect(run(TestCDB.write16(lba: 0, blocks: 1, fua: true), pattern(1, blocks: 1)).status == .good)
        #expect(store.flushes == 1)
        #expect(run(TestCDB.synchronizeCache10()).status == .good)
        #expect(run(TestCDB.synchronizeCache16(lba: 10, blocks: 54)).status == .good)
        #expect(store.flushes == 3)
    }

    @Test func synchronizeCacheChecksItsRange() throws {
        let h = try Harness(blockCount: 100)
        h.good(TestCDB.synchronizeCache10(lba: 0, blocks: 100, immed: true))
        h.good(TestCDB.synchronizeCache16(lba: 100, blocks: 0))
        expectSense(h.run(TestCDB.synchronizeCache10(lba: 99, blocks: 2)), 0x05, 0x21, 0x00)
        expectSense(h.run(TestCDB.synchronizeCache16(lba: 101, blocks: 0)), 0x05, 0x21, 0x00)
        expectSense(h.run(TestCDB.synchronizeCache16(lba: .max, blocks: 2)), 0x05, 0x21, 0x00)
    }

    @Test("Data-Out shorter than the transfer: the whole blocks that arrived are written, nothing more; a partial block is 05/0E/03; longer: the rest ignored")
    func dataOutLength() throws {
        let h = try Harness(blockCount: blocks)
        // EDTL < SPDTL (FCP-4 option a, libiscsi 1.19's Write10Residuals): write what arrived.
        let r = h.run(TestCDB.write10(lba: 0, blocks: 2), dataOut: pattern(1, blocks: 1))
        #expect(r.status == .good)
        #expect(r.dataOutLength == 1024, "the transport needs SPDTL for the residual")
        #expect(try h.unit.store.isMapped(lba: 0))
        #expect(try !h.unit.store.isMapped(lba: 1), "nothing past what arrived")
        #expect(h.good(TestCDB.read10(lba: 0, blocks: 1)) == pattern(1, blocks: 1))
        // Nothing at all arrived (EDTL 0): GOOD, nothing written.
        let empty = h.run(TestCDB.write16(lba: 2, blocks: 1))
        #expect(empty.status == .good)
        #expect(try !h.unit.store.isMapped(lba: 2))
        // A partial block cannot be written: option b, nothing written.
        expectSense(h.run(TestCDB.write16(lba: 3, blocks: 1), dataOut: Array(pattern(1, blocks: 1).prefix(200))), 0x05, 0x0E, 0x03)
        #expect(try !h.unit.store.isMapped(lba: 3))
        h.good(TestCDB.write10(lba: 4, blocks: 1), dataOut: pattern(3, blocks: 2))
        #expect(h.good(TestCDB.read10(lba: 4, blocks: 2)) == pattern(3, blocks: 1) + [UInt8](repeating: 0, count: 512))
    }

    @Test("More than MAXIMUM TRANSFER LENGTH: invalid field at TRANSFER LENGTH")
    func maximumTransferLength() throws {
        var o = LogicalUnitOptions()
        o.maximumTransferLength = 8
        let h = try Harness(blockCount: blocks, options: o)
        h.good(TestCDB.read10(lba: 0, blocks: 8))
        expectSense(h.run(TestCDB.read10(lba: 0, blocks: 9)), 0x05, 0x24, 0x00, field: .cdb(7))
        expectSense(h.run(TestCDB.read16(lba: 0, blocks: 9)), 0x05, 0x24, 0x00, field: .cdb(10))
        expectSense(h.run(TestCDB.write16(lba: 0, blocks: 9), dataOut: pattern(0, blocks: 9)), 0x05, 0x24, 0x00, field: .cdb(10))
    }

    @Test("No MAXIMUM TRANSFER LENGTH still caps one command at 1 GiB")
    func hardTransferCap() throws {
        var o = LogicalUnitOptions()
        o.maximumTransferLength = 0
        let array = try SimulatedArray()
        try array.add(LogicalUnit(identity: .generate(), store: MemoryBlockStore(blockCount: 1 << 40), options: o), lun: 0)
        let r = SCSIDispatcher(array: array).execute(SCSIRequest(lun: 0, cdb: TestCDB.read16(lba: 0, blocks: .max), initiator: Harness.defaultInitiator))
        expectSense(r, 0x05, 0x24, 0x00, field: .cdb(10))
    }

    @Test func writeProtectedLU() throws {
        var o = LogicalUnitOptions()
        o.writeProtected = true
        let h = try Harness(blockCount: blocks, options: o)
        expectSense(h.run(TestCDB.write10(lba: 0, blocks: 1), dataOut: pattern(1, blocks: 1)), 0x07, 0x27, 0x00)
        expectSense(h.run(TestCDB.write16(lba: 0, blocks: 1), dataOut: pattern(1, blocks: 1)), 0x07, 0x27, 0x00)
        h.good(TestCDB.read10(lba: 0, blocks: 1))
    }

    @Test("Reserved and unsupported CDB bits: 05/24/00 pointing at the bit")
    func reservedBits() throws {
        let h = try Harness(blockCount: blocks)
        expectSense(h.run([0x28, 0x02, 0, 0, 0, 0, 0, 0, 1, 0]), 0x05, 0x24, 0x00, field: .cdb(1, bit: 1))   // FUA_NV
        expectSense(h.run([0x28, 0x04, 0, 0, 0, 0, 0, 0, 1, 0]), 0x05, 0x24, 0x00, field: .cdb(1, bit: 2))   // RARC
        expectSense(h.run([0x28, 0, 0, 0, 0, 0, 0x20, 0, 1, 0]), 0x05, 0x24, 0x00, field: .cdb(6, bit: 5))
        expectSense(h.run(TestCDB.rw10(0x28, lba: 0, blocks: 1, control: 0x04)), 0x05, 0x24, 0x00, field: .cdb(9, bit: 2))  // NACA
        expectSense(h.run(TestCDB.rw16(0x88, lba: 0, blocks: 1, control: 0x01)), 0x05, 0x24, 0x00, field: .cdb(15, bit: 0))
        h.good(TestCDB.rw16(0x88, lba: 0, blocks: 1, group: 0x1F))
    }

    @Test func concurrentSessionsWritingDifferentBlocks() throws {
        let h = try Harness(blockCount: 64 * 16)
        DispatchQueue.concurrentPerform(iterations: 16) { t in
            var mine = h
            mine.initiator.nexus = "nexus-\(t)"
            for i in 0..<64 {
                _ = mine.run(TestCDB.write16(lba: UInt64(t * 64 + i), blocks: 1), dataOut: pattern(UInt8(t), blocks: 1))
                _ = mine.run(TestCDB.read16(lba: UInt64(((t + 1) % 16) * 64), blocks: 4))
            }
        }
        for t in 0..<16 { #expect(h.read(lba: UInt64(t * 64 + 63), blocks: 1) == pattern(UInt8(t), blocks: 1)) }
    }
}
