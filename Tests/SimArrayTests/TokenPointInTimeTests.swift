import Foundation
import SCSIWire
import SimArray
import Testing

/// Access upon reference against point in time: what a copy shows when the source changes
/// between POPULATE TOKEN and WRITE USING TOKEN.
@Suite struct TokenPointInTimeTests {
    static func pit(_ c: inout TokenManagerConfiguration) { c.rodType = .pointInTimeDefault }

    @Test("AUR (CTL): a source write after PT shows up in the copy")
    func accessUponReference() throws {
        let h = try TokenHarness()
        h.fill(lun: 0, seed: 1)
        let token = h.token([(0, 16)])
        let fresh = pattern(99, blocks: 4)
        h.write(fresh, lun: 0, lba: 4)
        let now = h.rod([(0, 16)])
        #expect(h.writeUsingToken(token, [(0, 16)]).status == .good)
        #expect(h.read(lun: 1, lba: 0, blocks: 16) == now)
        #expect(h.read(lun: 1, lba: 4, blocks: 4) == fresh)
        #expect(h.tokens.pointInTimeBytesSaved == 0)
    }

    @Test("PIT: WRITE, WRITE SAME and UNMAP of the source after PT do not show in the copy")
    func pointInTime() throws {
        let h = try TokenHarness(configure: Self.pit)
        h.fill(lun: 0, seed: 2)
        let before = h.rod([(0, 16), (100, 16)])
        let token = h.token([(0, 16), (100, 16)])
        #expect(token[0..<4] == [0x00, 0x80, 0x00, 0x00])
        h.write(pattern(98, blocks: 4), lun: 0, lba: 4)
        #expect(h.run(TestCDB.writeSame16(lba: 10, blocks: 4), dataOut: pattern(97, blocks: 1)).status == .good)
        let unmapList = TestCDB.unmapList([(100, 3), (114, 10)])
        #expect(h.run(TestCDB.unmap(listLength: UInt16(unmapList.count)), dataOut: unmapList).status == .good)
        // Saved: 4 + 4 + 3 + 2 blocks (the UNMAP's 114..123 reaches into the token only for 114, 115).
        #expect(h.tokens.pointInTimeBytesSaved == 13 * 512)
        #expect(h.rod([(0, 16), (100, 16)]) != before)
        #expect(h.writeUsingToken(token, [(0, 32)]).status == .good)
        #expect(h.read(lun: 1, lba: 0, blocks: 32) == before)
        // Writing the same blocks again saves nothing more.
        h.write(pattern(96, blocks: 4), lun: 0, lba: 4)
        #expect(h.tokens.pointInTimeBytesSaved == 13 * 512)
        #expect(h.writeUsingToken(token, [(0, 32)], deleteToken: true).status == .good)
        #expect(h.read(lun: 1, lba: 0, blocks: 32) == before)
        // Deleting the token frees what it kept.
        #expect(h.tokens.pointInTimeBytesSaved == 0)
    }

    @Test("PIT: writes outside the token's ranges keep nothing")
    func outsideRanges() throws {
        let h = try TokenHarness(configure: Self.pit)
        _ = h.token([(100, 16)])
        h.write(pattern(1, blocks: 8), lun: 0, lba: 0)
        h.write(pattern(1, blocks: 8), lun: 0, lba: 116)
        h.write(pattern(1, blocks: 8), lun: 1, lba: 100)
        #expect(h.tokens.pointInTimeBytesSaved == 0)
    }

    @Test("PIT: copying onto its own source range reads the blocks as they were, even after the copy overwrote them")
    func overlappingOwnSource() throws {
        let h = try TokenHarness { $0.rodType = .pointInTimeDefault; $0.copyChunkBytes = 4 * 512 }
        h.fill(lun: 0, seed: 3)
        let before = h.rod([(0, 16)])
        let token = h.token([(0, 16)])
        #expect(h.writeUsingToken(token, [(8, 16)], lun: 0).status == .good)
        #expect(h.read(lun: 0, lba: 8, blocks: 16) == before)
        // The same with an AUR token smears the first blocks forward: proof the test bites.
        let a = try TokenHarness { $0.copyChunkBytes = 4 * 512 }
        a.fill(lun: 0, seed: 3)
        let t = a.token([(0, 16)])
        #expect(a.writeUsingToken(t, [(8, 16)], lun: 0).status == .good)
        #expect(a.read(lun: 0, lba: 8, blocks: 16) != before)
    }

