import SCSIWire
import SimArray
import Testing

@Suite struct ModeSenseTests {
    @Test("MODE SENSE(6), all pages: header with DPOFUA, a short block descriptor, Caching then Control")
    func modeSense6AllPages() throws {
        let h = try Harness(blockCount: 4096)
        let data = h.good(TestCDB.modeSense6())
        #expect(Array(data[0..<4]) == [UInt8(data.count - 1), 0x00, 0x10, 0x08])
        #expect(Array(data[4..<12]) == [0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00])
        #expect(Array(data[12..<15]) == [0x08, 0x12, 0x04], "Caching page, WCE")
        #expect(Array(data[32..<36]) == [0x0A, 0x0A, 0x02, 0x10], "Control page: GLTSD, QAM 1, D_SENSE 0")
        #expect(data.count == 4 + 8 + 20 + 12)
        let list = try ModeParameterList(parsing: data, is10: false)
        #expect(list.dpoFUA && !list.writeProtected)
        #expect(list.blockDescriptors == [ModeBlockDescriptor(numberOfBlocks: 4096, blockLength: 512)])
        #expect(try CachingModePage(parsing: list.pages[0]).writeCacheEnabled)
        #expect(try !ControlModePage(parsing: list.pages[1]).descriptorSense)
    }

    @Test("MODE SENSE(10) with DBD, one page; WP for a write-protected LU; D_SENSE follows the initiator")
    func modeSense10() throws {
        var o = LogicalUnitOptions()
        o.writeProtected = true
        o.writeCacheEnabled = false
        var h = try Harness(options: o)
        h.initiator.descriptorSense = true
        let data = h.good(TestCDB.modeSense10(page: 0x0A, dbd: true))
        #expect(Array(data[0..<8]) == [0, 18, 0, 0x90, 0, 0, 0, 0])
        let list = try ModeParameterList(parsing: data, is10: true)
        #expect(list.writeProtected && list.blockDescriptors.isEmpty && list.pages.count == 1)
        #expect(try ControlModePage(parsing: list.pages[0]).descriptorSense)
        let caching = try ModeParameterList(parsing: h.good(TestCDB.modeSense10(page: 0x08)), is10: true)
        #expect(try !CachingModePage(parsing: caching.pages[0]).writeCacheEnabled)
    }

    @Test("LLBAA on a LU past 2^32 blocks: a long block descriptor")
    func longLBA() throws {
        let array = try SimulatedArray()
        try array.add(LogicalUnit(identity: .generate(), store: MemoryBlockStore(blockCount: 1 << 33)), lun: 0)
        let d = SCSIDispatcher(array: array)
        let r = d.execute(SCSIRequest(lun: 0, cdb: TestCDB.modeSense10(page: 0x08, llbaa: true), initiator: Harness.defaultInitiator))
        let list = try ModeParameterList(parsing: r.dataIn, is10: true)
        #expect(list.longLBA && list.blockDescriptors == [ModeBlockDescriptor(numberOfBlocks: 1 << 33, blockLength: 512)])
        let short = d.execute(SCSIRequest(lun: 0, cdb: TestCDB.modeSense6(page: 0x08), initiator: Harness.defaultInitiator))
        #expect(Array(short.dataIn[4..<8]) == [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test("Changeable values are all zeros; saved values are 05/39/00")
    func pageControl() throws {
        let h = try Harness()
        let changeable = try ModeParameterList(parsing: h.good(TestCDB.modeSense6(page: 0x3F, pc: 1, dbd: true)), is10: false)
        #expect(changeable.pages.allSatisfy { $0[2...].allSatisfy { $0 == 0 } })
        h.good(TestCDB.modeSense6(pc: 2))
        expectSense(h.run(TestCDB.modeSense6(pc: 3)), 0x05, 0x39, 0x00)
    }

    @Test("Unknown page: field pointer byte 2 bit 5; subpage other than 00h/FFh: byte 3")
    func unsupportedPages() throws {
        let h = try Harness()
        for page: UInt8 in [0x01, 0x1C, 0x00] {
            expectSense(h.run(TestCDB.modeSense6(page: page)), 0x05, 0x24, 0x00, field: .cdb(2, bit: 5))
        }
        expectSense(h.run(TestCDB.modeSense6(page: 0x08, subpage: 0x01)), 0x05, 0x24, 0x00, field: .cdb(3))
        h.good(TestCDB.modeSense10(page: 0x3F, subpage: 0xFF))
    }

    @Test func allocationLengthTruncates() throws {
        let h = try Harness()
        let full = h.good(TestCDB.modeSense6())
        #expect(h.good(TestCDB.modeSense6(allocation: 4)) == Array(full.prefix(4)))
        #expect(h.good(TestCDB.modeSense10(allocation: 0)).isEmpty)
    }
}
