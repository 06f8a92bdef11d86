import Foundation
import SCSIWire

/// Where a WRITE USING TOKEN stands before one of its copy steps (see
/// `TokenManagerConfiguration.beforeCopyStep`).
public struct TokenCopyProgress: Equatable, Sendable {
    public var listIdentifier: UInt32
    public var nexus: String
    /// Destination blocks written so far.
    public var blocksDone: UInt64
    /// Destination blocks this step will write.
    public var blocksInStep: UInt64
    /// Destination blocks the command asked for.
    public var blocksRequested: UInt64
    public var background: Bool
}

/// The status RECEIVE ROD TOKEN INFORMATION reports for one list identifier of one I_T nexus.
struct OperationKey: Hashable, Sendable {
    var nexus: String
    var listIdentifier: UInt32
}

/// One POPULATE TOKEN or WRITE USING TOKEN as RRTI sees it. Updated by the copying thread,
/// read by RRTI and COPY OPERATION ABORT from other sessions.
final class TokenOperation: @unchecked Sendable {
    struct Status: Equatable, Sendable {
        var copyOperationStatus: CopyOperationStatus
        var transferCount: UInt64 = 0
        var operationCounter = 0
        var completionStatus: SCSIStatus = .good
        var sense: [UInt8] = []
        var token: RODToken?
        var completedAt: Double?
        var isCompleted: Bool { completedAt != nil }
    }

    let key: OperationKey
    let serviceAction: CopyOutServiceAction
    let background: Bool
    /// LUs involved, so removing one stops the copy.
    let units: [LogicalUnit]
    /// Bytes per counted block (the source's for PT, the destination's for WUT).
    let blockSize: Int
    private let condition = NSCondition()
    private var status: Status
    private var abortRequested = false

    init(key: OperationKey, serviceAction: CopyOutServiceAction, background: Bool, units: [LogicalUnit], status: Status) {
        self.key = key
        self.serviceAction = serviceAction
        self.background = background
        self.units = units
        self.blockSize = units.first?.blockSize ?? 512
        self.status = status
    }

    var current: Status {
        condition.lock()
        defer { condition.unlock() }
        return status
    }

    var isCompleted: Bool { current.isCompleted }

    func update(_ body: (inout Status) -> Void) {
        condition.lock()
        body(&status)
        condition.unlock()
    }

    /// Marks the operation done and wakes anyone waiting for it.
    func complete(at now: Double, _ body: (inout Status) -> Void) {
        condition.lock()
        body(&status)
        status.completedAt = now
        condition.broadcast()
        condition.unlock()
    }

    func requestAbort() {
        condition.lock()
        abortRequested = true
        condition.unlock()
    }

    var isAbortRequested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return abortRequested
    }

    /// Waits until the operation completed or `timeout` seconds passed (real time); true when done.
    func waitForCompletion(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while status.completedAt == nil {
            if !condition.wait(until: deadline) { return status.completedAt != nil }
        }
        return true
    }
}
