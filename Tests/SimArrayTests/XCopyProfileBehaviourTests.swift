import Foundation
import SCSIWire
import SimArray
import Testing

/// Each shipped profile behaves like the target it imitates (targets.md §1, §4, §5, §6).
@Suite struct XCopyProfileBehaviourTests {
    // MARK: - LIO (targets.md §1)

    @Test("LIO: RCOP is LIO's 46 bytes, byte for byte; ALLOCATION LENGTH below 54 is 24/00")
    func lioOperatingParameters() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"))
        let expected: [UInt8] = [0, 0, 0, 42, 0x01, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0x04, 0x00, 0x10, 0, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 9, 9, 9, 0, 0, 0, 2, 0x02, 0xE4]
        #expect(h.run(XCopyBytes.copyIn(0x03, allocation: 520)).dataIn == expected)
        #expect(h.run(XCopyBytes.copyIn(0x03, allocation: 54)).dataIn == expected)
        expectSense(h.run(XCopyBytes.copyIn(0x03, allocation: 53)), 0x05, 0x24, 0x00)
        expectSense(h.run(XCopyBytes.copyIn(0x03, allocation: 46)), 0x05, 0x24, 0x00)
    }

    @Test("LIO: no RECEIVE COPY STATUS, FAILURE DETAILS, RRTI or 0x8F; RSOC lists 83h/00 and 84h/03 only")
    func lioCommandSet() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"), tokenService: FakeTokenService())
        expectSense(h.run(XCopyBytes.copyIn(0x00, listID: 1)), 0x05, 0x24, 0x00)
        expectSense(h.run(XCopyBytes.copyIn(0x04, listID: 1)), 0x05, 0x24, 0x00)
        expectSense(h.run(XCopyBytes.copyIn(0x07)), 0x05, 0x24, 0x00)
        expectSense(h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)), 0x05, 0x24, 0x00)
        let pages = try SupportedVPDPages(parsing: h.run(TestCDB.inquiry(evpd: true)).dataIn).pages.map(\.rawValue)
        #expect(pages == [0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2])
        let list = try SupportedOperationCodesList(parsing: h.run(TestCDB.reportSupportedOperationCodes()).dataIn)
        let copy = list.commands.filter { $0.operationCode == 0x83 || $0.operationCode == 0x84 }
            .map { [$0.operationCode, UInt8($0.serviceAction ?? 0xFF)] }
        #expect(copy == [[0x83, 0x00], [0x84, 0x03]])
        let inquiry = try StandardInquiry(parsing: h.run(TestCDB.inquiry()).dataIn)
        #expect(inquiry.thirdPartyCopy && inquiry.vendor == "LIO-ORG")
    }

    @Test("LIO: 2 CSCDs and 1 segment copy; a third CSCD is 26/06, a second segment 26/08")
    func lioLimits() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"))
        try h.fill(0, pattern(91, blocks: 32))
        let c0 = XCopyBytes.cscd(h.unit(0)), c1 = XCopyBytes.cscd(h.unit(1))
        let seg = XCopyBytes.b2b(src: 0, dst: 1, blocks: 32, srcLBA: 0, dstLBA: 64)
        #expect(h.xcopy(XCopyBytes.list(cscds: [c0, c1], segments: [seg])).status == .good)
        #expect(try h.bytes(1, lba: 64, blocks: 32) == pattern(91, blocks: 32))
        expectSense(h.xcopy(XCopyBytes.list(cscds: [c0, c1, c1], segments: [seg])), 0x05, 0x26, 0x06)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [c0, c1], segments: [seg, seg])), 0x05, 0x26, 0x08)
        // 1024-byte descriptor list: 2 CSCDs + 1 segment fit; the header does not count.
        var longList = XCopyBytes.header(cscdLength: 64, segmentLength: 28 + 1000)
        longList += c0 + c1 + seg + [UInt8](repeating: 0, count: 1000)
        expectSense(h.xcopy(longList), 0x05, 0x1A, 0x00)
    }

    @Test("LIO: only a 16-byte NAA 6 CSCD; EUI-64 is 26/00 at the designator type, NAA 5 at byte 8")
    func lioNAAOnly() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"))
        let seg = XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)
        let eui = XCopyBytes.cscd(h.unit(1).identity.eui64Designator, blockLength: 512)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), eui], segments: [seg])), 0x05, 0x26, 0x00,
                    field: .parameter(48 + 5, bit: 3))
        var naa5 = h.unit(1).identity.naaDesignator
        naa5.value[0] = 0x50 | (naa5.value[0] & 0x0F)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(naa5, blockLength: 512)], segments: [seg])),
                    0x05, 0x26, 0x00, field: .parameter(48 + 8, bit: 7))
        // Byte 1 is not looked at: LU ID TYPE 3 and a wrong DISK BLOCK LENGTH still copy.
        let odd = XCopyBytes.cscd(h.unit(1).identity.naaDesignator, blockLength: 4096, luIDType: 3)
        #expect(h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), odd], segments: [seg])).status == .good)
        // LIO's own NAA: company ID 001405.
        #expect(h.unit(0).identity.companyID == 0x001405)
        #expect(h.unit(0).identity.designators.map(\.type) == [.naa, .t10VendorID])
    }

    @Test("LIO: different block sizes are NOT READY 08/00, no copy")
    func lioBlockSizeMismatch() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"), blockSizes: [1: 4096])
        try h.fill(0, pattern(92, blocks: 8))
        let r = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                        segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 0, dstLBA: 0)]))
        expectSense(r, 0x02, 0x08, 0x00, noPointer: true)
        #expect(try h.bytes(1, blocks: 1) == [UInt8](repeating: 0, count: 4096))
    }

    @Test("LIO: an LU outside the session, or a copy not involving the receiving LU, is a bare COPY ABORTED 0D/02")
    func lioUnreachable() throws {
        var h = try XCopyHarness(profile: TestProfiles.load("lio"), luns: [0, 1, 2])
        let seg = XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)
        let third = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(1)), XCopyBytes.cscd(h.unit(2))], segments: [seg]))
        expectCopyAborted(third, 0x0D, 0x02, noExtras: true)
        h.initiator.reachableLUNs = [0]
        let outside = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))], segments: [seg]))
        expectCopyAborted(outside, 0x0D, 0x02, noExtras: true)
        h.initiator = XCopyHarness.descriptorInitiator
        let range = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                            segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 2, srcLBA: 4095, dstLBA: 0)]))
        expectCopyAborted(range, 0x0D, 0x02, noExtras: true)
    }

    @Test("LIO: list identifiers are ignored (a reserved LIST ID USAGE, the same identifier twice)")
    func lioIgnoresListIDs() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"))
        let c = [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))]
        let seg = [XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)]
        #expect(h.xcopy(XCopyBytes.list(listID: 9, usage: 1, cscds: c, segments: seg)).status == .good)
        #expect(h.xcopy(XCopyBytes.list(listID: 9, usage: 3, cscds: c, segments: seg)).status == .good)
    }

    // MARK: - advertise-more

    @Test("advertise-more: RCOP promises 32 segments, but 3 are 26/08 and 2 work")
    func advertiseMore() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("advertise-more"))
        let rcop = try ReceiveCopyOperatingParameters(parsing: h.run(XCopyBytes.copyIn(0x03)).dataIn)
        #expect(rcop.maximumSegmentDescriptorCount == 32)
        try h.fill(0, pattern(93, blocks: 6))
        let c = [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))]
        let segs = (0..<3).map { XCopyBytes.b2b(src: 0, dst: 1, blocks: 2, srcLBA: UInt64($0 * 2), dstLBA: UInt64($0 * 2)) }
        expectSense(h.xcopy(XCopyBytes.list(cscds: c, segments: segs)), 0x05, 0x26, 0x08)
        #expect(try h.bytes(1, blocks: 6) == [UInt8](repeating: 0, count: 3072))
        #expect(h.xcopy(XCopyBytes.list(cscds: c, segments: Array(segs.prefix(2)))).status == .good)
        #expect(try h.bytes(1, blocks: 4) == Array(pattern(93, blocks: 6).prefix(2048)))
    }

    // MARK: - SCST (targets.md §4)

    @Test("SCST: RCOP as JovianDSS reports it (5/143/65535, 64 KiB granularity, KiB-free)")
    func scstOperatingParameters() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("scst"))
        let p = try ReceiveCopyOperatingParameters(parsing: h.run(XCopyBytes.copyIn(0x03)).dataIn)
        #expect(p.maximumCSCDDescriptorCount == 5 && p.maximumSegmentDescriptorCount == 143 && p.maximumDescriptorListLength == 65535)
        #expect(p.maximumSegmentLength == 0xFFFF_FFFF && p.dataSegmentGranularityLog2 == 16 && p.maximumConcurrentCopies == 255)
        #expect(p.implementedDescriptorTypeCodes.map(\.rawValue) == [0x02, 0xE4])
    }

    @Test("SCST: the 64 KiB granularity is advertised, not enforced (scst_copy_mgr.c has no check): 1 block copies")
    func scstGranularityNotEnforced() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("scst"))
        try h.fill(0, pattern(94, blocks: 1))
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 7)])
        #expect(h.xcopy(list).status == .good)
        #expect(try h.bytes(1, lba: 7, blocks: 1) == pattern(94, blocks: 1))
        // With enforcement on (targets.md's reading), the same segment is COPY ABORTED 26/0D.
        let strict = try XCopyHarness(profile: TestProfiles.load("scst") { $0.enforceDataSegmentGranularity = true })
        let r = strict.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(strict.unit(0)), XCopyBytes.cscd(strict.unit(1))],
                                             segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 7)]))
        expectCopyAborted(r, 0x26, 0x0D, csi: 0, pointer: (true, 10))
        #expect(r.senseData?.forwarded.isEmpty == true)
        #expect(strict.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(strict.unit(0)), XCopyBytes.cscd(strict.unit(1))],
                                             segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 128, srcLBA: 0, dstLBA: 0)])).status == .good)
    }

    @Test("SCST: DISK BLOCK LENGTH must match (26/00 at byte 29), LU ID TYPE must be 0, LIST ID USAGE 01b is refused")
    func scstFieldChecks() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("scst"))
        let seg = [XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)]
        let c0 = XCopyBytes.cscd(h.unit(0))
        expectSense(h.xcopy(XCopyBytes.list(cscds: [c0, XCopyBytes.cscd(h.unit(1), blockLength: 0)], segments: seg)),
                    0x05, 0x26, 0x00, field: .parameter(48 + 29))
        expectSense(h.xcopy(XCopyBytes.list(cscds: [c0, XCopyBytes.cscd(h.unit(1), luIDType: 2)], segments: seg)),
                    0x05, 0x26, 0x00, field: .parameter(48 + 1, bit: 7))
        expectSense(h.xcopy(XCopyBytes.list(usage: 1, cscds: [c0, XCopyBytes.cscd(h.unit(1))], segments: seg)),
                    0x05, 0x26, 0x00, field: .parameter(1, bit: 4))
        // The truncated EUI-64 at the end of VPD 0x83 is not a designator the copy manager knows.
        expectSense(h.xcopy(XCopyBytes.list(cscds: [c0, XCopyBytes.cscd(h.unit(1), \.eui64Designator)], segments: seg)),
                    0x05, 0x26, 0x00, field: .parameter(48))
    }

    @Test("SCST: an unknown designator is ILLEGAL REQUEST 26/00 pointing at its CSCD; copies reach any LU of the array")
    func scstResolution() throws {
        var h = try XCopyHarness(profile: TestProfiles.load("scst"))
        var d = h.unit(1).identity.naaDesignator
        d.value[3] ^= 0x55
        let seg = [XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)]
        expectSense(h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(d, blockLength: 512)], segments: seg)),
                    0x05, 0x26, 0x00, field: .parameter(48))
        h.initiator.reachableLUNs = [0]
        #expect(h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))], segments: seg)).status == .good)
    }

    @Test("SCST: VPD 0x83 ends in a designator whose header says 8 bytes while 4 follow")
    func scstMalformedDeviceIdentification() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("scst"))
        let page = h.run(TestCDB.inquiry(evpd: true, page: 0x83, allocation: 1024)).dataIn
        let u = h.unit(0).identity
        let good = u.t10Designator.encoded() + u.naaDesignator.encoded()
        #expect(Array(page[4..<(4 + good.count)]) == good)
        let tail = Array(page[(4 + good.count)...])
        #expect(tail == [0x01, 0x02, 0x00, 0x08] + u.eui64.prefix(4))
        #expect(Int(page[2]) << 8 | Int(page[3]) == page.count - 4)
    }

    // MARK: - QNAP (targets.md §6)

    @Test("QNAP: 0x8F holds only BDRL (8 ranges, 32/30 s, 512 MiB in blocks) and Supported Commands")
    func qnapPage() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("qnap"), tokenService: FakeTokenService())
        let bytes = h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)).dataIn
        let page = try ThirdPartyCopyPage(parsing: bytes)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001])
        #expect(page.blockDeviceRODLimits == BlockDeviceRODLimits(maximumRangeDescriptors: 8, maximumInactivityTimeout: 32,
                                                                  defaultInactivityTimeout: 30, maximumTokenTransferSize: 1_048_576,
                                                                  optimalTransferCount: 1_048_576))
        #expect(page.lists(.thirdPartyCopyOut, serviceAction: 0x10) && page.lists(.thirdPartyCopyOut, serviceAction: 0x11))
        #expect(page.lists(.thirdPartyCopyIn, serviceAction: 0x07) && page.lists(.thirdPartyCopyOut, serviceAction: 0x00))
        #expect(page.parameterData == nil && page.supportedDescriptorCodes == nil && page.generalCopyOperations == nil)
        #expect(bytes.count == 4 + 36 + 16)
        #expect(h.manager.profile.odx?.rodType == .pointInTimeDefault)
    }

    @Test("QNAP: an INQUIRY for 0x8F shorter than the whole page is refused (24/00 at ALLOCATION LENGTH)")
    func qnapShortAllocation() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("qnap"), tokenService: FakeTokenService())
        let unit = h.unit(0)
        let length = try #require(h.manager.minimumThirdPartyCopyPageAllocationLength(for: unit))
        #expect(length == h.manager.thirdPartyCopyPage(for: unit)!.encoded().count)
        for short in [4, length - 1] {
            #expect(throws: SCSICommandError.invalidFieldInCDB(byte: 3)) {
                try h.manager.checkThirdPartyCopyPageAllocation(short, for: unit)
            }
        }
        try h.manager.checkThirdPartyCopyPageAllocation(length, for: unit)
        try h.manager.checkThirdPartyCopyPageAllocation(4096, for: unit)
        // The other profiles answer any allocation length.
        let ctl = try XCopyHarness(profile: TestProfiles.load("ctl"))
        #expect(ctl.manager.minimumThirdPartyCopyPageAllocationLength(for: ctl.unit(0)) == nil)
    }

    @Test("QNAP: without a token service, 0x8F drops BDRL and lists only the XCOPY commands")
    func qnapWithoutTokens() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("qnap"))
        let page = try ThirdPartyCopyPage(parsing: h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)).dataIn)
        #expect(page.descriptors.map(\.typeCode) == [0x0001])
        #expect(page.supportedCommands == [SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x00]),
                                           SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x03])])
    }

    // MARK: - CTL (targets.md §5)

    /// Descriptors of the derived CTL page (captures/FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt,
    /// variant "main"), written out: BDRL, Parameter Data, CSCD IDs, ROD token features, ROD types,
    /// General Copy Operations.
    static let ctlDescriptors: [UInt16: [UInt8]] = [
        0x0000: [0x00, 0x00, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0x00, 0x40, 0x00, 0x00, 0x02, 0x58, 0x00, 0x00, 0x00, 0x3C]
            + [UInt8](repeating: 0, count: 16),
        0x0004: [0x00, 0x04, 0x00, 0x1C, 0, 0, 0, 0, 0x00, 0x40, 0x00, 0x40, 0x00, 0x00, 0x20, 0x00] + [UInt8](repeating: 0, count: 16),
        0x000C: [0x00, 0x0C, 0x00, 0x04, 0x00, 0x02, 0xFF, 0xFF],
        0x0106: [0x01, 0x06, 0x00, 0x5C] + [UInt8](repeating: 0, count: 12) + [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x02, 0x58]
            + [UInt8](repeating: 0, count: 18) + [0x00, 0x30] + [0x00, 0x00, 0x00, 0x2C, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
            + [UInt8](repeating: 0xFF, count: 8) + [0, 0, 0, 0, 0x02, 0, 0, 0] + [UInt8](repeating: 0, count: 8),
        0x0108: [0x01, 0x08, 0x00, 0x84, 0, 0, 0x00, 0x80] + [0x00, 0x01, 0x00, 0x00, 0x03] + [UInt8](repeating: 0, count: 59)
            + [0xFF, 0xFF, 0x00, 0x01, 0x02] + [UInt8](repeating: 0, count: 59),
        0x8001: [0x80, 0x01, 0x00, 0x20, 0, 0, 0, 0xFF, 0, 0, 0, 0xFF] + [UInt8](repeating: 0, count: 24),
    ]

    @Test("CTL: 0x8F in CTL's order; BDRL, 0004h, 000Ch, 0106h, 0108h and 8001h byte for byte as CTL builds them")
    func ctlPage() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), tokenService: FakeTokenService())
        let bytes = h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)).dataIn
        let page = try ThirdPartyCopyPage(parsing: bytes)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x0106, 0x0108, 0x8001])
        #expect(page.problems.isEmpty)
        for d in page.descriptors {
            guard let expected = Self.ctlDescriptors[d.typeCode] else { continue }
            #expect(d.encoded() == expected, "descriptor \(d.typeCode)")
        }
        #expect(page.supportedCommands == [SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x00, 0x10, 0x11, 0x1C]),
                                           SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x00, 0x04, 0x03, 0x07])])
        #expect(page.supportedDescriptorCodes == [0x02, 0x0A, 0xE4])
        // What RSOC lists is what the page lists.
        let rsoc = try SupportedOperationCodesList(parsing: h.run(TestCDB.reportSupportedOperationCodes()).dataIn)
        #expect(rsoc.commands.filter { $0.operationCode == 0x83 }.map { $0.serviceAction } == [0x00, 0x10, 0x11, 0x1C])
        #expect(rsoc.commands.filter { $0.operationCode == 0x84 }.map { $0.serviceAction } == [0x00, 0x03, 0x04, 0x07])
        let inquiry = try StandardInquiry(parsing: h.run(TestCDB.inquiry()).dataIn)
        #expect(inquiry.vendor == "FREEBSD" && inquiry.product == "CTLDISK" && inquiry.thirdPartyCopy)
    }

    @Test("CTL: RCOP says 64/64/8192, max segment 0 (not reported), concurrency 255, descriptors 02 0A E4")
    func ctlOperatingParameters() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        let bytes = h.run(XCopyBytes.copyIn(0x03, allocation: 1024)).dataIn
        #expect(bytes == [0, 0, 0, 43, 1, 0, 0, 0, 0, 64, 0, 64, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                          0, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 3, 0x02, 0x0A, 0xE4])
        #expect(h.run(XCopyBytes.copyIn(0x03, allocation: 10)).dataIn == Array(bytes.prefix(10)))
    }

    // MARK: - plain

    @Test("plain: 3PC=0, no 0x8F, every third-party copy command 20/00")
    func plain() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("plain"), tokenService: FakeTokenService())
        #expect(try StandardInquiry(parsing: h.run(TestCDB.inquiry()).dataIn).thirdPartyCopy == false)
        for cdb in ThirdPartyCopyRoutingTests.copyCDBs { expectSense(h.run(cdb), 0x05, 0x20, 0x00) }
        expectSense(h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)), 0x05, 0x24, 0x00)
    }

    @Test("An LU whose 3PC bit is turned off loses the copy commands and 0x8F (LIO's emulate_3pc=0)")
    func threePCOff() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        try h.array.updateOptions(lun: 0) { $0.thirdPartyCopy = false }
        expectSense(h.run(XCopyBytes.copyIn(0x03)), 0x05, 0x20, 0x00)
        expectSense(h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)), 0x05, 0x24, 0x00)
        #expect(h.run(XCopyBytes.copyIn(0x03), lun: 1).status == .good)
    }
}
