import SCSIWire
import SimArray
import Testing

@Suite struct ReportLunsTests {
    @Test("Lists every LU once, ascending, peripheral below 256 and flat above")
    func listsWhatExists() throws {
        let h = try Harness(blockCount: 8, extraLUNs: [3, 1, 300])
        let data = h.good(TestCDB.reportLuns())
        #expect(Array(data[0..<8]) == [0, 0, 0, 32, 0, 0, 0, 0])
        #expect(Array(data[8..<16]) == [0x00, 0x00, 0, 0, 0, 0, 0, 0])
        #expect(Array(data[32..<40]) == [0x41, 0x2C, 0, 0, 0, 0, 0, 0], "LUN 300, flat addressing")
        #expect(try ReportLunsData(parsing: data).lunNumbers == [0, 1, 3, 300])
    }

    @Test func followsAddAndRemove() throws {
        let h = try Harness(blockCount: 8)
        try h.array.createLogicalUnit(lun: 2, blockCount: 8)
        #expect(try ReportLunsData(parsing: h.good(TestCDB.reportLuns())).lunNumbers == [0, 2])
        try h.dispatcher.removeLogicalUnit(lun: 0)
        #expect(try ReportLunsData(parsing: h.good(TestCDB.reportLuns(), lun: 2)).lunNumbers == [2])
    }

    @Test("Masked: only the LUNs the nexus can reach")
    func masked() throws {
        var h = try Harness(blockCount: 8, extraLUNs: [1, 2])
        h.initiator.reachableLUNs = [2]
        #expect(try ReportLunsData(parsing: h.good(TestCDB.reportLuns())).lunNumbers == [2], "sent to LUN 0, which it cannot see")
        expectSense(h.run(TestCDB.testUnitReady(), lun: 0), 0x05, 0x25, 0x00)
    }

    @Test("The allocation length truncates but LUN LIST LENGTH tells the full size")
    func allocationLength() throws {
        let h = try Harness(blockCount: 8, extraLUNs: [1, 2, 3])
        let short = h.good(TestCDB.reportLuns(allocation: 16))
        #expect(short.count == 16 && Array(short[0..<4]) == [0, 0, 0, 32])
        #expect(h.good(TestCDB.reportLuns(allocation: 0)).isEmpty)
    }

    @Test("SELECT REPORT: 01h and 10h-12h list nothing; reserved values are invalid at byte 2")
    func selectReport() throws {
        let h = try Harness(blockCount: 8)
        #expect(try ReportLunsData(parsing: h.good(TestCDB.reportLuns(select: 2))).lunNumbers == [0])
        for s: UInt8 in [1, 0x10, 0x11, 0x12] { #expect(h.good(TestCDB.reportLuns(select: s)) == [0, 0, 0, 0, 0, 0, 0, 0]) }
        for s: UInt8 in [3, 0x0F, 0xFF] { expectSense(h.run(TestCDB.reportLuns(select: s)), 0x05, 0x24, 0x00, field: .cdb(2)) }
    }

    @Test("Works when addressed to a LUN with no LU; an empty array reports an empty list")
    func withoutLogicalUnit() throws {
        let h = try Harness(blockCount: 8)
        #expect(try ReportLunsData(parsing: h.good(TestCDB.reportLuns(), lun: 77)).lunNumbers == [0])
        let empty = SCSIDispatcher(array: try SimulatedArray())
        let r = empty.execute(SCSIRequest(lun: 0, cdb: TestCDB.reportLuns(), initiator: Harness.defaultInitiator))
        #expect(r.status == .good && r.dataIn == [0, 0, 0, 0, 0, 0, 0, 0])
    }
}
