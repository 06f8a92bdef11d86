import Foundation
import SCSIWire

/// The EXTENDED COPY lists a copy manager remembers, keyed like CTL's: the I_T nexus that sent
/// the command, the LU that received it and the LIST IDENTIFIER. A running list blocks its
/// identifier (05/00/16); a finished one answers RECEIVE COPY STATUS and FAILURE DETAILS until
/// it is read (when the profile says so) or its retention time passes.
final class CopyListRegistry: @unchecked Sendable {
    struct Key: Hashable {
        var nexus: String
        var unit: ObjectIdentifier
        var listIdentifier: UInt32
    }

    struct State {
        var completed = false
        var failed = false
        var abortRequested = false
        var segmentsProcessed = 0
        var bytesTransferred: UInt64 = 0
        /// SCSI status and sense bytes of a failed copy, as they were returned.
        var failureStatus: SCSIStatus?
        var failureSense: [UInt8] = []
        var completedAt: Date?
    }

    private let lists = Locked([Key: State]())
    private let retention: TimeInterval
    private let now: @Sendable () -> Date

    init(retentionSeconds: UInt32, now: @escaping @Sendable () -> Date) {
        self.retention = TimeInterval(retentionSeconds)
        self.now = now
    }

    /// Starts a list; false when one with the same key is still running.
    func begin(_ key: Key) -> Bool {
        let t = now()
        return lists.withLock { l in
            purge(&l, at: t)
            if let existing = l[key], !existing.completed { return false }
            l[key] = State()
            return true
        }
    }

    func update(_ key: Key, _ body: (inout State) -> Void) {
        lists.withLock { l in
            guard var s = l[key] else { return }
            body(&s)
            l[key] = s
        }
    }

    func finish(_ key: Key, failureStatus: SCSIStatus?, sense: [UInt8]) {
        let t = now()
        update(key) { s in
            s.completed = true
            s.completedAt = t
            s.failed = failureStatus != nil
            s.failureStatus = failureStatus
            s.failureSense = sense
        }
    }

    func state(_ key: Key) -> State? {
        let t = now()
        return lists.withLock { l in
            purge(&l, at: t)
            return l[key]
        }
    }

    func isAbortRequested(_ key: Key) -> Bool { lists.withLock { $0[key]?.abortRequested ?? false } }

    /// Asks a running list to stop; false when there is no such list.
    func requestAbort(_ key: Key) -> Bool {
        lists.withLock { l in
            guard var s = l[key] else { return false }
            if !s.completed { s.abortRequested = true }
            l[key] = s
            return true
        }
    }

    func release(_ key: Key) {
        lists.withLock { l in
            if l[key]?.completed == true { l[key] = nil }
        }
    }

    func removeAll(for unit: ObjectIdentifier) {
        lists.withLock { l in l = l.filter { $0.key.unit != unit || !$0.value.completed } }
    }

    var count: Int { lists.withLock { $0.count } }

    private func purge(_ l: inout [Key: State], at t: Date) {
        l = l.filter { _, s in
            guard s.completed, let done = s.completedAt else { return true }
            return t.timeIntervalSince(done) < retention
        }
    }
}
