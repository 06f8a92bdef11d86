import SCSIWire
import SimArray
import Testing

@Suite struct ReadCapacityTests {
    @Test func readCapacity10() throws {
        let data = try Harness(blockCount: 4096, blockSize: 4096).good(TestCDB.readCapacity10())
        #expect(data == [0x00, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x10, 0x00])
    }

    @Test("A LU past 2^32 blocks reports FFFFFFFFh in READ CAPACITY(10)")
    func readCapacity10Overflow() throws {
        let array = try SimulatedArray()
        try array.add(LogicalUnit(identity: .generate(), store: MemoryBlockStore(blockCount: 1 << 33)), lun: 0)
        let r = SCSIDispatcher(array: array).execute(SCSIRequest(lun: 0, cdb: TestCDB.readCapacity10(), initiator: Harness.defaultInitiator))
        #expect(r.dataIn == [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00])
        let r16 = SCSIDispatcher(array: array).execute(SCSIRequest(lun: 0, cdb: TestCDB.readCapacity16(), initiator: Harness.defaultInitiator))
        #expect(try ReadCapacity16Data(parsing: r16.dataIn).lastLBA == (1 << 33) - 1)
    }

    @Test("PMI 0 with a non-zero LBA is an invalid field (SBC-3); PMI 1 is accepted")
    func readCapacity10PMI() throws {
        let h = try Harness()
        expectSense(h.run(TestCDB.readCapacity10(lba: 5)), 0x05, 0x24, 0x00, field: .cdb(2))
        h.good(TestCDB.readCapacity10(lba: 5, pmi: true))
    }

    @Test("READ CAPACITY(16): thin LU has LBPME and LBPRZ")
    func readCapacity16() throws {
        let data = try Harness(blockCount: 1000).good(TestCDB.readCapacity16())
        #expect(data.count == 32)
        #expect(Array(data[0..<16]) == [0, 0, 0, 0, 0, 0, 0x03, 0xE7, 0, 0, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x00])
        #expect(data[16...].allSatisfy { $0 == 0 })
    }

    @Test func readCapacity16Thick() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        o.logicalBlocksPerPhysicalBlockExponent = 3
        let rc = try ReadCapacity16Data(parsing: try Harness(options: o).good(TestCDB.readCapacity16()))
        #expect(!rc.lbpme && !rc.lbprz && rc.logicalBlocksPerPhysicalBlockExponent == 3)
        #expect(!rc.protectionEnabled && rc.protectionType == 0 && rc.protectionIntervalExponent == 0)
    }

    @Test("Every allocation length 0-16 is GOOD and truncates (libiscsi ReadCapacity16.Alloclen)")
    func readCapacity16AllocationLength() throws {
        let h = try Harness()
        let full = h.good(TestCDB.readCapacity16(allocation: 32))
        for n in 0...40 { #expect(h.good(TestCDB.readCapacity16(allocation: UInt32(n))) == Array(full.prefix(n))) }
    }
}
