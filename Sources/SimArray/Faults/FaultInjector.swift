import Foundation
import SCSIWire

/// The faults in force and their counters, shared by the dispatcher, the copy and token
/// managers and the iSCSI front end. Each component asks only about its own kinds; one-shot
/// faults are consumed by the question that fires them.
public final class FaultInjector: @unchecked Sendable {
    private let lock = NSLock()
    private var faults: [Fault]
    private var segmentsSeen = 0

    public init(_ faults: [Fault] = []) { self.faults = faults }

    public var active: [Fault] { lock.withLock { faults } }

    public func add(_ fault: Fault) { lock.withLock { faults.append(fault) } }

    public func clear() { lock.withLock { faults.removeAll(); segmentsSeen = 0 } }

    /// BUSY or TASK SET FULL for this command, consuming one from the fault's count.
    public func statusOverride() -> SCSIStatus? {
        lock.withLock {
            for (i, f) in faults.enumerated() {
                switch f {
                case let .busy(count):
                    faults[i] = .busy(count: count - 1)
                    if count - 1 == 0 { faults.remove(at: i) }
                    return .busy
                case let .taskSetFull(count):
                    faults[i] = .taskSetFull(count: count - 1)
                    if count - 1 == 0 { faults.remove(at: i) }
                    return .taskSetFull
                default: continue
                }
            }
            return nil
        }
    }

    /// Counts one EXTENDED COPY segment; true when this is the one that must fail (the fault
    /// is then spent).
    public func segmentMustFail() -> Bool {
        lock.withLock {
            segmentsSeen += 1
            guard let i = faults.firstIndex(where: { if case let .xcopyFailSegment(n) = $0 { return n == segmentsSeen } else { return false } }) else {
                return false
            }
            faults.remove(at: i)
            return true
        }
    }

    /// Whether EXTENDED COPY should report GOOD without copying (stays until cleared).
    public var goodWithoutCopy: Bool { lock.withLock { faults.contains(.goodWithoutCopy) } }

    /// The most blocks one WRITE USING TOKEN may transfer, when partial transfers are forced.
    public var writeUsingTokenLimit: UInt64? {
        lock.withLock { faults.lazy.compactMap { if case let .wutPartial(b) = $0 { return b } else { return nil } }.first }
    }

    public enum TokenInvalidation: Equatable, Sendable { case expire, revoke }

    /// A pending expire/revoke order for the token manager, consumed when taken.
    public func takeTokenInvalidation() -> TokenInvalidation? {
        lock.withLock {
            if let i = faults.firstIndex(of: .expireTokens) { faults.remove(at: i); return .expire }
            if let i = faults.firstIndex(of: .revokeTokens) { faults.remove(at: i); return .revoke }
            return nil
        }
    }

    /// The sense to answer writes and copies with while the pool is "full".
    public var outOfSpace: AdditionalSense? {
        lock.withLock { faults.lazy.compactMap { if case let .outOfSpace(asc) = $0 { return asc } else { return nil } }.first }
    }

    /// Whether the front end must drop the connection for a command with this opcode
    /// (consumed when it fires).
    public func takeConnectionDrop(opcode: UInt8) -> Bool {
        lock.withLock {
            guard let i = faults.firstIndex(where: { if case let .dropConnection(op) = $0 { return op == nil || op == opcode } else { return false } }) else {
                return false
            }
            faults.remove(at: i)
            return true
        }
    }

    /// Extra time every completion waits.
    public var completionDelay: Duration? {
        lock.withLock { faults.lazy.compactMap { if case let .delay(ms) = $0 { return .milliseconds(ms) } else { return nil } }.first }
    }
}
