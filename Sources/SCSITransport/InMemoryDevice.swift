#if canImport(Glibc)
import Glibc
#endif
import SCSIWire

/// A deterministic stand-in for a LUN: every command goes to a responder closure, so a test can
/// play any personality (LIO, tgt, a quirky array) without a network. Records what it was sent,
/// so tests can also check what the caller asked and with which allocation lengths.
public final class InMemoryDevice: SCSIDevice, @unchecked Sendable {
    public typealias Responder = @Sendable (SCSICommand) throws -> SCSIResponse

    public let address: DeviceAddress
    private let responder: Responder
    private let lock = SimpleLock()
    private var log: [SCSICommand] = []

    public init(address: DeviceAddress = DeviceAddress(kind: .memory, nexus: "memory", lun: 0, display: "memory:0"),
                responder: @escaping Responder) {
        self.address = address
        self.responder = responder
    }

    public func execute(_ command: SCSICommand) async throws -> SCSIResponse {
        lock.withLock { log.append(command) }
        let response = try responder(command)
        // Data-in never exceeds the allocation length, as on a real transport.
        if case let .fromDevice(n) = command.data, response.data.count > n {
            var r = response
            r.data = Array(r.data.prefix(n))
            return r
        }
        return response
    }

    /// Commands received so far, oldest first.
    public var commands: [SCSICommand] { lock.withLock { log } }
}

/// The answer a target gives to a command it does not implement.
public extension SCSIResponse {
    static let invalidOperationCode = SCSIResponse.checkCondition(SenseData(format: .fixed, key: .illegalRequest, additionalSense: .invalidCommandOperationCode))
    static let invalidFieldInCDB = SCSIResponse.checkCondition(SenseData(format: .fixed, key: .illegalRequest, additionalSense: .invalidFieldInCDB))
}

/// A mutex usable from async code: nothing suspends while it is held.
final class SimpleLock: @unchecked Sendable {
    private let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(m, nil) }
    deinit { pthread_mutex_destroy(m); m.deallocate() }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return try body()
    }
}
