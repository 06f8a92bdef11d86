import Foundation
import SCSIWire
import SimArray
import Testing

/// What libiscsi's `iscsi-test-cu` sends in SCSI.ExtendedCopy.{Simple, ParamHdr, DescrLimits,
/// DescrType, ValidTgtDescr, ValidSegDescr} and SCSI.ReceiveCopyResults.{CopyStatus, OpParams}
/// (sahlberg/libiscsi@65ebd14, test-tool/test_extendedcopy_*.c, test_receive_copy_results_*.c,
/// helpers in iscsi-support.c), replayed against the ctl profile with what the tool accepts:
/// EXPECT_TOO_MANY_DESCR = 26/06 or 26/08, EXPECT_UNSUPP_DESCR_CODE = 26/07 or 26/09,
/// EXPECT_COPY_ABORTED = COPY ABORTED with 00/00, 08/04 or 0D/02, EXPECT_PARAM_LIST_LEN_ERR =
/// 1A/00, EXPECT_INVALID_FIELD_IN_CDB = 24/00 or 26/00.
@Suite struct XCopyLibiscsiReplayTests {
    /// `sd`: LUN 0 of `numBlocks` 512-byte blocks on a fresh session.
    static let numBlocks: UInt64 = 8192
    static let blockSize = 512

    let h: XCopyHarness
    init() throws { h = try XCopyHarness(profile: TestProfiles.load("ctl"), luns: [0], blockCount: Self.numBlocks) }

    // MARK: - libiscsi's helpers, transcribed

    /// `populate_tgt_desc(desc, IDENT_DESCR_TGT_DESCR, luid_type, nul, 0, 0, 0, sd)`: the
    /// designator is chosen from VPD 0x83 like `populate_ident_tgt_desc` (types 0-3 only, length
    /// at most 20, the highest type seen last wins), block size from READ CAPACITY.
    func targetDescriptor(type: UInt8 = 0xE4, luIDType: UInt8 = 0, nul: UInt8 = 0) throws -> [UInt8] {
        var desc = [UInt8](repeating: 0, count: 32)
        desc[0] = type
        desc[1] = luIDType << 6 | nul << 5
        if type == 0xE4 {
            let page = h.run(TestCDB.inquiry(evpd: true, page: 0x83, allocation: 255)).dataIn
            let end = Swift.min(page.count, 4 + (Int(page[2]) << 8 | Int(page[3])))
            var chosen: (codeSet: UInt8, type: UInt8, association: UInt8, value: [UInt8])?
            var previousType: UInt8 = 0
            var o = 4
            while o + 4 <= end {
                let length = Int(page[o + 3])
                guard o + 4 + length <= end else { break }
                let t = page[o + 1] & 0x0F
                if t <= 3, previousType <= t, length <= 20 {
                    chosen = (page[o] & 0x0F, t, (page[o + 1] >> 4) & 3, Array(page[(o + 4)..<(o + 4 + length)]))
                    previousType = t
                }
                o += 4 + length
            }
            let d = try #require(chosen, "no suitable designator")
            desc[4] = d.codeSet
            desc[5] = d.type | d.association << 4
            desc[7] = UInt8(d.value.count)
            desc.replaceSubrange(8..<(8 + d.value.count), with: d.value)
        }
        desc[29] = UInt8((Self.blockSize >> 16) & 0xFF)
        desc[30] = UInt8((Self.blockSize >> 8) & 0xFF)
        desc[31] = UInt8(Self.blockSize & 0xFF)
        return desc
    }

    func seg(dst: UInt16 = 0, blocks: UInt16 = 2048, dstLBA: UInt64 = numBlocks - 2048) -> [UInt8] {
        XCopyBytes.b2b(src: 0, dst: dst, blocks: blocks, srcLBA: 0, dstLBA: dstLBA)
    }

    func extendedCopy(_ data: [UInt8]) -> SCSIResult { h.xcopy(data) }

