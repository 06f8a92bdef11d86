import Foundation

/// A device's own threads. SG_IO is a blocking ioctl, so commands run here and async callers
/// wait on a continuation: Swift's cooperative pool never blocks. Threads start on demand, up to
/// `limit`, so several commands can be in flight on one device (the kernel queues them) while
/// a device used one command at a time costs one thread. `shutdown` lets queued work finish,
/// then the last thread to leave runs `onClose` (which closes the file descriptor).
final class SGWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []
    private var threads = 0
    private var idle = 0
    private var closing = false
    private var closed = false
    private let limit: Int
    private let name: String
    private let onClose: @Sendable () -> Void

    init(name: String, limit: Int, onClose: @escaping @Sendable () -> Void) {
        self.name = name
        self.limit = max(1, limit)
        self.onClose = onClose
    }

    /// Queues `job`; false once shutdown has begun.
    func submit(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return false }
        queue.append(job)
        if queue.count > idle && threads < limit {
            threads += 1
            let thread = Thread { [self] in loop() }
            thread.stackSize = 1 << 20
            thread.start()
        } else {
            condition.signal()
        }
        return true
    }

    /// Runs `body` on a worker thread and returns its value to the async caller.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            if !submit({ c.resume(returning: body()) }) { c.resume(returning: nil) }
        }
    }

    /// Stops taking work; queued commands still run. Idempotent.
    func shutdown() {
        condition.lock()
        closing = true
        let closeNow = threads == 0 && !closed
        if closeNow { closed = true }
        condition.broadcast()
        condition.unlock()
        if closeNow { onClose() }
    }

    private func loop() {
        Self.nameThisThread(name)
        condition.lock()
        while true {
            while queue.isEmpty && !closing {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if queue.isEmpty { break }   // closing, nothing left
            let job = queue.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
        threads -= 1
        let closeNow = threads == 0 && !closed
        if closeNow { closed = true }
        condition.unlock()
        if closeNow { onClose() }
    }

    /// Names the calling thread for ps, top and gdb (Foundation's Thread.name does not reach
    /// the kernel on Linux). The kernel keeps 15 bytes.
    static func nameThisThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        _ = close(fd)
    }
}
