import Foundation
import SCSIWire
import SimArray
import Testing

/// WRITE USING TOKEN: what lands where, the RRTI after it, and every refusal.
@Suite struct TokenWriteTests {
    @Test("A copy lands byte for byte; RRTI for 11h is the 36-byte header; the source is untouched")
    func copyAndRRTI() throws {
        let h = try TokenHarness()
        h.fill(lun: 0, seed: 1)
        h.fill(lun: 1, seed: 2)
        let before = h.checksum(lun: 0)
        let token = h.token([(10, 8), (100, 24)])
        let w = h.writeUsingToken(token, [(500, 32)], list: 0x0202)
        #expect(w.status == .good && w.sense.isEmpty && w.dataIn.isEmpty)
        #expect(h.read(lun: 1, lba: 500, blocks: 32) == h.rod([(10, 8), (100, 24)]))
        #expect(h.read(lun: 1, lba: 499, blocks: 1) == pattern(2, blocks: 2048)[(499 * 512)..<(500 * 512)].map { $0 })
        #expect(h.checksum(lun: 0) == before)
        let r = h.rrti(list: 0x0202, lun: 1)
        var expected: [UInt8] = [0x00, 0x00, 0x00, 0x20, 0x11, 0x01, 0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xF1]
        expected += TestODX.be(32, 8) + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0]
        #expect(r.status == .good && r.dataIn == expected)
    }

    @Test("OFFSET INTO ROD counts source blocks across the token's ranges")
    func offsetIntoROD() throws {
        let h = try TokenHarness()
        h.fill(lun: 0, seed: 3)
        let source: [(UInt64, UInt32)] = [(10, 8), (100, 8), (200, 16)]
        let token = h.token(source)
        #expect(h.writeUsingToken(token, [(0, 3), (50, 10), (300, 14)], offset: 5).status == .good)
        let rod = h.rod(source)
        let written = h.read(lun: 1, lba: 0, blocks: 3) + h.read(lun: 1, lba: 50, blocks: 10) + h.read(lun: 1, lba: 300, blocks: 14)
        #expect(written == Array(rod[(5 * 512)...]))
    }

    @Test("Many ranges on both sides, splits that do not line up, steps smaller than the ranges",
          arguments: [1, 3, 7, 64])
    func splits(stepBlocks: Int) throws {
        let h = try TokenHarness { $0.copyChunkBytes = stepBlocks * 512 }
        h.fill(lun: 0, seed: 4)
        let before = h.checksum(lun: 0)
        let source: [(UInt64, UInt32)] = [(1, 5), (40, 11), (90, 2), (120, 30)]
        let token = h.token(source)
        let dest: [(UInt64, UInt32)] = [(7, 9), (30, 1), (64, 20), (1000, 18)]
        let w = h.writeUsingToken(token, dest, list: 7)
        #expect(w.status == .good)
        #expect(dest.flatMap { h.read(lun: 1, lba: $0.0, blocks: UInt64($0.1)) } == h.rod(source))
        #expect(h.checksum(lun: 0) == before)
        let r = RRTIView(h.rrti(list: 7, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x01 && r.transferCount == 48)
        // Steps: each destination range and each source range cuts a step; each step is a read and a write.
        #expect(r.operationCounter > 0 && r.operationCounter % 2 == 0)
    }

    @Test("A copy within one LU, to a range after its source")
    func sameLU() throws {
        let h = try TokenHarness()
        h.fill(lun: 0, seed: 5)
        let rod = h.rod([(0, 16)])
        let token = h.token([(0, 16)])
        #expect(h.writeUsingToken(token, [(1000, 16)], lun: 0).status == .good)
        #expect(h.read(lun: 0, lba: 1000, blocks: 16) == rod)
        #expect(h.read(lun: 0, lba: 0, blocks: 16) == rod)
    }

    // MARK: - Partial transfer

    @Test("Partial WUT: CHECK CONDITION 0A/0D/04 with INFORMATION = blocks written; RRTI 03h with that sense; a second WUT from there completes the copy")
    func partialThenContinue() throws {
        let h = try TokenHarness()
        h.fill(lun: 0, seed: 6)
        h.fill(lun: 1, seed: 7)
        let source: [(UInt64, UInt32)] = [(10, 8), (100, 24)]
        let token = h.token(source)
        h.faults.add(.wutPartial(blocks: 10))
        let w = h.writeUsingToken(token, [(0, 6), (200, 26)], list: 4)
        // Fixed sense, VALID, COPY ABORTED, INFORMATION 10, ASC/ASCQ 0D/04.
        let sense: [UInt8] = [0xF0, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x0A, 0x0A, 0, 0, 0, 0, 0x0D, 0x04, 0, 0, 0, 0]
        #expect(sense == TokenTestSense.underrun(10))
        #expect(w.status == .checkCondition && w.sense == sense)
        let rod = h.rod(source)
        #expect(h.read(lun: 1, lba: 0, blocks: 6) + h.read(lun: 1, lba: 200, blocks: 4) == Array(rod[0..<(10 * 512)]))
        #expect(h.read(lun: 1, lba: 204, blocks: 1) == Array(pattern(7, blocks: 2048)[(204 * 512)..<(205 * 512)]))
        let r = h.rrti(list: 4, lun: 1)
        var expected: [UInt8] = [0x00, 0x00, 0x00, 0x32, 0x11, 0x03, 0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x12, 0x12, 0xF1]
        expected += TestODX.be(10, 8) + [UInt8](repeating: 0, count: 8) + sense + [0, 0, 0, 0]
        #expect(r.dataIn == expected)
        // Resume where it stopped: OFFSET INTO ROD 10, the rest of the destination.
        h.faults.clear()
        #expect(h.writeUsingToken(token, [(204, 22)], list: 5, offset: 10).status == .good)
        #expect(h.read(lun: 1, lba: 0, blocks: 6) + h.read(lun: 1, lba: 200, blocks: 26) == rod)
        #expect(RRTIView(h.rrti(list: 5, lun: 1).dataIn).transferCount == 22)
    }

    @Test("Partial WUT with descriptor-format sense: 64-bit INFORMATION descriptor")
    func partialDescriptorSense() throws {
        var who = Harness.defaultInitiator
        who.descriptorSense = true
        let h = try TokenHarness(initiator: who)
        let token = h.token([(0, 64)])
        h.faults.add(.wutPartial(blocks: 33))
        let w = h.writeUsingToken(token, [(0, 64)])
        #expect(w.sense == [0x72, 0x0A, 0x0D, 0x04, 0, 0, 0, 0x0C, 0x00, 0x0A, 0x80, 0] + TestODX.be(33, 8))
    }

    @Test("A request within the partial limit completes normally")
    func partialLimitNotReached() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 8)])
        h.faults.add(.wutPartial(blocks: 8))
        #expect(h.writeUsingToken(token, [(0, 8)]).status == .good)
    }

    // MARK: - Token life

    @Test("DEL_TKN: the copy completes, the token is gone: 23/04 (CTL) or 23/09")
    func deleteToken() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 8)])
        #expect(h.writeUsingToken(token, [(0, 8)], deleteToken: true).status == .good)
        expectSense(h.writeUsingToken(token, [(8, 8)]), 0x05, 0x23, 0x04)
        #expect(h.tokens.liveTokens.isEmpty)
        let s = try TokenHarness { $0.deletedTokenSense = .tokenDeleted }
        let t2 = s.token([(0, 8)])
        #expect(s.writeUsingToken(t2, [(0, 8)], deleteToken: true).status == .good)
        expectSense(s.writeUsingToken(t2, [(8, 8)]), 0x05, 0x23, 0x09)
    }

    @Test("Inactivity: valid through the timeout, 23/04 after it; every use restarts it")
    func inactivityExpiry() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 8)], timeout: 0)                   // default: 60 s
        h.clock.advance(by: 60)
        #expect(h.writeUsingToken(token, [(0, 8)]).status == .good)  // used: restarts at 60
        h.clock.advance(by: 59.5)
        #expect(h.writeUsingToken(token, [(0, 8)]).status == .good)
        h.clock.advance(by: 60.001)
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x05, 0x23, 0x04)
        let s = try TokenHarness { $0.expiredTokenSense = .tokenExpired }
        let t2 = s.token([(0, 8)], timeout: 5)
        s.clock.advance(by: 5.5)
        expectSense(s.writeUsingToken(t2, [(0, 8)]), 0x05, 0x23, 0x07)
    }

    @Test("Lifetime: the token dies at its age limit however recently it was used")
    func lifetimeExpiry() throws {
        let h = try TokenHarness { $0.tokenLifetime = 100; $0.expiredTokenSense = .tokenExpired }
        let token = h.token([(0, 8)])
        for _ in 0..<3 {
            h.clock.advance(by: 33)
            #expect(h.writeUsingToken(token, [(0, 8)]).status == .good)
        }
        h.clock.advance(by: 2)
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x05, 0x23, 0x07)
    }

    @Test("The expire-tokens and revoke-tokens faults act on the next token command")
    func invalidationFaults() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 8)])
        h.faults.add(.expireTokens)
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x05, 0x23, 0x04)
        #expect(h.faults.active.isEmpty)
        let t2 = h.token([(0, 8)], list: 8)
        h.faults.add(.revokeTokens)
        expectSense(h.writeUsingToken(t2, [(0, 8)]), 0x05, 0x23, 0x06)
        // Tokens made afterwards are fine.
        let t3 = h.token([(0, 8)], list: 9)
        #expect(h.writeUsingToken(t3, [(0, 8)]).status == .good)
    }

    @Test("Unknown tokens: random bytes, one byte changed, another array's token: 23/04")
    func unknownTokens() throws {
        let h = try TokenHarness()
        let other = try TokenHarness()
        let token = h.token([(0, 8)])
        expectSense(h.writeUsingToken([UInt8](repeating: 0xA5, count: 512), [(0, 8)]), 0x05, 0x23, 0x04)
        var changed = token
        changed[300] ^= 1
        expectSense(h.writeUsingToken(changed, [(0, 8)]), 0x05, 0x23, 0x04)
        expectSense(other.writeUsingToken(token, [(0, 8)]), 0x05, 0x23, 0x04)
        // A refused WUT leaves no status behind.
        expectSense(h.rrti(list: 2, lun: 1), 0x05, 0x24, 0x00, field: .cdb(2))
    }

    @Test("The source LU removed: its tokens are unknown")
    func sourceRemoved() throws {
        let h = try TokenHarness(luns: [0, 1, 2])
        let token = h.token([(0, 8)], lun: 2)
        try h.dispatcher.removeLogicalUnit(lun: 2)
        expectSense(h.run(TestCDB.testUnitReady(), lun: 1), 0x06, 0x3F, 0x0E)   // REPORTED LUNS DATA HAS CHANGED
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x05, 0x23, 0x04)
    }

    @Test("Remote use: CTL's tokens work from any nexus; disabled, an initiator that cannot reach the source gets 23/02")
    func reachability() throws {
        let onlyDestination = InitiatorContext(nexus: "iqn.test:b,i,0x2 -> sim,t,0x1", reachableLUNs: [1])
        let open = try TokenHarness()
        let t1 = open.token([(0, 8)])
        #expect(open.writeUsingToken(t1, [(0, 8)], as: onlyDestination).status == .good)
        let closed = try TokenHarness { $0.allowsRemoteTokenUse = false }
        let t2 = closed.token([(0, 8)])
        expectSense(closed.writeUsingToken(t2, [(0, 8)], as: onlyDestination), 0x05, 0x23, 0x02)
        #expect(closed.writeUsingToken(t2, [(0, 8)]).status == .good)
    }

    // MARK: - Zero ROD token

    @Test("The zero ROD token unmaps the ranges of a thin LU (reads zeros) and writes zeros on a thick one")
    func zeroToken() throws {
        let h = try TokenHarness()
        h.fill(lun: 1, seed: 8)
        let store = h.unit(1).store as! MemoryBlockStore
        let mapped = store.mappedBlockCount
        #expect(h.writeUsingToken(TestODX.zeroToken, [(10, 5), (100, 20)], list: 3).status == .good)
        #expect(h.read(lun: 1, lba: 10, blocks: 5) == [UInt8](repeating: 0, count: 5 * 512))
        #expect(h.read(lun: 1, lba: 100, blocks: 20) == [UInt8](repeating: 0, count: 20 * 512))
        #expect(h.read(lun: 1, lba: 9, blocks: 1) == Array(pattern(8, blocks: 2048)[(9 * 512)..<(10 * 512)]))
        #expect(store.mappedBlockCount == mapped - 25)
        let r = RRTIView(h.rrti(list: 3, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x01 && r.transferCount == 25 && r.operationCounter == 2)

        var thick = LogicalUnitOptions()
        thick.thinProvisioned = false
        let k = try TokenHarness(options: thick)
        k.fill(lun: 1, seed: 9)
        let kstore = k.unit(1).store as! MemoryBlockStore
        #expect(k.writeUsingToken(TestODX.zeroToken, [(10, 5)]).status == .good)
        #expect(k.read(lun: 1, lba: 10, blocks: 5) == [UInt8](repeating: 0, count: 5 * 512))
        #expect(kstore.mappedBlockCount == 2048)
    }

    @Test("Only the zero token's type is checked (CTL); disabled, it is 05/23/01")
    func zeroTokenVariants() throws {
        let h = try TokenHarness()
        var odd = TestODX.zeroToken
        odd[6] = 0; odd[7] = 0; odd[100] = 0x55
        #expect(h.writeUsingToken(odd, [(0, 4)]).status == .good)
        let off = try TokenHarness { $0.supportsZeroRODToken = false }
        expectSense(off.writeUsingToken(TestODX.zeroToken, [(0, 4)]), 0x05, 0x23, 0x01)
    }

    // MARK: - Refusals

    @Test("Parameter list: too short for the header 24/00 at CDB 10; DATA LENGTH 26/00 at 0; list length 26/00 at 534")
    func parameterList() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 8)])
        let list = TestODX.writeUsingTokenList(token: token, [(0, 8)])
        expectSense(h.run(TestODX.writeUsingTokenCDB(list: 2, length: 535), lun: 1, dataOut: list), 0x05, 0x24, 0x00, field: .cdb(10))
        var bad = list
        bad[0] = 0x02; bad[1] = 0x15                  // 533: not even one range
        expectSense(h.run(TestODX.writeUsingTokenCDB(list: 2, length: bad.count), lun: 1, dataOut: bad), 0x05, 0x26, 0x00, field: .parameter(0))
        bad = list
        bad[535] = 0
        expectSense(h.run(TestODX.writeUsingTokenCDB(list: 2, length: bad.count), lun: 1, dataOut: bad), 0x05, 0x26, 0x00, field: .parameter(534))
        let many = TestODX.writeUsingTokenList(token: token, (0..<65).map { (UInt64($0) * 2, 1) })
        expectSense(h.run(TestODX.writeUsingTokenCDB(list: 2, length: many.count), lun: 1, dataOut: many), 0x05, 0x24, 0x00, field: .cdb(10))
        expectSense(h.run(TestODX.writeUsingTokenCDB(list: 2, length: list.count + 1), lun: 1, dataOut: list), 0x05, 0x1A, 0x00)
    }

    @Test("Destination ranges: 21/00 past the end, 26/00 overlapping, size limit at the crossing range")
    func destinationRanges() throws {
        let h = try TokenHarness { $0.maximumTokenTransferSize = 16 }
        let token = h.token([(0, 16)])
        let r = h.writeUsingToken(token, [(2040, 16)])
        expectSense(r, 0x05, 0x21, 0x00)
        #expect(r.senseData?.information == 2048)
        expectSense(h.writeUsingToken(token, [(0, 8), (4, 8)]), 0x05, 0x26, 0x00, noPointer: true)
        expectSense(h.writeUsingToken(token, [(0, 8), (100, 9)]), 0x05, 0x26, 0x00, field: .parameter(536 + 16 + 8))
    }

    @Test("After the token is found: block sizes differ 26/00 (no pointer), offset past the ROD 26/00 at 8, write protect 07/27/00; RRTI records them")
    func refusalsAfterLookup() throws {
        let h = try TokenHarness()
        try h.array.createLogicalUnit(lun: 4, blockSize: 4096, blockCount: 256)
        try h.array.createLogicalUnit(lun: 5, blockSize: 512, blockCount: 256)
        try h.array.updateOptions(lun: 5) { $0.writeProtected = true }
        let token = h.token([(0, 16)])
        expectSense(h.writeUsingToken(token, [(0, 2)], lun: 4, list: 11), 0x05, 0x26, 0x00, noPointer: true)
        let r = RRTIView(h.rrti(list: 11, lun: 4).dataIn)
        #expect(r.copyOperationStatus == 0x02 && r.completionStatus == 0x02 && r.transferCount == 0)
        #expect(r.sense == [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x26, 0x00, 0, 0, 0, 0])
        expectSense(h.writeUsingToken(token, [(0, 1)], offset: 16), 0x05, 0x26, 0x00, field: .parameter(8))
        #expect(h.writeUsingToken(token, [(0, 1)], offset: 15).status == .good)
        // Nothing to write: any offset is fine.
        #expect(h.writeUsingToken(token, [(0, 0)], offset: 99).status == .good)
        expectSense(h.writeUsingToken(token, [(0, 4)], lun: 5), 0x07, 0x27, 0x00)
    }

    @Test("A ROD that runs out mid-copy: what fit is written, then 26/00 (CTL), RRTI 02h with the count")
    func rodExhausted() throws {
        let h = try TokenHarness()
        h.fill(lun: 0, seed: 10)
        let token = h.token([(0, 8)])
        expectSense(h.writeUsingToken(token, [(100, 12)], list: 12), 0x05, 0x26, 0x00, noPointer: true)
        #expect(h.read(lun: 1, lba: 100, blocks: 8) == h.rod([(0, 8)]))
        let r = RRTIView(h.rrti(list: 12, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x02 && r.transferCount == 8)
    }

    @Test("Out of space: WUT and the dispatcher's writes get 07/27/07 or 05/55/xx; UNMAP still works")
    func outOfSpace() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 8)])
        h.faults.add(.outOfSpace(asc: .spaceAllocationFailedWriteProtect))
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x07, 0x27, 0x07)
        expectSense(h.run(TestCDB.write16(lba: 0, blocks: 1), lun: 1, dataOut: pattern(1, blocks: 1)), 0x07, 0x27, 0x07)
        expectSense(h.run(TestCDB.writeSame16(lba: 0, blocks: 4), lun: 1, dataOut: pattern(1, blocks: 1)), 0x07, 0x27, 0x07)
        #expect(h.run(TestCDB.writeSame16(lba: 0, blocks: 4, unmap: true, ndob: true), lun: 1).status == .good)
        let unmapList = TestCDB.unmapList([(0, 4)])
        #expect(h.run(TestCDB.unmap(listLength: UInt16(unmapList.count)), lun: 1, dataOut: unmapList).status == .good)
        h.faults.clear()
        h.faults.add(.outOfSpace(asc: .insufficientResources))
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x05, 0x55, 0x03)
        expectSense(h.run(TestCDB.write16(lba: 0, blocks: 1), lun: 1, dataOut: pattern(1, blocks: 1)), 0x05, 0x55, 0x03)
        h.faults.clear()
        #expect(h.writeUsingToken(token, [(0, 8)]).status == .good)
    }

    @Test("RECEIVE COPY STATUS(LID4) view of a token operation: bytes, as CTL; released once read")
    func lid4Status() throws {
        let h = try TokenHarness()
        let token = h.token([(0, 16)])
        h.faults.add(.wutPartial(blocks: 5))
        _ = h.writeUsingToken(token, [(0, 16)], list: 13)
        let s = h.tokens.copyStatusLID4(listIdentifier: 13, initiator: h.initiator)
        #expect(s?.copyOutServiceAction == .writeUsingToken && s?.copyOperationStatus == .completedPartialRODTokenUsage)
        #expect(s?.transferCountUnits == .bytes && s?.transferCount == 5 * 512 && s?.completionStatus == 0x02)
        #expect(s?.senseData == TokenTestSense.underrun(5))
        #expect(h.tokens.copyStatusLID4(listIdentifier: 13, initiator: h.initiator) == nil)
        expectSense(h.rrti(list: 13, lun: 1), 0x05, 0x24, 0x00, field: .cdb(2))
    }

    @Test("Without a fault injector the dispatcher's writes are unaffected")
    func noInjector() throws {
        let h = try Harness()
        h.write(lba: 0, pattern(1, blocks: 2))
        #expect(h.dispatcher.faults == nil)
    }
}

enum TokenTestSense {
    /// Fixed-format COPY ABORTED, COPY TARGET DEVICE DATA UNDERRUN with INFORMATION = `blocks`.
    static func underrun(_ blocks: UInt32) -> [UInt8] {
        [0xF0, 0x00, 0x0A] + TestODX.be(UInt64(blocks), 4) + [0x0A, 0, 0, 0, 0, 0x0D, 0x04, 0, 0, 0, 0]
    }
}
