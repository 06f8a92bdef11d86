import SCSIWire
import SimArray
import Testing

/// INQUIRY and the VPD pages, with the checks libiscsi's Inquiry suite makes.
@Suite struct InquiryTests {
    @Test("Standard data: SPC-4, RDF 2, HiSup, CmdQue, 3PC, 96 bytes with version descriptors")
    func standard() throws {
        let h = try Harness()
        let data = h.good(TestCDB.inquiry(allocation: 260))
        #expect(data.count == 96)
        #expect(data[0] == 0x00, "PQ 0, direct access")
        #expect(data[2] == 0x06)
        #expect(data[3] == 0x12, "HiSup, RDF 2; AERC and TRMTSK clear")
        #expect(Int(data[4]) == data.count - 5, "additional length matches the data")
        #expect(data[5] == 0x08, "3PC, TPGS 0, PROTECT 0")
        #expect(data[7] == 0x02, "CmdQue")
        #expect(data[8..<36].allSatisfy { $0 == 0 || (0x20...0x7E).contains($0) }, "ASCII only")
        let inq = try StandardInquiry(parsing: data)
        #expect(inq.vendor == "OFFLOAD" && inq.product == "SIM-DISK" && inq.revision == "0001")
        #expect(inq.versionDescriptors.contains(0x04C0), "SBC-3, which libiscsi reads as sbc3_support")
        #expect(inq.versionDescriptors.contains(0x0460), "SPC-4")
    }

    @Test func optionsShapeStandardData() throws {
        var o = LogicalUnitOptions()
        o.thirdPartyCopy = false
        o.tpgs = 1
        o.vendor = "FREEBSD"
        o.product = "CTLDISK"
        let inq = try StandardInquiry(parsing: try Harness(options: o).good(TestCDB.inquiry()))
        #expect(!inq.thirdPartyCopy && inq.tpgs == 1 && inq.vendor == "FREEBSD" && inq.product == "CTLDISK")
    }

    @Test("Allocation length is respected, 0 through 300; 511 and 512 give the same data")
    func allocationLength() throws {
        let h = try Harness()
        let full = h.good(TestCDB.inquiry(allocation: 1024))
        for n in 0...300 {
            #expect(h.good(TestCDB.inquiry(allocation: UInt16(n))) == Array(full.prefix(n)), "allocation \(n)")
        }
        #expect(h.good(TestCDB.inquiry(allocation: 511)) == h.good(TestCDB.inquiry(allocation: 512)))
        let vpd = h.good(TestCDB.inquiry(evpd: true, page: 0x83, allocation: 1024))
        #expect(h.good(TestCDB.inquiry(evpd: true, page: 0x83, allocation: 5)) == Array(vpd.prefix(5)))
    }

    @Test("EVPD 0 with a page code is INVALID FIELD IN CDB, byte 2 (libiscsi Inquiry.EVPD)")
    func evpdZeroWithPageCode() throws {
        let h = try Harness()
        for page: UInt8 in [0x01, 0x80, 0x83, 0xFF] {
            expectSense(h.run(TestCDB.inquiry(evpd: false, page: page, allocation: 256)), 0x05, 0x24, 0x00, field: .cdb(2))
        }
    }

    @Test func cmddtIsRefused() throws {
        expectSense(try Harness().run([0x12, 0x02, 0, 0, 255, 0]), 0x05, 0x24, 0x00, field: .cdb(1, bit: 1))
    }

