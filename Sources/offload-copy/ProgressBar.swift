import CopyEngine
import Foundation

/// A one-line progress bar on stderr: bytes, rate, ETA and the method copying now.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let started = Date()
    private var lastDraw = Date.distantPast

    func update(_ p: CopyJob.Progress) {
        lock.withLock {
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.2 || p.bytesDone == p.bytesTotal else { return }
            lastDraw = now
            // Never past the end, whatever a caller reports: a bar must not trap.
            let done = min(p.bytesDone, p.bytesTotal)
            let fraction = p.bytesTotal == 0 ? 1 : Double(done) / Double(p.bytesTotal)
            let width = 30
            let filled = max(0, min(width, Int(fraction * Double(width))))
            let elapsed = max(0.001, now.timeIntervalSince(started))
            let rate = Double(done) / elapsed
            let eta = rate > 0 ? Double(p.bytesTotal - done) / rate : 0
            let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
                + String(format: "%3.0f%% %@/%@ %@/s ETA %.0fs %@   ", fraction * 100, ReportFormat.bytes(done),
                         ReportFormat.bytes(p.bytesTotal), ReportFormat.bytes(UInt64(rate)), eta, p.method.rawValue)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}

/// Runs a handler on a signal (Ctrl-C stops in-flight offload and reports what was copied).
final class SignalWatcher: @unchecked Sendable {
    private let source: DispatchSourceSignal
    init(_ sig: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(sig, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
    }
    func stop() { source.cancel(); signal(SIGINT, SIG_DFL) }
}
