import Foundation

/// What crossed the host and which commands were sent, counted across engines and sessions.
/// "Host bytes" are payload that moved through this machine: the point of offload is that
/// these stay near zero.
public final class CopyStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var read: UInt64 = 0
    private var written: UInt64 = 0
    private var counts: [String: Int] = [:]
    private var notes: [String] = []

    public init() {}

    public func addRead(_ bytes: Int) { lock.withLock { read += UInt64(bytes) } }
    public func addWritten(_ bytes: Int) { lock.withLock { written += UInt64(bytes) } }
    /// Counts one command by name ("READ(16)", "EXTENDED COPY", "POPULATE TOKEN", ...).
    public func count(_ command: String) { lock.withLock { counts[command, default: 0] += 1 } }

    /// Records something the user should know (once per distinct text), for the report.
    public func warn(_ text: String) { lock.withLock { if !notes.contains(text) { notes.append(text) } } }

    public var hostBytesRead: UInt64 { lock.withLock { read } }
    public var hostBytesWritten: UInt64 { lock.withLock { written } }
    public var commands: [String: Int] { lock.withLock { counts } }
    public var warnings: [String] { lock.withLock { notes } }
}
