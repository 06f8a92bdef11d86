import Foundation

/// A value behind a lock: the one way mutable state is shared between the sessions, the
/// dispatcher and the management side. `NSLock` rather than `Mutex` because the package still
/// builds for macOS 13.
final class Locked<Value>: @unchecked Sendable {
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
