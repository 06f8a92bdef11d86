import SCSIWire
import SimArray
import Testing

/// What iscsi-test-cu does before any suite runs (test-tool/iscsi-test-cu.c main), step by step,
/// against a default thin LU: each step must succeed for the suites to run at all, and the values
/// it reads decide which tests run.
@Suite struct LibiscsiSetupTests {
    @Test func setupSequence() throws {
        let h = try Harness(blockCount: 262_144)
        // clear_pr(): PERSISTENT RESERVE IN unsupported is fine ("not implemented" = -2 = OK).
        expectSense(h.run([0x5E, 0x00, 0, 0, 0, 0, 0, 0x40, 0x00, 0]), 0x05, 0x20, 0x00)
        // READ CAPACITY(10), then READ CAPACITY(16) with 96 bytes.
        let rc10 = try ReadCapacity10Data(parsing: h.good(TestCDB.readCapacity10()))
        #expect(rc10.blockLength == 512 && rc10.returnedLBA == 262_143)
        let rc16 = try ReadCapacity16Data(parsing: h.good(TestCDB.readCapacity16(allocation: 96)))
        #expect(rc16.lbpme && rc16.lbprz && rc16.logicalBlocksPerPhysicalBlockExponent == 0)
        // Standard INQUIRY with 64, then again with the full size.
        let first = h.good(TestCDB.inquiry(allocation: 64))
        let fullSize = Int(first[4]) + 5
        #expect(fullSize == 96)
        let inq = try StandardInquiry(parsing: h.good(TestCDB.inquiry(allocation: UInt16(fullSize))))
        #expect(inq.peripheralDeviceType == 0 && inq.versionDescriptors.contains(0x04C0) && !inq.protect)
        // Block limits with 64 (full size = page length + 4 = 64), block device characteristics.
        let bl = h.good(TestCDB.inquiry(evpd: true, page: 0xB0, allocation: 64))
        #expect(Int(bl[2]) << 8 | Int(bl[3]) + 4 == 64 && bl.count == 64)
        h.good(TestCDB.inquiry(evpd: true, page: 0xB1, allocation: 255))
        // LBPME set, so the provisioning page.
        let lbp = try LogicalBlockProvisioningPage(parsing: h.good(TestCDB.inquiry(evpd: true, page: 0xB2, allocation: 64)))
        #expect(lbp.lbpu && lbp.lbpws && !lbp.anchorSupported)
        // REPORT SUPPORTED OPERATION CODES, all, RCTD, 65535.
        h.good(TestCDB.reportSupportedOperationCodes(rctd: true, allocation: 65535))
        // MODE SENSE(6) all pages: not write-protected.
        let ms = try ModeParameterList(parsing: h.good(TestCDB.modeSense6(allocation: 255)), is10: false)
        #expect(!ms.writeProtected && ms.dpoFUA)
    }

    @Test("Async write: 1000 WRITE(10)s of 8 blocks, one after another, all GOOD")
    func asyncWritePattern() throws {
        let h = try Harness(blockCount: 8192)
        let buffer = [UInt8](repeating: 0, count: 8 * 512)
        for i in 0..<1000 { h.good(TestCDB.write10(lba: UInt32(i * 8), blocks: 8), dataOut: buffer) }
    }
}