    @Test("PIT: a write needing more than the save limit revokes the token (23/06) and frees its data")
    func saveLimit() throws {
        let h = try TokenHarness { $0.rodType = .pointInTimeDefault; $0.pointInTimeSaveLimit = 6 * 512 }
        h.fill(lun: 0, seed: 4)
        let token = h.token([(0, 16)])
        let other = h.token([(100, 4)], list: 2)
        h.write(pattern(5, blocks: 4), lun: 0, lba: 0)
        h.write(pattern(5, blocks: 2), lun: 0, lba: 100)
        #expect(h.tokens.pointInTimeBytesSaved == 6 * 512)
        h.write(pattern(6, blocks: 1), lun: 0, lba: 8)        // one block too many for `token`
        #expect(h.tokens.pointInTimeBytesSaved == 2 * 512)
        expectSense(h.writeUsingToken(token, [(0, 16)]), 0x05, 0x23, 0x06)
        // The other token is unharmed.
        #expect(h.writeUsingToken(other, [(0, 4)], list: 3).status == .good)
        #expect(h.tokens.liveTokens.count == 1)
    }

    @Test("PIT: a write far too large for the limit revokes at once")
    func hugeWrite() throws {
        let h = try TokenHarness(blockCount: 1 << 16) { $0.rodType = .pointInTimeDefault; $0.pointInTimeSaveLimit = 1 << 20 }
        let token = h.token([(0, 60_000)])
        #expect(h.run(TestCDB.writeSame16(lba: 0, blocks: 60_000), dataOut: pattern(1, blocks: 1)).status == .good)
        #expect(h.tokens.pointInTimeBytesSaved == 0)
        expectSense(h.writeUsingToken(token, [(0, 8)]), 0x05, 0x23, 0x06)
    }

    @Test("PIT: expired tokens stop keeping data")
    func expiredStopsSaving() throws {
        let h = try TokenHarness { $0.rodType = .pointInTimeDefault; $0.expiredTokenSense = .tokenExpired }
        let token = h.token([(0, 16)], timeout: 10)
        h.write(pattern(1, blocks: 2), lun: 0, lba: 0)
        #expect(h.tokens.pointInTimeBytesSaved == 2 * 512)
        h.clock.advance(by: 11)
        expectSense(h.writeUsingToken(token, [(0, 16)]), 0x05, 0x23, 0x07)
        #expect(h.tokens.pointInTimeBytesSaved == 0)
        h.write(pattern(1, blocks: 2), lun: 0, lba: 2)
        #expect(h.tokens.pointInTimeBytesSaved == 0)
    }

    @Test("Revocation while a copy runs: the next step fails with 23/06, RRTI 02h with the blocks done")
    func revokedMidCopy() throws {
        let steps = TokenTestBox(0)
        let box = TokenTestBox<TokenManager?>(nil)
        let h = try TokenHarness {
            $0.copyChunkBytes = 4 * 512
            $0.beforeCopyStep = { _ in
                let n = steps.withLock { $0 += 1; return $0 }
                if n == 3 { box.current?.invalidateAllTokens(.revoke) }
            }
        }
        box.withLock { $0 = h.tokens }
        h.fill(lun: 0, seed: 7)
        let token = h.token([(0, 16)])
        expectSense(h.writeUsingToken(token, [(0, 16)], list: 6), 0x05, 0x23, 0x06)
        let r = RRTIView(h.rrti(list: 6, lun: 1).dataIn)
        #expect(r.copyOperationStatus == 0x02 && r.transferCount == 8)
        #expect(h.read(lun: 1, lba: 0, blocks: 8) == h.rod([(0, 8)]))
    }
}

/// A value behind a lock, for test closures.
final class TokenTestBox<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var current: Value { withLock { $0 } }
}
