import Foundation

/// LIST IDENTIFIERs for third-party copy commands in flight, unique among those this pool
/// handed out and not yet got back. A copy manager keys its lists by I_T nexus (and LU) and
/// list identifier, and refuses a second running operation under one identifier (00/16
/// OPERATION IN PROGRESS, or CTL's 26/00), so every command in flight needs its own.
///
/// Identifiers are handed out round robin from a random starting point: one just given back
/// (its list possibly still remembered by the copy manager for RECEIVE COPY STATUS) is the
/// last to come round again, and two processes sharing a nexus rarely start on the same one.
/// When the copy manager says an identifier is in use anyway (another initiator process on
/// the same nexus), give it back and take the next.
///
/// Share one pool between engines that talk to the same copy manager over the same session.
/// Thread-safe.
public final class ListIdentifierPool: @unchecked Sendable {
    public let range: ClosedRange<UInt32>
    private let lock = NSLock()
    private var next: UInt32
    private var inUse = Set<UInt32>()

    /// - Parameters:
    ///   - range: the identifiers this pool may hand out.
    ///   - start: the first one to try; nil picks one at random.
    public init(range: ClosedRange<UInt32>, start: UInt32? = nil) {
        self.range = range
        let first = start.map { min(max($0, range.lowerBound), range.upperBound) }
        self.next = first ?? UInt32.random(in: range)
    }

    /// EXTENDED COPY(LID1): the 1-byte LIST IDENTIFIER, 0 left out (it is what LIST ID USAGE
    /// 11b must carry).
    public static func lid1() -> ListIdentifierPool { ListIdentifierPool(range: 1...0xFF) }

    /// POPULATE TOKEN / WRITE USING TOKEN (4-byte LIST IDENTIFIER). Stays clear of 0 and of
    /// ddpt's defaults (257, 258) by starting high.
    public static func lid4() -> ListIdentifierPool { ListIdentifierPool(range: 0x1000...0xFFFF_FFF0) }

    /// How many identifiers the pool can hand out at once.
    public var capacity: Int { Int(range.upperBound - range.lowerBound) + 1 }

    /// An identifier not in use, or nil when every one is.
    public func acquire() -> UInt32? {
        lock.withLock {
            guard inUse.count < capacity else { return nil }
            var id = next
            while inUse.contains(id) { id = successor(id) }
            inUse.insert(id)
            next = successor(id)
            return id
        }
    }

    /// Gives an identifier back once its command (and any RECEIVE COPY results for it) is done.
    public func release(_ id: UInt32) {
        _ = lock.withLock { inUse.remove(id) }
    }

    /// Identifiers handed out and not given back, ascending.
    public var identifiersInUse: [UInt32] { lock.withLock { inUse.sorted() } }

    private func successor(_ id: UInt32) -> UInt32 {
        id >= range.upperBound ? range.lowerBound : id + 1
    }
}
