import SCSIWire
import SimArray
import Testing

/// TEST UNIT READY, REQUEST SENSE, unknown commands, absent LUs, unit attentions, sense format.
@Suite struct CommandRoutingTests {
    @Test func testUnitReady() throws {
        let h = try Harness()
        #expect(h.good(TestCDB.testUnitReady()).isEmpty)
    }

    @Test("Unknown operation codes: 05/20/00 (libiscsi then skips the test as unimplemented)")
    func unknownOpcodes() throws {
        let h = try Harness()
        for op: UInt8 in [0x01, 0x04, 0x08, 0x0A, 0x15, 0x1B, 0x2F, 0x41, 0x5E, 0x89, 0x8F, 0x9F, 0xA4, 0xC0, 0xFF] {
            var cdb = [UInt8](repeating: 0, count: 16)
            cdb[0] = op
            expectSense(h.run(cdb), 0x05, 0x20, 0x00, noPointer: true)
        }
        expectSense(h.run([]), 0x05, 0x20, 0x00)
    }

    @Test("SERVICE ACTION IN(16) with an unknown service action: 05/24/00 at byte 1 bit 4")
    func unknownServiceAction() throws {
        let h = try Harness()
        for sa: UInt8 in [0x00, 0x11, 0x13, 0x1F] {
            expectSense(h.run([0x9E, sa] + [UInt8](repeating: 0, count: 14)), 0x05, 0x24, 0x00, field: .cdb(1, bit: 4))
        }
        expectSense(h.run([0xA3, 0x0A] + [UInt8](repeating: 0, count: 10)), 0x05, 0x24, 0x00, field: .cdb(1, bit: 4))
    }

    @Test("A LUN with no LU, or one the nexus cannot reach: 05/25/00")
    func logicalUnitNotSupported() throws {
        var h = try Harness(extraLUNs: [1])
        for cdb in [TestCDB.testUnitReady(), TestCDB.read10(lba: 0, blocks: 1), TestCDB.readCapacity16(), [0xFF, 0, 0, 0, 0, 0]] {
            expectSense(h.run(cdb, lun: 5), 0x05, 0x25, 0x00)
        }
        h.initiator.reachableLUNs = [0]
        expectSense(h.run(TestCDB.testUnitReady(), lun: 1), 0x05, 0x25, 0x00)
        h.good(TestCDB.testUnitReady(), lun: 0)
    }

    @Test("REQUEST SENSE: NO SENSE in the asked format; LOGICAL UNIT NOT SUPPORTED for an absent LU")
    func requestSense() throws {
        let h = try Harness()
        let fixed = try SenseData(parsing: h.good(TestCDB.requestSense()))
        #expect(fixed.format == .fixed && fixed.key == .noSense && fixed.additionalSense == .noAdditionalSenseInformation)
        let desc = try SenseData(parsing: h.good(TestCDB.requestSense(desc: true)))
        #expect(desc.format == .descriptor)
        #expect(h.good(TestCDB.requestSense(allocation: 4)).count == 4)
        let absent = try SenseData(parsing: h.good(TestCDB.requestSense(), lun: 3))
        #expect(absent.key == .illegalRequest && absent.additionalSense == .logicalUnitNotSupported)
    }

    @Test("Resize: CAPACITY DATA HAS CHANGED once per known nexus; INQUIRY and REPORT LUNS pass")
    func capacityChangedUnitAttention() throws {
        let h = try Harness(blockCount: 100)
        var second = h
        second.initiator.nexus = "second"
        var latecomer = h
        latecomer.initiator.nexus = "latecomer"
        h.good(TestCDB.testUnitReady())
        second.good(TestCDB.testUnitReady())
        try h.array.resizeLogicalUnit(lun: 0, blockCount: 200)
        h.good(TestCDB.inquiry())
        h.good(TestCDB.reportLuns())
        expectSense(h.run(TestCDB.readCapacity16()), 0x06, 0x2A, 0x09)
        #expect(try ReadCapacity16Data(parsing: h.good(TestCDB.readCapacity16())).blockCount == 200)
        expectSense(second.run(TestCDB.testUnitReady()), 0x06, 0x2A, 0x09)
        second.good(TestCDB.testUnitReady())
        latecomer.good(TestCDB.testUnitReady())
    }

    @Test("Adding and removing LUs: REPORTED LUNS DATA HAS CHANGED, cleared by REPORT LUNS")
    func reportedLunsChanged() throws {
        let h = try Harness(extraLUNs: [1])
        h.good(TestCDB.testUnitReady())
        try h.array.createLogicalUnit(lun: 2, blockCount: 8)
        expectSense(h.run(TestCDB.testUnitReady(), lun: 1), 0x06, 0x3F, 0x0E)
        h.good(TestCDB.reportLuns())
        h.good(TestCDB.testUnitReady(), lun: 0)
        h.good(TestCDB.testUnitReady(), lun: 2)
        try h.dispatcher.removeLogicalUnit(lun: 2)
        expectSense(h.run(TestCDB.read10(lba: 0, blocks: 1)), 0x06, 0x3F, 0x0E)
        h.good(TestCDB.read10(lba: 0, blocks: 1))
    }

    @Test("REQUEST SENSE returns and clears a pending unit attention")
    func requestSenseTakesUnitAttention() throws {
        let h = try Harness()
        h.good(TestCDB.testUnitReady())
        h.array.establishUnitAttention(.parametersChanged, lun: 0)
        let s = try SenseData(parsing: h.good(TestCDB.requestSense()))
        #expect(s.key == .unitAttention && s.additionalSense == .parametersChanged)
        h.good(TestCDB.testUnitReady())
    }

    @Test("Power-on reset, when enabled, greets a new nexus once per LU; forgetting the nexus resets it")
    func powerOnReset() throws {
        let h = try Harness(extraLUNs: [1])
        h.array.reportsPowerOnReset = true
        expectSense(h.run(TestCDB.testUnitReady()), 0x06, 0x29, 0x00)
        h.good(TestCDB.testUnitReady())
        expectSense(h.run(TestCDB.testUnitReady(), lun: 1), 0x06, 0x29, 0x00)
        h.array.forget(nexus: h.initiator.nexus)
        expectSense(h.run(TestCDB.read16(lba: 0, blocks: 1)), 0x06, 0x29, 0x00)
    }

    @Test("Sense is fixed format by default and descriptor format when the nexus asks")
    func senseFormat() throws {
        var h = try Harness()
        let fixed = h.run(TestCDB.read10(lba: 0, blocks: 1, protect: 1))
        #expect(fixed.sense.count == 18 && fixed.sense[0] == 0x70)
        #expect(Array(fixed.sense[15..<18]) == [0xC8 | 5, 0x00, 0x01], "SKSV, C/D, BPV, bit 5, byte 1")
        h.initiator.descriptorSense = true
        let desc = h.run(TestCDB.read10(lba: 0, blocks: 1, protect: 1))
        #expect(desc.sense[0] == 0x72 && desc.sense[1] == 0x05 && desc.sense[2] == 0x24)
        expectSense(desc, 0x05, 0x24, 0x00, field: .cdb(1, bit: 5))
    }

    @Test("Data-In clipping for the transport: residuals in both directions")
    func dataInClipping() throws {
        let r = SCSIResult.good([UInt8](repeating: 1, count: 96))
        #expect(r.dataIn(clippedTo: 36).bytes.count == 36 && r.dataIn(clippedTo: 36).residual == -60)
        #expect(r.dataIn(clippedTo: 200).bytes.count == 96 && r.dataIn(clippedTo: 200).residual == 104)
    }
}
