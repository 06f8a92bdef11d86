import Foundation
import SCSIWire
import SimArray
import Testing

/// Every way an EXTENDED COPY(LID1) parameter list or its targets can be wrong, with the exact
/// sense (ctl profile unless said otherwise), in the order real targets check.
@Suite struct XCopyValidationTests {
    let h: XCopyHarness
    init() throws { h = try XCopyHarness(profile: TestProfiles.load("ctl")) }

    var cscd0: [UInt8] { XCopyBytes.cscd(h.unit(0)) }
    var cscd1: [UInt8] { XCopyBytes.cscd(h.unit(1)) }
    var segment: [UInt8] { XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 0, dstLBA: 0) }

    // MARK: - Lengths: 05/1A/00

    @Test("Shorter than the 16-byte header: PARAMETER LIST LENGTH ERROR")
    func shortHeader() {
        let list = XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment])
        expectSense(h.xcopy(Array(list.prefix(15))), 0x05, 0x1A, 0x00, noPointer: true)
    }

    @Test("Fewer bytes than the header promises (CSCD or segment cut): 1A/00")
    func truncated() {
        let list = XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment])
        expectSense(h.xcopy(Array(list.prefix(16 + 32 + 31))), 0x05, 0x1A, 0x00)
        expectSense(h.xcopy(Array(list.prefix(list.count - 1))), 0x05, 0x1A, 0x00)
    }

    @Test("CSCD + segment bytes above MAXIMUM DESCRIPTOR LIST LENGTH: 1A/00 even with too many CSCDs")
    func listTooLong() {
        // 65 CSCDs (too many) and enough segments to pass 8192 bytes: the length wins.
        let cscds = Array(repeating: cscd0, count: 65)
        let segments = Array(repeating: segment, count: (8192 - 65 * 32) / 28 + 1)
        expectSense(h.xcopy(XCopyBytes.list(cscds: cscds, segments: segments)), 0x05, 0x1A, 0x00)
    }

    // MARK: - Counts and types

    @Test("More CSCDs than advertised: 26/06")
    func tooManyCSCDs() {
        expectSense(h.xcopy(XCopyBytes.list(cscds: Array(repeating: cscd0, count: 65), segments: [segment])), 0x05, 0x26, 0x06, noPointer: true)
    }

    @Test("A CSCD type other than E4h: 26/07 pointing at it")
    func unsupportedCSCDType() {
        let e0 = XCopyBytes.cscd(h.unit(1).identity.naaDesignator, blockLength: 512, type: 0xE0)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, e0], segments: [segment])), 0x05, 0x26, 0x07, field: .parameter(48))
    }

    @Test("More segments than enforced: 26/08")
    func tooManySegments() {
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: Array(repeating: segment, count: 65))), 0x05, 0x26, 0x08, noPointer: true)
    }

    @Test("A segment type the profile lacks: 26/09 pointing at it")
    func unsupportedSegmentType() {
        let streamToStream = XCopyBytes.segmentHeader(type: 0x03, descriptorLength: 0x10)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment, streamToStream])), 0x05, 0x26, 0x09,
                    field: .parameter(16 + 64 + 28))
    }

    @Test("Inline data: 26/0B")
    func inlineData() {
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment], inline: [1, 2, 3, 4])), 0x05, 0x26, 0x0B)
    }

    // MARK: - Fields: 26/00 with a field pointer

    @Test("LIST ID USAGE 11b with a non-zero LIST IDENTIFIER: 26/00 at byte 0")
    func noListIDButIdentifier() {
        expectSense(h.xcopy(XCopyBytes.list(listID: 5, usage: 3, cscds: [cscd0, cscd1], segments: [segment])), 0x05, 0x26, 0x00,
                    field: .parameter(0))
        #expect(h.xcopy(XCopyBytes.list(listID: 0, usage: 3, cscds: [cscd0, cscd1], segments: [segment])).status == .good)
    }

    @Test("DESIGNATOR LENGTH above 20: 26/00 at CSCD byte 7")
    func designatorTooLong() {
        var bad = cscd1
        bad[7] = 21
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, bad], segments: [segment])), 0x05, 0x26, 0x00, field: .parameter(48 + 7))
    }

    @Test("PERIPHERAL DEVICE TYPE other than block: 26/00 at CSCD byte 1 bit 4")
    func peripheralType() {
        var bad = cscd1
        bad[1] = 0x01
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, bad], segments: [segment])), 0x05, 0x26, 0x00, field: .parameter(49, bit: 4))
    }

    @Test("02h with DESCRIPTOR LENGTH other than 18h: 26/00 at segment byte 2")
    func segmentDescriptorLength() {
        let bad = XCopyBytes.segmentHeader(type: 0x02, descriptorLength: 0x14)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [bad])), 0x05, 0x26, 0x00, field: .parameter(80 + 2))
    }

    @Test("A special CSCD ID the profile lacks (C000h null LU): 26/00 at the segment's ID field")
    func specialCSCDID() {
        let seg = XCopyBytes.b2b(src: 0, dst: 0xC000, blocks: 1, srcLBA: 0, dstLBA: 0)
        expectSense(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [seg])), 0x05, 0x26, 0x00, field: .parameter(80 + 6))
        // The lio profile has no FFFFh either.
        let lio = try! XCopyHarness(profile: TestProfiles.load("lio"))
        let ffff = XCopyBytes.b2b(src: 0xFFFF, dst: 0, blocks: 1, srcLBA: 0, dstLBA: 0)
        expectSense(lio.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(lio.unit(0))], segments: [ffff])), 0x05, 0x26, 0x00,
                    field: .parameter(48 + 4))
    }

    // MARK: - Resolution: COPY ABORTED 08/04 (CTL)

    @Test("A CSCD index past the list: COPY ABORTED 08/04 with the segment number")
    func indexPastList() {
        let second = XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)
        let r = h.xcopy(XCopyBytes.list(cscds: [cscd0], segments: [XCopyBytes.b2b(src: 0, dst: 0, blocks: 1, srcLBA: 0, dstLBA: 9), second]))
        expectCopyAborted(r, 0x08, 0x04, csi: 1, noPointer: true)
    }

    @Test("A designator no LU has: 08/04")
    func unknownDesignator() {
        var d = h.unit(1).identity.naaDesignator
        d.value[15] ^= 0xFF
        let r = h.xcopy(XCopyBytes.list(cscds: [cscd0, XCopyBytes.cscd(d, blockLength: 512)], segments: [segment]))
        expectCopyAborted(r, 0x08, 0x04, csi: 0)
    }

    @Test("An LU the session cannot reach: 08/04 (session scope); reachable through array scope")
    func notInSession() throws {
        var h = self.h
        h.initiator.reachableLUNs = [0]
        expectCopyAborted(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment])), 0x08, 0x04, csi: 0)

        var wide = try XCopyHarness(profile: TestProfiles.load("ctl") { $0.copyScope = .array })
        wide.initiator.reachableLUNs = [0]
        try wide.fill(1, pattern(1, blocks: 8))
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(wide.unit(1)), XCopyBytes.cscd(wide.unit(0))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 0, dstLBA: 0)])
        #expect(wide.xcopy(list).status == .good)
        #expect(try wide.bytes(0, blocks: 8) == pattern(1, blocks: 8))
    }

    @Test("An LU whose 3PC bit is off cannot be a copy target")
    func targetWithout3PC() throws {
        try h.array.updateOptions(lun: 1) { $0.thirdPartyCopy = false }
        expectCopyAborted(h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment])), 0x08, 0x04, csi: 0)
    }

    @Test("NUL set: the CSCD names no device (08/04)")
    func nulCSCD() {
        var nul = cscd1
        nul[1] |= 0x20
        expectCopyAborted(h.xcopy(XCopyBytes.list(cscds: [cscd0, nul], segments: [segment])), 0x08, 0x04, csi: 0)
    }

    // MARK: - Ranges and devices: COPY ABORTED with segment, pointer and forwarded sense

    @Test("Source past its end: COPY ABORTED 0D/02, CSI, pointer to the source CSCD, the source's 21/00 forwarded")
    func sourceOutOfRange() throws {
        var h = self.h
        h.initiator = XCopyHarness.descriptorInitiator
        let before = try h.checksum(1)
        let seg = XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 4090, dstLBA: 0)
        let r = h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [seg]))
        expectCopyAborted(r, 0x0D, 0x02, csi: 0, pointer: (false, 16))
        let f = try #require(r.senseData?.forwarded.first)
        #expect(f.source == .copySource && f.status == 0x02)
        #expect(f.sense?.key == .illegalRequest && f.sense?.additionalSense == .lbaOutOfRange && f.sense?.information == 4096)
        #expect(try h.checksum(1) == before)
    }

    @Test("Destination past its end in segment 1: segment 0 copied, CSI 1, pointer to the destination CSCD")
    func destinationOutOfRangeSecondSegment() throws {
        var h = self.h
        h.initiator = XCopyHarness.descriptorInitiator
        try h.fill(0, pattern(71, blocks: 8))
        let segs = [segment, XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 0, dstLBA: 4095)]
        let r = h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: segs))
        expectCopyAborted(r, 0x0D, 0x02, csi: 1, pointer: (false, 48))
        #expect(r.senseData?.forwarded.first?.source == .copyDestination(0))
        #expect(try h.bytes(1, blocks: 8) == pattern(71, blocks: 8))
        #expect(try h.bytes(1, lba: 4095, blocks: 1) == [UInt8](repeating: 0, count: 512))
    }

    @Test("Fixed-format sense carries CSI and pointer but no forwarded descriptor")
    func fixedFormat() {
        let r = h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 4095, dstLBA: 0)]))
        expectCopyAborted(r, 0x0D, 0x02, csi: 0, pointer: (false, 16))
        #expect(r.sense.first == 0x70 && r.senseData?.forwarded.isEmpty == true)
    }

    @Test("A write-protected destination: 0D/01 with the destination's 07/27/00 forwarded")
    func writeProtectedDestination() throws {
        var h = self.h
        h.initiator = XCopyHarness.descriptorInitiator
        try h.array.updateOptions(lun: 1) { $0.writeProtected = true }
        let r = h.xcopy(XCopyBytes.list(cscds: [cscd0, cscd1], segments: [segment]))
        expectCopyAborted(r, 0x0D, 0x01, csi: 0, pointer: (false, 48))
        let f = try #require(r.senseData?.forwarded.first)
        #expect(f.source == .copyDestination(0) && f.sense?.key == .dataProtect && f.sense?.additionalSense.code == 0x27)
        #expect(r.senseData?.information == 8)
    }

    @Test("Segment granularity enforced when the profile says so: COPY ABORTED 26/0D, pointer to NUMBER OF BLOCKS")
    func granularity() throws {
        let g = try XCopyHarness(profile: TestProfiles.load("ctl") { $0.dataSegmentGranularityLog2 = 12 })
        let list = { (blocks: UInt16) in
            XCopyBytes.list(cscds: [XCopyBytes.cscd(g.unit(0)), XCopyBytes.cscd(g.unit(1))],
                            segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 0, dstLBA: 0),
                                       XCopyBytes.b2b(src: 0, dst: 1, blocks: blocks, srcLBA: 0, dstLBA: 0)])
        }
        expectCopyAborted(g.xcopy(list(3)), 0x26, 0x0D, csi: 1, pointer: (true, 10))
        #expect(g.xcopy(list(16)).status == .good)
    }
}
