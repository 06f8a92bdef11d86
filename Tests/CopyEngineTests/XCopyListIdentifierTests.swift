import CopyEngine
import Testing

/// The list identifier pool the XCOPY (LID1) and ODX (LID4) engines draw from.
@Suite struct XCopyListIdentifierTests {
    @Test func identifiersInUseAreNeverHandedOutTwice() {
        let pool = ListIdentifierPool(range: 1...4, start: 3)
        let taken = (0..<4).compactMap { _ in pool.acquire() }
        #expect(taken == [3, 4, 1, 2])
        #expect(pool.acquire() == nil)  // all four in flight
        pool.release(4)
        #expect(pool.acquire() == 4)
        #expect(pool.identifiersInUse == [1, 2, 3, 4])
    }

    @Test func aReleasedIdentifierComesRoundLast() {
        // After 00/16 the engine gives the identifier back and takes another: not the same one.
        let pool = ListIdentifierPool(range: 1...255, start: 7)
        let a = pool.acquire()
        pool.release(a!)
        let b = pool.acquire()
        #expect(a == 7 && b == 8)
    }

    @Test func lid1IdentifiersFitOneByteAndAvoidZero() {
        let pool = ListIdentifierPool.lid1()
        #expect(pool.capacity == 255)
        for _ in 0..<300 {
            guard let id = pool.acquire() else { Issue.record("pool ran dry"); return }
            #expect((1...255).contains(id))
            pool.release(id)
        }
    }
}