    func expectOneOf(_ r: SCSIResult, key: UInt8, _ pairs: [(UInt8, UInt8)], sourceLocation: SourceLocation = #_sourceLocation) {
        let s = r.senseData
        #expect(r.status == .checkCondition && s?.key.rawValue == key, "\(r.status) \(s.map(\.description) ?? "")",
                sourceLocation: sourceLocation)
        #expect(pairs.contains { $0.0 == s?.additionalSense.code && $0.1 == s?.additionalSense.qualifier },
                "\(s.map(\.description) ?? "no sense")", sourceLocation: sourceLocation)
    }

    // MARK: - ExtendedCopy

    @Test("Simple: 2048 blocks of 'A' from LBA 0 to the end of the LUN, LIST ID USAGE discard")
    func simple() throws {
        let copied = Swift.min(Self.numBlocks / 2, 2048)
        let dst = Self.numBlocks - copied
        h.run(TestCDB.write16(lba: dst, blocks: UInt32(copied)), dataOut: [UInt8](repeating: 0, count: Int(copied) * 512))
        let a = [UInt8](repeating: 0x41, count: Int(copied) * 512)
        #expect(h.run(TestCDB.write16(lba: 0, blocks: UInt32(copied)), dataOut: a).status == .good)
        let t = try targetDescriptor()
        let s = seg(blocks: UInt16(copied), dstLBA: dst)
        let data = XCopyBytes.header(listID: 1, usage: 2, cscdLength: t.count, segmentLength: s.count) + t + s
        #expect(extendedCopy(data).status == .good)
        #expect(h.run(TestCDB.read16(lba: dst, blocks: UInt32(copied))).dataIn == a)
    }

    @Test("ParamHdr: lists cut inside the target or segment descriptor are 1A/00; a zero length is GOOD")
    func paramHdr() throws {
        let t = try targetDescriptor()
        let s = seg()
        let data = XCopyBytes.header(listID: 1, usage: 0, cscdLength: t.count, segmentLength: s.count) + t + s
        expectSense(extendedCopy(Array(data.prefix(16 + 32 - 1))), 0x05, 0x1A, 0x00)
        expectSense(extendedCopy(Array(data.prefix(16 + 32 + 28 - 1))), 0x05, 0x1A, 0x00)
        #expect(h.run(XCopyBytes.extendedCopyCDB(0)).status == .good)
    }

    @Test("DescrLimits: RCOP's maxima plus one are 26/06 or 26/08; beyond MAXIMUM DESCRIPTOR LIST LENGTH 1A/00")
    func descrLimits() throws {
        let op = try ReceiveCopyOperatingParameters(parsing: h.run(XCopyBytes.copyIn(0x03, allocation: 1024)).dataIn)
        let t = try targetDescriptor()
        let maxT = Int(op.maximumCSCDDescriptorCount), maxS = Int(op.maximumSegmentDescriptorCount)
        let allocLen = Swift.max(16 + (maxT + 1) * 32 + (maxS + 1) * 28, 16 + Int(op.maximumDescriptorListLength) + 28)

        func descr(_ nt: Int, _ ns: Int, listID: UInt8) -> [UInt8] {
            let ts = (0..<nt).flatMap { _ in t }
            let ss = (0..<ns).flatMap { _ in seg() }
            return XCopyBytes.header(listID: listID, usage: 0, cscdLength: ts.count, segmentLength: ss.count) + ts + ss
        }
        expectOneOf(extendedCopy(descr(maxT + 1, 1, listID: 1)), key: 0x05, [(0x26, 0x06), (0x26, 0x08)])
        expectOneOf(extendedCopy(descr(1, maxS + 1, listID: 2)), key: 0x05, [(0x26, 0x06), (0x26, 0x08)])
        let segCount = (allocLen - 16 - (maxT + 1) * 32) / 28
        expectSense(extendedCopy(descr(maxT + 1, segCount, listID: 3)), 0x05, 0x1A, 0x00)
    }

    @Test("DescrType: an FC N_Port_Name (E0h) target descriptor and a stream-to-stream segment are 26/07 or 26/09")
    func descrType() throws {
        let e0 = try targetDescriptor(type: 0xE0)
        let s = seg()
        expectOneOf(extendedCopy(XCopyBytes.header(listID: 1, cscdLength: 32, segmentLength: s.count) + e0 + s),
                    key: 0x05, [(0x26, 0x07), (0x26, 0x09)])
        let t = try targetDescriptor()
        let stream = XCopyBytes.segmentHeader(type: 0x03, descriptorLength: 0x10)
        expectOneOf(extendedCopy(XCopyBytes.header(listID: 1, cscdLength: 32, segmentLength: stream.count) + t + stream),
                    key: 0x05, [(0x26, 0x07), (0x26, 0x09)])
    }

    @Test("ValidTgtDescr: an SPC-4 target (VERSION 6) ignores a reserved LU ID TYPE; the NUL test is skipped")
    func validTgtDescr() throws {
        let inquiry = try StandardInquiry(parsing: h.run(TestCDB.inquiry(allocation: 255)).dataIn)
        #expect(inquiry.version >= 6)
        let t = try targetDescriptor(luIDType: 2)
        let s = seg()
        #expect(extendedCopy(XCopyBytes.header(listID: 1, cscdLength: 32, segmentLength: s.count) + t + s).status == .good)
    }

    @Test("ValidSegDescr: a destination index past the list and a copy past the end are COPY ABORTED")
    func validSegDescr() throws {
        let t = try targetDescriptor()
        let pairs: [(UInt8, UInt8)] = [(0x00, 0x00), (0x08, 0x04), (0x0D, 0x02)]
        let s1 = seg(dst: 1)
        expectOneOf(extendedCopy(XCopyBytes.header(listID: 1, cscdLength: 32, segmentLength: s1.count) + t + s1), key: 0x0A, pairs)
        let s2 = seg(dstLBA: Self.numBlocks - 1)
        expectOneOf(extendedCopy(XCopyBytes.header(listID: 1, cscdLength: 32, segmentLength: s2.count) + t + s2), key: 0x0A, pairs)
    }

    // MARK: - ReceiveCopyResults

    @Test("CopyStatus: 0x8F lists RECEIVE COPY STATUS; none for list 1 yet (24/00); GOOD after a held copy")
    func copyStatus() throws {
        let pages = try SupportedVPDPages(parsing: h.run(TestCDB.inquiry(evpd: true, page: 0x00, allocation: 255)).dataIn)
        #expect(pages.pages.contains(.thirdPartyCopy))
        let page = try ThirdPartyCopyPage(parsing: h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 1024)).dataIn)
        #expect(page.lists(.thirdPartyCopyIn, serviceAction: 0x00))
        let none = h.run(XCopyBytes.copyIn(0x00, listID: 1, allocation: 1024))
        expectOneOf(none, key: 0x05, [(0x24, 0x00), (0x26, 0x00)])

        let t = try targetDescriptor()
        let s = seg()
        #expect(extendedCopy(XCopyBytes.header(listID: 1, usage: 0, cscdLength: 32, segmentLength: s.count) + t + s).status == .good)
        let status = h.run(XCopyBytes.copyIn(0x00, listID: 1, allocation: 1024))
        #expect(status.status == .good)
        let parsed = try ReceiveCopyStatusLID1(parsing: status.dataIn)
        #expect(parsed.copyManagerStatus == .completedWithoutErrors && parsed.segmentsProcessed == 1)
        #expect(parsed.transferredBytes() == 2048 * 512)
    }

    @Test("OpParams: RECEIVE COPY RESULTS, OPERATING PARAMETERS with list identifier 0 is GOOD")
    func opParams() throws {
        let r = h.run(XCopyBytes.copyIn(0x03, listID: 0, allocation: 1024))
        #expect(r.status == .good)
        let p = try ReceiveCopyOperatingParameters(parsing: r.dataIn)
        #expect(p.maximumCSCDDescriptorCount == 64 && p.maximumSegmentDescriptorCount == 64)
    }
}
