import Foundation
import SCSIWire
import SimArray
import Testing

/// EXTENDED COPY(LID1) moving data inside the simulated array (ctl profile): byte-exact results
/// for segment types 02h and 0Ah, several CSCDs and segments, DC, PAD, CSCD ID FFFFh, overlap,
/// chunking, and the source never written.
@Suite struct XCopyExecutionTests {
    @Test("02h between two LUs: destination equals source, neighbours and source untouched")
    func blockToBlock() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        let data = pattern(7, blocks: 100)
        try h.fill(0, lba: 10, data)
        try h.fill(1, lba: 499, pattern(9, blocks: 1))
        try h.fill(1, lba: 600, pattern(9, blocks: 1))
        let sourceBefore = try h.checksum(0)
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 100, srcLBA: 10, dstLBA: 500)])
        let r = h.xcopy(list)
        #expect(r.status == .good && r.sense.isEmpty)
        #expect(try h.bytes(1, lba: 500, blocks: 100) == data)
        #expect(try h.bytes(1, lba: 499, blocks: 1) == pattern(9, blocks: 1))
        #expect(try h.bytes(1, lba: 600, blocks: 1) == pattern(9, blocks: 1))
        #expect(try h.checksum(0) == sourceBefore)
    }

    @Test("02h received by the destination LU works too (the receiving LU need not be the source)")
    func receivedByDestination() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        try h.fill(0, pattern(3, blocks: 8))
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 8, srcLBA: 0, dstLBA: 0)])
        #expect(h.xcopy(list, lun: 1).status == .good)
        #expect(try h.bytes(1, blocks: 8) == pattern(3, blocks: 8))
    }

    @Test("Several CSCDs and segments run in order; a later segment sees an earlier one's result")
    func multiSegmentMultiCSCD() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), luns: [0, 1, 2])
        try h.fill(0, pattern(1, blocks: 16))
        try h.fill(2, lba: 100, pattern(2, blocks: 4))
        let cscds = [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1), \.eui64Designator),
                     XCopyBytes.cscd(h.unit(2))]
        let segments = [
            XCopyBytes.b2b(src: 0, dst: 1, blocks: 16, srcLBA: 0, dstLBA: 32),     // A -> B
            XCopyBytes.b2b(src: 1, dst: 2, blocks: 8, srcLBA: 40, dstLBA: 0),      // B (just written) -> C
            XCopyBytes.b2b(src: 2, dst: 0, blocks: 4, srcLBA: 100, dstLBA: 200),   // C -> A
            XCopyBytes.b2b(src: 0, dst: 0, blocks: 2, srcLBA: 200, dstLBA: 300),   // A -> A
        ]
        let r = h.xcopy(XCopyBytes.list(cscds: cscds, segments: segments))
        #expect(r.status == .good, "\(r.senseData.map(\.description) ?? "")")
        #expect(try h.bytes(1, lba: 32, blocks: 16) == pattern(1, blocks: 16))
        #expect(try h.bytes(2, blocks: 8) == Array(pattern(1, blocks: 16)[(8 * 512)...]))
        #expect(try h.bytes(0, lba: 200, blocks: 4) == pattern(2, blocks: 4))
        #expect(try h.bytes(0, lba: 300, blocks: 2) == Array(pattern(2, blocks: 4).prefix(1024)))
    }

    @Test("DC honoured: NUMBER OF BLOCKS counts destination blocks with DC=1, source blocks with DC=0")
    func destinationCount() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), blockSizes: [1: 4096])
        let data = pattern(5, blocks: 16)          // 16 x 512 = 2 x 4096
        try h.fill(0, data)
        let cscds = [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))]
        #expect(h.xcopy(XCopyBytes.list(cscds: cscds, segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 2, srcLBA: 0, dstLBA: 10, dc: true)])).status == .good)
        #expect(try h.bytes(1, lba: 10, blocks: 2) == data)
        #expect(h.xcopy(XCopyBytes.list(cscds: cscds, segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 16, srcLBA: 0, dstLBA: 20)])).status == .good)
        #expect(try h.bytes(1, lba: 20, blocks: 2) == data)
        // 3 source blocks are not a whole 4096-byte block: unexpected inexact segment.
        let r = h.xcopy(XCopyBytes.list(cscds: cscds, segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 3, srcLBA: 0, dstLBA: 30)]))
        expectCopyAborted(r, 0x26, 0x0A, csi: 0, pointer: (true, 10))
        #expect(try h.bytes(1, lba: 30, blocks: 1) == [UInt8](repeating: 0, count: 4096))
    }

    @Test("0Ah copies bytes at byte offsets; the destination's first block keeps the bytes before the offset")
    func blockToBlockWithOffset() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        let source = pattern(11, blocks: 8)
        let old = pattern(12, blocks: 8)
        try h.fill(0, lba: 0, source)
        try h.fill(1, lba: 100, old)
        // 1012 bytes from source byte 700 (LBA 1 + 188) to destination LBA 100 + 12: ends exactly at LBA 102.
        let seg = XCopyBytes.b2bOffset(src: 0, dst: 1, bytes: 1012, srcLBA: 1, dstLBA: 100, srcOffset: 188, dstOffset: 12)
        let r = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))], segments: [seg]))
        #expect(r.status == .good, "\(r.senseData.map(\.description) ?? "")")
        var expected = old
        expected.replaceSubrange(12..<1024, with: source[700..<1712])
        #expect(try h.bytes(1, lba: 100, blocks: 8) == expected)
    }

    @Test("0Ah ending inside a block: PAD on the destination CSCD zero-fills it, without PAD it is 26/0A")
    func offsetTailPadOrInexact() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        try h.fill(0, pattern(21, blocks: 4))
        try h.fill(1, pattern(22, blocks: 4))
        let seg = XCopyBytes.b2bOffset(src: 0, dst: 1, bytes: 700, srcLBA: 0, dstLBA: 1, srcOffset: 0, dstOffset: 0)
        let inexact = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))], segments: [seg]))
        expectCopyAborted(inexact, 0x26, 0x0A, csi: 0, pointer: (true, 8))
        #expect(try h.bytes(1, blocks: 4) == pattern(22, blocks: 4))

        let padded = h.xcopy(XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1), pad: true)], segments: [seg]))
        #expect(padded.status == .good)
        var expected = pattern(22, blocks: 4)
        expected.replaceSubrange(512..<1212, with: pattern(21, blocks: 4)[0..<700])
        expected.replaceSubrange(1212..<1536, with: [UInt8](repeating: 0, count: 324))
        #expect(try h.bytes(1, blocks: 4) == expected)
    }

    @Test("CSCD ID FFFFh is the LU that received the command")
    func copyManagerLU() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        try h.fill(1, pattern(31, blocks: 4))
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 0xFFFF, blocks: 4, srcLBA: 0, dstLBA: 8)])
        #expect(h.xcopy(list, lun: 0).status == .good)
        #expect(try h.bytes(0, lba: 8, blocks: 4) == pattern(31, blocks: 4))
    }

    @Test("Overlapping ranges in one LU copy as if through a buffer, in both directions, across chunks")
    func overlap() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), luns: [0], chunkBytes: 2048)
        let data = pattern(41, blocks: 64)
        for (src, dst) in [(UInt64(0), UInt64(5)), (UInt64(10), UInt64(3))] {
            try h.fill(0, lba: 0, data + [UInt8](repeating: 0, count: 16 * 512))
            let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0))],
                                       segments: [XCopyBytes.b2b(src: 0, dst: 0, blocks: 40, srcLBA: src, dstLBA: dst)])
            #expect(h.xcopy(list).status == .good)
            let expected = Array(data[Int(src * 512)..<Int((src + 40) * 512)])
            #expect(try h.bytes(0, lba: dst, blocks: 40) == expected, "src \(src) -> dst \(dst)")
        }
    }

    @Test("Data moves in chunks of at most chunkBytes and nothing is ever written to the source")
    func chunkedAndSourceReadOnly() throws {
        let profile = try TestProfiles.load("ctl")
        let array = try SimulatedArray()
        let source = InstrumentedStore(blockCount: 70000)
        let destination = InstrumentedStore(blockCount: 70000)
        try array.add(LogicalUnit(identity: profile.makeIdentity(), store: source, options: profile.logicalUnitOptions), lun: 0)
        try array.add(LogicalUnit(identity: profile.makeIdentity(), store: destination, options: profile.logicalUnitOptions), lun: 1)
        let manager = CopyManager(profile: profile, chunkBytes: 64 * 1024)
        let dispatcher = SCSIDispatcher(array: array, copyHandler: manager)
        let data = pattern(51, blocks: 300)
        try source.inner.write(lba: 65000, data: data)
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(array.logicalUnit(lun: 0)!), XCopyBytes.cscd(array.logicalUnit(lun: 1)!)],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 65535, srcLBA: 0, dstLBA: 0),
                                              XCopyBytes.b2b(src: 0, dst: 1, blocks: 300, srcLBA: 65000, dstLBA: 66000)])
        let r = dispatcher.execute(SCSIRequest(lun: 0, cdb: XCopyBytes.extendedCopyCDB(list.count), dataOut: list,
                                               initiator: Harness.defaultInitiator))
        #expect(r.status == .good)
        #expect(source.writes == 0)
        #expect(source.maxReadBlocks <= 128 && destination.maxWriteBytes <= 64 * 1024)
        #expect(destination.writes >= 65535 / 128)
        #expect(try destination.inner.read(lba: 66000, count: 300) == data)
    }

    @Test("A zero-length list and a zero-block segment complete GOOD and write nothing")
    func nothingToDo() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        #expect(h.run(XCopyBytes.extendedCopyCDB(0)).status == .good)
        try h.fill(0, pattern(61, blocks: 2))
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 0, srcLBA: 0, dstLBA: 0)])
        #expect(h.xcopy(list).status == .good)
        #expect(try h.bytes(1, blocks: 2) == [UInt8](repeating: 0, count: 1024))
    }

    @Test("Copy writes are announced to the token service before they happen (point-in-time tokens)")
    func announcesWrites() throws {
        let tokens = FakeTokenService()
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), tokenService: tokens)
        let list = XCopyBytes.list(cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 20, srcLBA: 0, dstLBA: 0)])
        #expect(h.xcopy(list).status == .good)
        #expect(tokens.modifiedBlocks == 20)
    }
}
