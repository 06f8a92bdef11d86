import Foundation
import SCSIWire
import SimArray
import Testing

/// List identifiers: RECEIVE COPY STATUS(LID1), FAILURE DETAILS, LIST ID USAGE, a list in use,
/// COPY OPERATION ABORT and retention.
@Suite struct XCopyListTests {
    static func copyList(_ h: XCopyHarness, listID: UInt8 = 7, usage: UInt8 = 0, blocks: UInt16 = 16, dstLBA: UInt64 = 0,
                         srcLBA: UInt64 = 0) -> [UInt8] {
        XCopyBytes.list(listID: listID, usage: usage, cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                        segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: blocks, srcLBA: srcLBA, dstLBA: dstLBA),
                                   XCopyBytes.b2b(src: 0, dst: 1, blocks: blocks, srcLBA: srcLBA, dstLBA: dstLBA + 100)])
    }

    @Test("RECEIVE COPY STATUS after a copy: completed, segments, bytes; CTL then forgets the list")
    func statusAfterSuccess() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        #expect(h.xcopy(Self.copyList(h)).status == .good)
        let data = h.run(XCopyBytes.copyIn(0x00, listID: 7)).dataIn
        // AVAILABLE DATA 8; status 01h; 2 segments; units 00h (bytes); 2 x 16 x 512 bytes.
        #expect(data == [0, 0, 0, 8, 0x01, 0, 2, 0x00, 0, 0, 0x40, 0x00])
        expectSense(h.run(XCopyBytes.copyIn(0x00, listID: 7)), 0x05, 0x24, 0x00, field: .cdb(2))
    }

    @Test("RECEIVE COPY STATUS for a list never seen, another nexus' list, or a list without identifier: 24/00 at byte 2")
    func statusUnknown() throws {
        var h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        expectSense(h.run(XCopyBytes.copyIn(0x00, listID: 1)), 0x05, 0x24, 0x00, field: .cdb(2))
        #expect(h.xcopy(Self.copyList(h, listID: 0, usage: 3)).status == .good)
        expectSense(h.run(XCopyBytes.copyIn(0x00, listID: 0)), 0x05, 0x24, 0x00, field: .cdb(2))
        #expect(h.xcopy(Self.copyList(h, listID: 9, usage: 2)).status == .good)     // discard: status still kept
        h.initiator = XCopyHarness.descriptorInitiator
        expectSense(h.run(XCopyBytes.copyIn(0x00, listID: 9)), 0x05, 0x24, 0x00)
        h.initiator = Harness.defaultInitiator
        #expect(h.run(XCopyBytes.copyIn(0x00, listID: 9)).dataIn[4] == 0x01)
    }

    @Test("FAILURE DETAILS: the failed copy's status and exact sense; none (AVAILABLE DATA 0) after success")
    func failureDetails() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"))
        let failed = h.xcopy(Self.copyList(h, listID: 3, srcLBA: 4090))
        #expect(failed.status == .checkCondition)
        let status = h.run(XCopyBytes.copyIn(0x00, listID: 3)).dataIn
        #expect(status[4] == 0x02 && status[5...6] == [0, 0])       // completed with errors, 0 segments
        // Released by the status read (CTL); run it again and ask for details first.
        _ = h.xcopy(Self.copyList(h, listID: 3, srcLBA: 4090))
        let details = h.run(XCopyBytes.copyIn(0x04, listID: 3)).dataIn
        let parsed = try ReceiveCopyFailureDetails(parsing: details)
        #expect(parsed.copyCommandStatus == 0x02 && parsed.senseData == failed.sense)
        #expect(Array(details[0..<4]) == TestCDB.be(UInt64(56 + failed.sense.count), 4))
        expectSense(h.run(XCopyBytes.copyIn(0x04, listID: 3)), 0x05, 0x24, 0x00, field: .cdb(2))

        #expect(h.xcopy(Self.copyList(h, listID: 4)).status == .good)
        #expect(h.run(XCopyBytes.copyIn(0x04, listID: 4)).dataIn == [0, 0, 0, 0])
    }

    @Test("Completed lists are kept for the retention time, then gone")
    func retention() throws {
        let clock = Box<Date>()
        clock.set(Date(timeIntervalSince1970: 1000))
        let profile = try TestProfiles.load("ctl") { $0.statusReadReleasesList = false }
        let h = try XCopyHarness(profile: profile, now: { clock.get! })
        #expect(h.xcopy(Self.copyList(h)).status == .good)
        clock.set(Date(timeIntervalSince1970: 1059))
        #expect(h.run(XCopyBytes.copyIn(0x00, listID: 7)).status == .good)
        #expect(h.run(XCopyBytes.copyIn(0x00, listID: 7)).status == .good)
        clock.set(Date(timeIntervalSince1970: 1061))
        expectSense(h.run(XCopyBytes.copyIn(0x00, listID: 7)), 0x05, 0x24, 0x00)
    }

    /// Two LUs whose source store holds the copy's Nth read until released.
    static func gatedHarness(_ profile: ArrayProfile, chunkBytes: Int = 4096) throws -> (SimulatedArray, SCSIDispatcher, InstrumentedStore, CopyManager) {
        let array = try SimulatedArray()
        let source = InstrumentedStore(blockCount: 4096)
        try array.add(LogicalUnit(identity: profile.makeIdentity(), store: source, options: profile.logicalUnitOptions), lun: 0)
        try profile.createLogicalUnit(in: array, lun: 1, blockCount: 4096)
        let manager = CopyManager(profile: profile, chunkBytes: chunkBytes)
        return (array, SCSIDispatcher(array: array, copyHandler: manager), source, manager)
    }

    @Test("While a list runs: its identifier is 05/00/16, its status says in progress with the bytes so far; abort stops it")
    func inFlight() throws {
        let (array, dispatcher, source, _) = try Self.gatedHarness(TestProfiles.load("ctl"))
        try source.inner.write(lba: 0, data: pattern(81, blocks: 64))
        let h = XCopyHarnessView(array: array, dispatcher: dispatcher)
        let list = XCopyBytes.list(listID: 5, cscds: [XCopyBytes.cscd(h.unit(0)), XCopyBytes.cscd(h.unit(1))],
                                   segments: [XCopyBytes.b2b(src: 0, dst: 1, blocks: 64, srcLBA: 0, dstLBA: 0)])
        source.hold(afterReads: 2)                  // third 8-block chunk
        let done = DispatchSemaphore(value: 0)
        let result = Box<SCSIResult>()
        Thread.detachNewThread {
            result.set(h.xcopy(list))
            done.signal()
        }
        source.entered.wait()

        expectSense(h.xcopy(list), 0x05, 0x00, 0x16)
        let status = h.run(XCopyBytes.copyIn(0x00, listID: 5)).dataIn
        #expect(status[4] == 0x00 && status[5...6] == [0, 0] && Array(status[8...]) == TestCDB.be(8192, 4))
        expectSense(h.run(XCopyBytes.copyIn(0x04, listID: 5)), 0x05, 0x24, 0x00, field: .cdb(2))   // not finished
        #expect(h.run(XCopyBytes.copyOperationAbort(5)).status == .good)
        source.release.signal()
        done.wait()

        #expect(result.get?.status == .taskAborted && result.get?.sense.isEmpty == true)
        let after = h.run(XCopyBytes.copyIn(0x00, listID: 5)).dataIn
        #expect(after[4] == 0x02 && Array(after[8...]) == TestCDB.be(12288, 4))   // stopped after the held chunk
        #expect(try array.logicalUnit(lun: 1)!.store.read(lba: 0, count: 24) == Array(pattern(81, blocks: 64).prefix(24 * 512)))
        #expect(try array.logicalUnit(lun: 1)!.store.read(lba: 24, count: 1) == [UInt8](repeating: 0, count: 512))
        // A new list with the identifier is accepted now.
        #expect(h.xcopy(list).status == .good)
    }

    @Test("COPY OPERATION ABORT: unknown list 24/00 at byte 2; token operations go to the token service first")
    func abortRouting() throws {
        let tokens = FakeTokenService(knownAbortIDs: [0x1234_5678])
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), tokenService: tokens)
        expectSense(h.run(XCopyBytes.copyOperationAbort(9)), 0x05, 0x24, 0x00, field: .cdb(2))
        #expect(h.run(XCopyBytes.copyOperationAbort(0x1234_5678)).status == .good)
        #expect(tokens.calls == ["ABORT 9", "ABORT 305419896"])
        #expect(h.xcopy(Self.copyList(h, listID: 9)).status == .good)
        #expect(h.run(XCopyBytes.copyOperationAbort(9)).status == .good)     // finished lists: accepted, no effect
        #expect(h.run(XCopyBytes.copyIn(0x00, listID: 9)).dataIn[4] == 0x01)
    }

    @Test("Token service commands are routed to it; LU removal reaches it")
    func tokenRouting() throws {
        let tokens = FakeTokenService()
        let h = try XCopyHarness(profile: TestProfiles.load("ctl"), tokenService: tokens)
        let zero = [UInt8](repeating: 0, count: 14)
        #expect(h.run([0x83, 0x10] + zero).status == .good)
        #expect(h.run([0x83, 0x11] + zero).status == .good)
        #expect(h.run([0x84, 0x07] + [UInt8](repeating: 0, count: 8) + [0, 0, 2, 0, 0, 0]).dataIn == [0x52])
        #expect(tokens.calls == ["PT", "WUT", "RRTI"])
        let unit = h.unit(1)
        try h.dispatcher.removeLogicalUnit(lun: 1)
        #expect(tokens.removed == [ObjectIdentifier(unit)])
        // Without a token service the ODX service actions are not served.
        let bare = try XCopyHarness(profile: TestProfiles.load("ctl"))
        expectSense(bare.run([0x83, 0x10] + zero), 0x05, 0x24, 0x00, field: .cdb(1, bit: 4))
    }

    @Test("SCST: transfer count in KiB; reading the status does not release the list")
    func scstStatus() throws {
        let h = try XCopyHarness(profile: TestProfiles.load("scst"))
        #expect(h.xcopy(Self.copyList(h, listID: 2, blocks: 128)).status == .good)
        for _ in 0..<2 {
            let data = h.run(XCopyBytes.copyIn(0x00, listID: 2)).dataIn
            #expect(data == [0, 0, 0, 8, 0x01, 0, 2, 0x01, 0, 0, 0, 128])     // 2 x 64 KiB
        }
    }
}

/// The harness calls over an array and dispatcher built by hand.
struct XCopyHarnessView: Sendable {
    let array: SimulatedArray
    let dispatcher: SCSIDispatcher
    var initiator = Harness.defaultInitiator

    func unit(_ lun: UInt64) -> LogicalUnit { array.logicalUnit(lun: lun)! }

    @discardableResult
    func run(_ cdb: [UInt8], lun: UInt64 = 0, dataOut: [UInt8] = []) -> SCSIResult {
        dispatcher.execute(SCSIRequest(lun: lun, cdb: cdb, dataOut: dataOut, initiator: initiator))
    }

    @discardableResult
    func xcopy(_ list: [UInt8], lun: UInt64 = 0) -> SCSIResult { run(XCopyBytes.extendedCopyCDB(list.count), lun: lun, dataOut: list) }
}
