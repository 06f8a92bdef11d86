import Foundation
import SCSIWire
import SimArray
import Testing

/// Holds a copy before its Nth step (counted across the harness) until the test lets it go.
/// Waits are bounded so a broken build fails instead of hanging.
final class StepGate: @unchecked Sendable {
    let reached = DispatchSemaphore(value: 0)
    let proceed = DispatchSemaphore(value: 0)
    let atStep: Int
    private let steps = TokenTestBox(0)

    init(atStep: Int) { self.atStep = atStep }

    var hook: @Sendable (TokenCopyProgress) -> Void {
        { [self] _ in
            let n = steps.withLock { $0 += 1; return $0 }
            if n == atStep {
                reached.signal()
                _ = proceed.wait(timeout: .now() + 30)
            }
        }
    }

    func waitUntilReached() -> Bool { reached.wait(timeout: .now() + 30) == .success }
}

/// IMMED, RRTI polling, COPY OPERATION ABORT, and what runs concurrently with a copy.
@Suite struct TokenImmediateTests {
    static func gated(_ gate: StepGate, stepBlocks: Int = 4) -> (inout TokenManagerConfiguration) -> Void {
        { $0.copyChunkBytes = stepBlocks * 512; $0.beforeCopyStep = gate.hook }
    }

    @Test("IMMED: GOOD at once; RRTI shows 12h with the progress and the update delay, then 01h")
    func pollUntilDone() throws {
        let gate = StepGate(atStep: 3)
        let h = try TokenHarness(configure: Self.gated(gate))
        h.fill(lun: 0, seed: 1)
        let token = h.token([(0, 16)])
        let w = h.writeUsingToken(token, [(0, 16)], list: 21, immediate: true)
        #expect(w.status == .good && w.sense.isEmpty)
        #expect(gate.waitUntilReached())
        #expect(h.tokens.isOperationInProgress(listIdentifier: 21, initiator: h.initiator))
        let during = h.rrti(list: 21, lun: 1)
        var expected: [UInt8] = [0x00, 0x00, 0x00, 0x20, 0x11, 0x12, 0x00, 0x04, 0x00, 0x00, 0x00, 0xFA, 0x00, 0x00, 0x00, 0xF1]
        expected += TestODX.be(8, 8) + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0]
        #expect(during.dataIn == expected)
        gate.proceed.signal()
        #expect(h.tokens.waitForCompletion(listIdentifier: 21, initiator: h.initiator))
        let after = RRTIView(h.rrti(list: 21, lun: 1).dataIn)
        #expect(after.copyOperationStatus == 0x01 && after.transferCount == 16 && after.operationCounter == 8)
        #expect(after.estimatedStatusUpdateDelay == 0xFFFF_FFFF)
        #expect(h.read(lun: 1, lba: 0, blocks: 16) == h.rod([(0, 16)]))
        #expect(h.tokens.waitForBackgroundCopies())
    }

    @Test("COPY OPERATION ABORT stops a background copy between steps: RRTI 60h, completion status 40h, count so far")
    func abortBackground() throws {
        let gate = StepGate(atStep: 3)
        let h = try TokenHarness(configure: Self.gated(gate))
        h.fill(lun: 0, seed: 2)
        h.fill(lun: 1, seed: 3)
        let token = h.token([(0, 16)])
        #expect(h.writeUsingToken(token, [(0, 16)], list: 22, immediate: true).status == .good)
        #expect(gate.waitUntilReached())
        #expect(h.run(TestODX.abortCDB(list: 22), lun: 1).status == .good)
        gate.proceed.signal()
        #expect(h.tokens.waitForCompletion(listIdentifier: 22, initiator: h.initiator))
        let r = h.rrti(list: 22, lun: 1)
        var expected: [UInt8] = [0x00, 0x00, 0x00, 0x20, 0x11, 0x60, 0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x40, 0x00, 0x00, 0xF1]
        expected += TestODX.be(8, 8) + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0]
        #expect(r.dataIn == expected)
        #expect(h.read(lun: 1, lba: 0, blocks: 8) == h.rod([(0, 8)]))
        #expect(h.read(lun: 1, lba: 8, blocks: 8) == Array(pattern(3, blocks: 2048)[(8 * 512)..<(16 * 512)]))
        // Unknown list identifiers are not the token manager's.
        #expect(!h.tokens.abort(listIdentifier: 999, initiator: h.initiator))
        expectSense(h.run(TestODX.abortCDB(list: 999), lun: 1), 0x05, 0x24, 0x00, field: .cdb(2))
        // The token is still good after an aborted copy.
        #expect(h.writeUsingToken(token, [(0, 16)], list: 23).status == .good)
    }

    @Test("A synchronous WUT aborted from another thread answers TASK ABORTED; meanwhile RRTI shows 11h")
    func abortForeground() throws {
        let gate = StepGate(atStep: 2)
        let h = try TokenHarness(configure: Self.gated(gate))
        let token = h.token([(0, 16)])
        let result = TokenTestBox<SCSIResult?>(nil)
        let done = DispatchGroup()
        done.enter()
        DispatchQueue.global().async {
            result.withLock { $0 = h.writeUsingToken(token, [(0, 16)], list: 24) }
            done.leave()
        }
        #expect(gate.waitUntilReached())
        let during = RRTIView(h.rrti(list: 24, lun: 1).dataIn)
        #expect(during.copyOperationStatus == 0x11 && during.transferCount == 4)
        #expect(h.tokens.abort(listIdentifier: 24, initiator: h.initiator))
        gate.proceed.signal()
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(result.current == SCSIResult(status: .taskAborted))
        let r = RRTIView(h.rrti(list: 24, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x60 && r.completionStatus == 0x40 && r.transferCount == 4 && r.senseLength == 0)
    }

    @Test("A list identifier in progress refuses PT and WUT from the same nexus: 26/00 at 0 (CTL) or 05/00/16")
    func duplicateListIdentifier() throws {
        for spc in [false, true] {
            let gate = StepGate(atStep: 2)
            let h = try TokenHarness {
                Self.gated(gate)(&$0)
                if spc { $0.duplicateListIdentifier = .operationInProgress }
            }
            let token = h.token([(0, 16)])
            #expect(h.writeUsingToken(token, [(0, 16)], list: 30, immediate: true).status == .good)
            #expect(gate.waitUntilReached())
            for r in [h.populate([(0, 8)], list: 30), h.writeUsingToken(token, [(100, 4)], list: 30)] {
                if spc {
                    expectSense(r, 0x05, 0x00, 0x16)
                } else {
                    expectSense(r, 0x05, 0x26, 0x00, field: .parameter(0))
                }
            }
            // Another nexus has its own list identifiers.
            #expect(h.populate([(0, 8)], list: 30, as: InitiatorContext(nexus: "other")).status == .good)
            gate.proceed.signal()
            #expect(h.tokens.waitForCompletion(listIdentifier: 30, initiator: h.initiator))
            #expect(!h.tokens.isOperationInProgress(listIdentifier: 30, initiator: h.initiator))
            #expect(h.populate([(0, 8)], list: 30).status == .good)
        }
    }

    @Test("IMMED with a partial transfer: GOOD at once, RRTI later reports 03h with the underrun sense")
    func immediatePartial() throws {
        let h = try TokenHarness { $0.copyChunkBytes = 4 * 512 }
        let token = h.token([(0, 16)])
        h.faults.add(.wutPartial(blocks: 6))
        #expect(h.writeUsingToken(token, [(0, 16)], list: 25, immediate: true).status == .good)
        #expect(h.tokens.waitForCompletion(listIdentifier: 25, initiator: h.initiator))
        let r = RRTIView(h.rrti(list: 25, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x03 && r.completionStatus == 0x02 && r.transferCount == 6)
        #expect(r.sense == [0xF0, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x06, 0x0A, 0, 0, 0, 0, 0x0D, 0x04, 0, 0, 0, 0])
    }

    @Test("IMMED disabled (CTL-like): the WUT answers when the copy is done")
    func immediateIgnored() throws {
        let h = try TokenHarness { $0.supportsImmediate = false }
        let token = h.token([(0, 16)])
        #expect(h.writeUsingToken(token, [(0, 16)], list: 26, immediate: true).status == .good)
        let r = RRTIView(h.rrti(list: 26, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x01 && r.transferCount == 16)
    }

    @Test("A token in use does not expire; its inactivity timer restarts when the copy ends")
    func inUseDoesNotExpire() throws {
        let gate = StepGate(atStep: 2)
        let h = try TokenHarness(configure: Self.gated(gate))
        let token = h.token([(0, 16)], timeout: 10)
        #expect(h.writeUsingToken(token, [(0, 16)], list: 27, immediate: true).status == .good)
        #expect(gate.waitUntilReached())
        h.clock.advance(by: 30)
        #expect(h.tokens.liveTokens.count == 1)
        gate.proceed.signal()
        #expect(h.tokens.waitForCompletion(listIdentifier: 27, initiator: h.initiator))
        #expect(RRTIView(h.rrti(list: 27, lun: 1).dataIn).copyOperationStatus == 0x01)
        h.clock.advance(by: 9)
        #expect(h.writeUsingToken(token, [(0, 16)], list: 28).status == .good)
        h.clock.advance(by: 10.5)
        expectSense(h.writeUsingToken(token, [(0, 16)], list: 29), 0x05, 0x23, 0x04)
    }

    @Test("Removing the destination LU stops a background copy: terminated")
    func destinationRemoved() throws {
        let gate = StepGate(atStep: 2)
        let h = try TokenHarness(luns: [0, 1, 2], configure: Self.gated(gate))
        let token = h.token([(0, 16)])
        #expect(h.writeUsingToken(token, [(0, 16)], lun: 2, list: 31, immediate: true).status == .good)
        #expect(gate.waitUntilReached())
        try h.dispatcher.removeLogicalUnit(lun: 2)
        gate.proceed.signal()
        #expect(h.tokens.waitForCompletion(listIdentifier: 31, initiator: h.initiator))
        expectSense(h.run(TestCDB.testUnitReady(), lun: 1), 0x06, 0x3F, 0x0E)
        let r = RRTIView(h.rrti(list: 31, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x60 && r.transferCount == 4)
    }

    @Test("Concurrent copies from one token, from two nexuses, land independently")
    func concurrentUse() throws {
        let h = try TokenHarness { $0.copyChunkBytes = 2 * 512 }
        h.fill(lun: 0, seed: 5)
        let token = h.token([(0, 64)])
        let other = InitiatorContext(nexus: "iqn.test:b,i,0x2 -> sim,t,0x1")
        #expect(h.writeUsingToken(token, [(0, 64)], list: 40, immediate: true).status == .good)
        #expect(h.writeUsingToken(token, [(500, 64)], list: 40, immediate: true, as: other).status == .good)
        #expect(h.tokens.waitForBackgroundCopies())
        #expect(h.read(lun: 1, lba: 0, blocks: 64) == h.rod([(0, 64)]))
        #expect(h.read(lun: 1, lba: 500, blocks: 64) == h.rod([(0, 64)]))
        #expect(RRTIView(h.rrti(list: 40, lun: 1, as: other).dataIn).transferCount == 64)
    }
}
