import Foundation

/// Counts the chunk buffers the host engine holds: one is taken before a READ is issued (or a
/// destination read, or a buffer of zeros) and given back once that chunk's data is no longer
/// needed. The peak is what bounds the engine's memory: at most `queueDepth` chunks.
public final class HostCopyBufferGauge: @unchecked Sendable {
    private let lock = NSLock()
    private var held = 0
    private var highest = 0

    public init() {}

    func take() {
        lock.withLock {
            held += 1
            highest = Swift.max(highest, held)
        }
    }

    func give() { lock.withLock { held -= 1 } }

    /// Buffers held now.
    public var current: Int { lock.withLock { held } }
    /// The most buffers held at once since this gauge was made.
    public var peak: Int { lock.withLock { highest } }
}
