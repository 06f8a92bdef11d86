import Foundation
import SCSIWire
import SimArray
import Testing

/// The copy manager under injected faults: a failing segment, GOOD without a copy, a full pool.
@Suite struct XCopyFaultTests {
    static func threeSegments(_ h: XCopyHarness, listID: UInt8 = 1) -> [UInt8] {
        XCopyBytes.list(listID: listID, cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                        segments: (0..<3).map { XCopyBytes.b2b(src: 0, dst: 1, blocks: 4, srcLBA: UInt64($0 * 4),
                                                               dstLBA: UInt64(100 + $0 * 4)) })
    }

    @Test("xcopy-fail-segment:n=2: COPY ABORTED 0D/01 for segment 1, residual, the destination's write error forwarded; segment 0 copied")
    func failingSegment() throws {
        var h = try XCopyHarness(profile: TestProfiles.load("ctl"), faults: FaultInjector([.xcopyFailSegment(n: 2)]))
        h.initiator = XCopyHarness.descriptorInitiator
        let data = pattern(101, blocks: 12)
        try h.fill(0, data)
        let r = h.xcopy(Self.threeSegments(h))
        expectCopyAborted(r, 0x0D, 0x01, csi: 1, pointer: (false, 48))
        let s = try #require(r.senseData)
        #expect(s.information == 4)                              // 4 destination blocks not written
        #expect(s.forwarded.first?.source == .copyDestination(0))
        #expect(s.forwarded.first?.sense?.key == .mediumError && s.forwarded.first?.sense?.additionalSense.code == 0x0C)
        #expect(try h.bytes(1, lba: 100, blocks: 4) == Array(data[0..<2048]))
        #expect(try h.bytes(1, lba: 104, blocks: 8) == [UInt8](repeating: 0, count: 4096))
        let status = h.run(XCopyBytes.copyIn(0x00, listID: 1)).dataIn
        #expect(status[4] == 0x02 && status[5...6] == [0, 1] && Array(status[8...]) == TestCDB.be(2048, 4))
        // Spent: the same copy now succeeds.
        #expect(h.xcopy(Self.threeSegments(h)).status == .good)
        #expect(try h.bytes(1, lba: 100, blocks: 12) == data)
    }

    @Test("The failing segment is counted across commands and reported in fixed format with its CSI")
    func countedAcrossCommands() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), faults: FaultInjector([.xcopyFailSegment(n: 5)]))
        #expect(h.xcopy(Self.threeSegments(h)).status == .good)
        let r = h.xcopy(Self.threeSegments(h, listID: 2))
        expectCopyAborted(r, 0x0D, 0x01, csi: 1)
        #expect(r.sense.first == 0xF0 && r.senseData?.information == 4)    // fixed, VALID set for INFORMATION
    }

    @Test("LIO style: the same fault is a bare COPY ABORTED 0D/02")
    func failingSegmentLIO() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("lio"), faults: FaultInjector([.xcopyFailSegment(n: 1)]))
        let r = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                        segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 4, srcLBA: 0, dstLBA: 0)]))
        expectCopyAborted(r, 0x0D, 0x02, noExtras: true)
    }

    @Test("good-without-copy: GOOD, the status says done, the destination is unchanged")
    func goodWithoutCopy() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), faults: FaultInjector([.goodWithoutCopy]))
        try h.fill(0, pattern(102, blocks: 12))
        try h.fill(1, lba: 100, pattern(103, blocks: 12))
        let before = try h.checksum(1)
        let r = h.xcopy(Self.threeSegments(h))
        #expect(r.status == .good && r.sense.isEmpty)
        #expect(try h.checksum(1) == before)
        #expect(h.run(XCopyBytes.copyIn(0x00, listID: 1)).dataIn[4...6] == [0x01, 0, 3])
        // Validation still happens.
        expectSense(h.xcopy(XCopyBytes.list(cscds: [], segments: [XCopyBytes.segmentHeader(type: 0x03, descriptorLength: 0x10)])),
                    0x05, 0x26, 0x09)
    }

    @Test("out-of-space: a copy into a thin LU gets the fault's sense (27/07 DATA PROTECT); into a thick LU it copies")
    func outOfSpace() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), luns: [0, 1, 2], thick: [2],
                                 faults: FaultInjector([.outOfSpace(asc: .spaceAllocationFailedWriteProtect)]))
        try h.fill(0, pattern(104, blocks: 4))
        let cscds = [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1)), XCopyBytes.cscd(h.unit(2))]
        let thin = h.xcopy(XCopyBytes.list(cscds: cscds, segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 4, srcLBA: 0, dstLBA: 0)]))
        expectSense(thin, 0x07, 0x27, 0x07)
        #expect(thin.senseData?.commandSpecificInformation == 0)
        #expect(try h.bytes(1, blocks: 4) == [UInt8](repeating: 0, count: 2048))
        let thick = h.xcopy(XCopyBytes.list(cscds: cscds, segments: [XCopyBytes.b2b(src: 0, dst: 2, blocks: 4, srcLBA: 0, dstLBA: 0)]))
        #expect(thick.status == .good)
        #expect(try h.bytes(2, blocks: 4) == pattern(104, blocks: 4))

        let full = try XCopyHarness(profile: TestProfiles.load("ctl"), faults: FaultInjector([.outOfSpace(asc: .insufficientResources)]))
        let r = full.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(full.unit(0)), XCopyBytes.cscd(full.unit(1))],
                                           segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 1, srcLBA: 0, dstLBA: 0)]))
        expectSense(r, 0x05, 0x55, 0x03)
    }
}