    @Test("VPD 0x00: ascending, every listed page readable (libiscsi SupportedVPD, VPDPageCodesSorted)")
    func supportedPages() throws {
        let h = try Harness()
        let page = try SupportedVPDPages(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0x00)))
        let codes = page.pages.map(\.rawValue)
        #expect(codes == [0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2], "0x8F absent without a copy handler")
        #expect(codes == codes.sorted())
        for code in codes {
            let data = h.good(TestCDB.inquiry(evpd: true, page: code))
            #expect(data[1] == code)
            #expect(Int(data[2]) << 8 | Int(data[3]) == data.count - 4)
        }
    }

    @Test func pagesTheLUDoesNotHaveAreInvalidFields() throws {
        var o = LogicalUnitOptions()
        o.vpdPages = [0x83]
        let h = try Harness(options: o)
        #expect(try SupportedVPDPages(parsing: h.good(TestCDB.inquiry(evpd: true))).pages.map(\.rawValue) == [0x00, 0x83])
        for code: UInt8 in [0x80, 0x8F, 0xB0, 0xB1, 0xB2, 0x86, 0xC0] {
            expectSense(h.run(TestCDB.inquiry(evpd: true, page: code)), 0x05, 0x24, 0x00, field: .cdb(2))
        }
    }

    @Test func unitSerialNumberPage() throws {
        let h = try Harness()
        let page = try UnitSerialNumberPage(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0x80)))
        #expect(page.serialNumber == h.unit.identity.unitSerial)
    }

    @Test("VPD 0x83: the exposed LU designators, then the port's")
    func deviceIdentification() throws {
        var h = try Harness()
        let id = h.unit.identity
        var page = try DeviceIdentificationPage(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0x83)))
        #expect(page.designators == id.designators)
        #expect(page.problems.isEmpty)
        #expect(page.preferredCopyDesignator == id.naaDesignator)
        let port = Designator(protocolIdentifier: 5, codeSet: .binary, piv: true, association: .targetPort,
                              type: .relativeTargetPort, value: [0, 0, 0, 1])
        h.initiator.portDesignators = [port]
        page = try DeviceIdentificationPage(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0x83)))
        #expect(page.designators == id.designators + [port])
        #expect(page.logicalUnitDesignators == id.designators)
    }

    @Test("VPD 0x83 with EUI-64 only (the 2016 SCST LU): no NAA to build a LIO-style CSCD from")
    func euiOnly() throws {
        let h = try Harness()
        let array = try SimulatedArray()
        try array.createLogicalUnit(lun: 0, blockCount: 8, identity: .generate(exposing: [.eui64]))
        let d = SCSIDispatcher(array: array)
        let r = d.execute(SCSIRequest(lun: 0, cdb: TestCDB.inquiry(evpd: true, page: 0x83), initiator: h.initiator))
        let page = try DeviceIdentificationPage(parsing: r.dataIn)
        #expect(page.designators.map(\.type) == [.eui64])
        #expect(page.preferredCopyDesignator?.type == .eui64)
    }

    @Test("VPD 0xB0: SBC-3 length, unmap limits non-zero when LBPU (libiscsi BlockLimits)")
    func blockLimits() throws {
        let h = try Harness()
        let data = h.good(TestCDB.inquiry(evpd: true, page: 0xB0))
        #expect(data.count == 64 && data[3] == 0x3C)
        let bl = try BlockLimitsPage(parsing: data)
        #expect(bl.maximumTransferLength == 65536)
        #expect(bl.maximumUnmapLBACount == 0xFFFF_FFFF)
        #expect(bl.maximumUnmapBlockDescriptorCount == 256)
        #expect(bl.optimalUnmapGranularity == 1)
        #expect(!bl.writeSameNonZero)
        #expect(bl.maximumWriteSameLength == 0)
    }

    @Test("VPD 0xB0 and 0xB2 on a fully provisioned LU: no unmap at all")
    func thickLimits() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        let h = try Harness(options: o)
        let bl = try BlockLimitsPage(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0xB0)))
        #expect(bl.maximumUnmapLBACount == 0 && bl.maximumUnmapBlockDescriptorCount == 0)
        let lbp = try LogicalBlockProvisioningPage(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0xB2)))
        #expect(!lbp.lbpu && !lbp.lbpws && lbp.lbprz == 0 && lbp.provisioningType == 0)
    }

    @Test func logicalBlockProvisioningPage() throws {
        let lbp = try LogicalBlockProvisioningPage(parsing: try Harness().good(TestCDB.inquiry(evpd: true, page: 0xB2)))
        #expect(lbp.lbpu && lbp.lbpws && !lbp.lbpws10 && lbp.lbprz == 1 && !lbp.anchorSupported)
        #expect(lbp.provisioningType == 2)
    }

    @Test func blockDeviceCharacteristicsPage() throws {
        let data = try Harness().good(TestCDB.inquiry(evpd: true, page: 0xB1))
        #expect(data.count == 64 && Array(data[0..<6]) == [0x00, 0xB1, 0x00, 0x3C, 0x00, 0x01])
    }

    @Test("A LUN with no LU: PQ 011b / type 1Fh; VPD is LOGICAL UNIT NOT SUPPORTED")
    func noLogicalUnit() throws {
        let h = try Harness()
        let data = h.good(TestCDB.inquiry(), lun: 9)
        #expect(data[0] == 0x7F)
        expectSense(h.run(TestCDB.inquiry(evpd: true, page: 0x00), lun: 9), 0x05, 0x25, 0x00)
        expectSense(h.run(TestCDB.inquiry(page: 3), lun: 9), 0x05, 0x24, 0x00, field: .cdb(2))
    }
}
