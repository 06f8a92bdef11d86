import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray

/// The simulated array (CTL personality) in the test process, serving memory LUs through the
/// real SCSI dispatcher to `InMemoryDevice` sessions, for the host engine tests. Every name here
/// starts with HostCopy so it cannot collide with other suites' support in this module.
struct HostCopyFixture {
    let array: SimulatedArray
    let dispatcher: SCSIDispatcher
    let profile: ArrayProfile

    /// A command answered here instead of by the array (nil = pass it on).
    typealias Intercept = @Sendable (SCSICommand) throws -> SCSIResponse?

    init() throws {
        array = try SimulatedArray()
        profile = try ArrayProfile.load("ctl")
        dispatcher = SCSIDispatcher(array: array, copyHandler: CopyManager(profile: profile))
    }

    /// A thin memory LU (the array's defaults, the profile's identity); `configure` adjusts options.
    @discardableResult
    func makeLU(_ lun: UInt64, blockSize: Int = 512, blocks: UInt64, configure: (inout LogicalUnitOptions) -> Void = { _ in }) throws -> LogicalUnit {
        var options = LogicalUnitOptions()
        configure(&options)
        return try profile.createLogicalUnit(in: array, lun: lun, blockSize: blockSize, blockCount: blocks, options: options)
    }

    func store(_ lun: UInt64) -> MemoryBlockStore { array.logicalUnit(lun: lun)!.store as! MemoryBlockStore }

    /// One session (its own I_T nexus) to `lun`.
    func device(_ lun: UInt64, session: Int = 0, intercept: Intercept? = nil) -> InMemoryDevice {
        let dispatcher = self.dispatcher
        let initiator = InitiatorContext(nexus: "iqn.2026-01.test:hostcopy,i,0x\(session) -> sim,t,0x1",
                                         initiatorName: "iqn.2026-01.test:hostcopy")
        return InMemoryDevice(address: DeviceAddress(kind: .memory, nexus: "sim/\(session)", lun: lun, display: "sim:\(lun)/\(session)")) { command in
            if let answer = try intercept?(command) { return answer }
            var out: [UInt8] = []
            var expected = 0
            switch command.data {
            case let .toDevice(bytes): out = bytes
            case let .fromDevice(n): expected = n
            case .none: break
            }
            let r = dispatcher.execute(SCSIRequest(lun: lun, cdb: command.cdb, dataOut: out, expectedDataInLength: expected, initiator: initiator))
            return SCSIResponse(status: r.status, data: r.dataIn, senseBytes: r.sense)
        }
    }

    /// The prober's report on `lun`, taken through a session of its own (so the copy sessions'
    /// logs hold only what the engine sent).
    func report(_ lun: UInt64) async throws -> DeviceReport {
        try await Prober().probe(device(lun, session: 999))
    }

    /// Endpoints for sessions on `lun`, sharing one report (adjusted by `adjust`).
    func endpoints(_ lun: UInt64, devices: [any SCSIDevice], adjust: (inout DeviceReport) -> Void = { _ in }) async throws -> [CopyEndpoint] {
        var r = try await report(lun)
        adjust(&r)
        return devices.map { CopyEndpoint(device: $0, report: r) }
    }

    func endpoint(_ lun: UInt64, device: any SCSIDevice, adjust: (inout DeviceReport) -> Void = { _ in }) async throws -> CopyEndpoint {
        try await endpoints(lun, devices: [device], adjust: adjust)[0]
    }

    /// Writes `bytes` straight into the LU's store.
    func put(_ lun: UInt64, lba: UInt64 = 0, _ bytes: [UInt8]) throws { try store(lun).write(lba: lba, data: bytes) }

    func contents(_ lun: UInt64, lba: UInt64 = 0, blocks: UInt64? = nil) throws -> [UInt8] {
        let s = store(lun)
        return try s.read(lba: lba, count: Int(blocks ?? (s.blockCount - lba)))
    }
}

/// Deterministic pseudo-random bytes (SplitMix64), never a whole zero block by accident.
struct HostCopyRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var i = 0
        while i < n {
            var v = next()
            for _ in 0..<8 where i < n {
                out[i] = UInt8(truncatingIfNeeded: v)
                v >>= 8
                i += 1
            }
        }
        if let first = out.indices.first { out[first] |= 1 }
        return out
    }
}

/// FNV-1a over a whole byte image: "the source is unchanged".
func hostCopyChecksum(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

/// Commands in flight across every device that shares it, and the most at once.
final class HostCopyInFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private var most = 0
    func enter() { lock.withLock { now += 1; most = max(most, now) } }
    func leave() { lock.withLock { now -= 1 } }
    var current: Int { lock.withLock { now } }
    var peak: Int { lock.withLock { most } }
}

/// A session that takes time: each command waits `delay(command)` before the inner device
/// answers (a wait that cancellation cannot cut short, as on a wire), and is counted in flight.
struct HostCopyPacedDevice: SCSIDevice {
    let inner: any SCSIDevice
    let inFlight: HostCopyInFlight
    let delay: @Sendable (SCSICommand) -> Duration

    init(_ inner: any SCSIDevice, inFlight: HostCopyInFlight = HostCopyInFlight(),
         delay: @escaping @Sendable (SCSICommand) -> Duration = { _ in .milliseconds(2) }) {
        self.inner = inner
        self.inFlight = inFlight
        self.delay = delay
    }

    var address: DeviceAddress { inner.address }

    func execute(_ command: SCSICommand) async throws -> SCSIResponse {
        inFlight.enter()
        defer { inFlight.leave() }
        let wait = delay(command)
        if wait > .zero {
            let deadline = ContinuousClock.now + wait
            while ContinuousClock.now < deadline {
                do { try await Task.sleep(until: deadline) } catch { await Task.yield() }
            }
        }
        return try await inner.execute(command)
    }
}

/// Progress values as the engine reported them.
final class HostCopyProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [UInt64] = []
    func record(_ v: UInt64) { lock.withLock { values.append(v) } }
    var all: [UInt64] { lock.withLock { values } }
}

extension SCSICommand {
    /// LBA and block count of a READ(16)/WRITE(16)/WRITE SAME(16) CDB.
    var hostCopyRange: (lba: UInt64, blocks: UInt64)? {
        guard cdb.count >= 14, [0x88, 0x8A, 0x93].contains(cdb[0]) else { return nil }
        let lba = cdb[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let n = cdb[10..<14].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (lba, n)
    }
}

extension InMemoryDevice {
    /// How many commands with this operation code it received.
    func count(_ op: OperationCode) -> Int { commands.filter { $0.operationCode == op }.count }
}

extension SenseData {
    static func hostCopy(_ key: SenseKey, _ sense: AdditionalSense) -> SenseData {
        SenseData(format: .fixed, key: key, additionalSense: sense)
    }
}
