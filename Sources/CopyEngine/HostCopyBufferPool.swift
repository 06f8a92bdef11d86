import Foundation
import SCSITransport

/// The host engine's chunk buffers: taken before a READ (or a read of the destination) and
/// given back once that chunk's data is no longer needed, then reused by the next chunk, so a
/// copy of any size allocates about `queueDepth` buffers once instead of one per megabyte.
/// It also counts them: the peak held at once is what bounds the engine's memory.
public final class HostCopyBufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [SCSIBuffer] = []
    private var held = 0
    private var highest = 0

    public init() {}

    /// A buffer of at least `capacity` bytes, reused when one is free.
    func take(capacity: Int) -> SCSIBuffer {
        let reused: SCSIBuffer? = lock.withLock {
            held += 1
            highest = Swift.max(highest, held)
            guard let i = free.firstIndex(where: { $0.capacity >= capacity }) else { return nil }
            return free.remove(at: i)
        }
        return reused ?? SCSIBuffer(capacity: capacity)
    }

    func give(_ buffer: SCSIBuffer) {
        lock.withLock {
            held -= 1
            free.append(buffer)
        }
    }

    /// Gives up a buffer for good: after a transport failure a command we stopped waiting for
    /// may still be answered (or resent after a reconnect) into it, so it must not hold the
    /// next chunk. It stays alive as long as the session keeps that command.
    func abandon(_ buffer: SCSIBuffer) {
        lock.withLock { held -= 1 }
    }

    /// Runs `body` with a taken buffer, then gives it back, or abandons it when `body` failed
    /// with a transport error (no answer, connection lost).
    func using<T>(_ buffer: SCSIBuffer, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            give(buffer)
            return result
        } catch let e as CopyError where e.kind == .transport {
            abandon(buffer)
            throw e
        } catch {
            give(buffer)
            throw error
        }
    }

    /// Buffers waiting to be reused.
    public var spare: Int { lock.withLock { free.count } }
    /// Buffers held now.
    public var current: Int { lock.withLock { held } }
    /// The most buffers held at once since this pool was made.
    public var peak: Int { lock.withLock { highest } }
}
