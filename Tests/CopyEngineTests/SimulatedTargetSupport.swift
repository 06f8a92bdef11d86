import CopyEngine
import Foundation
@testable import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// The repository's Hardware/ directory (profiles and array knowledge), found from this file.
enum SimFixtures {
    static let hardware = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Hardware")

    static func profile(_ name: String) throws -> ArrayProfile {
        try ArrayProfile.load(named: name, in: hardware.appendingPathComponent("profiles"))
    }

    static let knowledge: HardwareKnowledge = {
        (try? HardwareKnowledge.load(directory: hardware.appendingPathComponent("arrays")))
            ?? HardwareKnowledge(families: [], origin: "not found")
    }()
}

/// A simulated array (module SimArray) in this process, as an in-process target for engine
/// tests: every LU is an `InMemoryDevice` whose responder hands the command to the array's
/// `SCSIDispatcher` as a `SCSIRequest` from one `InitiatorContext` (so all LUs share one I_T
/// nexus, as in one iSCSI session), and turns the `SCSIResult` back into a `SCSIResponse`.
/// The devices' command logs show what the engines sent.
///
/// The dispatcher runs synchronously on the caller's thread, as `InMemoryDevice` does.
final class SimulatedTarget: @unchecked Sendable {
    let profile: ArrayProfile
    let array: SimulatedArray
    let faults: FaultInjector
    let tokens: TokenManager?
    let manager: CopyManager
    let dispatcher: SCSIDispatcher
    let initiator: InitiatorContext
    let nexus: String

    private let lock = NSLock()
    private var devices: [UInt64: InMemoryDevice] = [:]
    private var hook: (@Sendable (UInt64, SCSICommand) -> Void)?

    /// - Parameters:
    ///   - profile: a shipped profile name (Hardware/profiles).
    ///   - luns: LUN -> block count.
    ///   - stores: LUs with a store of their own (e.g. a `GatedStore`), by LUN.
    ///   - thick: LUNs that are fully provisioned (no LBPME).
    ///   - editProfile / editTokens: changes to the profile and to the token manager's setup.
    ///   - chunkBytes: the copy manager's internal I/O size (abort is checked between chunks).
    init(profile name: String, luns: [UInt64: UInt64] = [0: 8192, 1: 8192], blockSize: Int = 512,
         stores: [UInt64: any BlockStore] = [:], thick: Set<UInt64> = [], chunkBytes: Int = 64 << 10,
         faults: [Fault] = [], descriptorSense: Bool = false,
         editProfile: (inout ArrayProfile) -> Void = { _ in },
         editTokens: (inout TokenManagerConfiguration) -> Void = { _ in }) throws {
        var p = try SimFixtures.profile(name)
        editProfile(&p)
        profile = p
        array = try SimulatedArray()
        for (lun, count) in luns.sorted(by: { $0.key < $1.key }) {
            var options = LogicalUnitOptions()
            options.thinProvisioned = !thick.contains(lun)
            if let store = stores[lun] {
                p.apply(to: &options)
                try array.add(LogicalUnit(identity: p.makeIdentity(companyID: array.companyID), store: store, options: options), lun: lun)
            } else {
                try p.createLogicalUnit(in: array, lun: lun, blockSize: blockSize, blockCount: count, options: options)
            }
        }
        self.faults = FaultInjector(faults)
        if let odx = p.odx {
            var config = TokenManagerConfiguration(profile: odx)
            editTokens(&config)
            tokens = TokenManager(configuration: config, faults: self.faults)
        } else {
            tokens = nil
        }
        manager = CopyManager(profile: p, faults: self.faults, tokenService: tokens, chunkBytes: chunkBytes)
        dispatcher = SCSIDispatcher(array: array, copyHandler: manager)
        dispatcher.faults = self.faults
        nexus = "iqn.2024-01.test:engines,i,0x1 -> sim-\(name)-\(UUID().uuidString.prefix(8)),t,0x1"
        initiator = InitiatorContext(nexus: nexus, initiatorName: "iqn.2024-01.test:engines", descriptorSense: descriptorSense)
    }

    /// Called with every command before the array sees it (to inject a fault at a chosen moment).
    func beforeCommand(_ body: (@Sendable (UInt64, SCSICommand) -> Void)?) { lock.withLock { hook = body } }

    /// The device for a LUN (the same object every time, so its log accumulates).
    func device(_ lun: UInt64) -> InMemoryDevice {
        lock.withLock {
            if let d = devices[lun] { return d }
            let address = DeviceAddress(kind: .memory, nexus: nexus, lun: lun, display: "sim:\(profile.name)/\(lun)")
            let d = InMemoryDevice(address: address) { [weak self] command in
                guard let self else { throw TransportError.deviceGone("sim") }
                return self.respond(lun: lun, command)
            }
            devices[lun] = d
            return d
        }
    }

    /// SCSICommand -> SCSIRequest -> dispatcher -> SCSIResult -> SCSIResponse.
    private func respond(lun: UInt64, _ command: SCSICommand) -> SCSIResponse {
        lock.withLock { hook }?(lun, command)
        if let status = faults.statusOverride() { return SCSIResponse(status: status) }
        var dataOut: [UInt8] = []
        var expected = 0
        switch command.data {
        case let .toDevice(bytes): dataOut = bytes
        case let .fromDevice(n): expected = n
        case .none: break
        }
        let result = dispatcher.execute(SCSIRequest(lun: lun, cdb: command.cdb, dataOut: dataOut,
                                                    expectedDataInLength: expected, initiator: initiator))
        return SCSIResponse(status: result.status, data: Array(result.dataIn(clippedTo: expected).bytes), senseBytes: result.sense)
    }

    /// Probes a LU through its device, as the job does.
    func endpoint(_ lun: UInt64) async throws -> CopyEndpoint {
        let d = device(lun)
        return CopyEndpoint(device: d, report: try await Prober(knowledge: SimFixtures.knowledge).probe(d))
    }

    func unit(_ lun: UInt64) -> LogicalUnit { array.logicalUnit(lun: lun)! }

    func write(_ lun: UInt64, lba: UInt64 = 0, _ data: [UInt8]) throws { try unit(lun).store.write(lba: lba, data: data) }

    func read(_ lun: UInt64, lba: UInt64 = 0, blocks: Int) throws -> [UInt8] { try unit(lun).store.read(lba: lba, count: blocks) }

    /// Fills `blocks` blocks from `lba` with reproducible bytes; returns them.
    @discardableResult
    func fill(_ lun: UInt64, lba: UInt64 = 0, blocks: Int, seed: UInt64 = 1) throws -> [UInt8] {
        let data = TestData.bytes(blocks * unit(lun).blockSize, seed: seed &+ lba)
        try write(lun, lba: lba, data)
        return data
    }

    /// A digest of every block of a LU, for before/after comparisons.
    func checksum(_ lun: UInt64) throws -> UInt64 {
        let u = unit(lun)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let step = 1024
        var lba: UInt64 = 0
        while lba < u.blockCount {
            let n = Int(min(UInt64(step), u.blockCount - lba))
            for b in try u.store.read(lba: lba, count: n) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            lba += UInt64(n)
        }
        return h
    }

    /// Commands a LU's device received with this operation code and service action.
    func sent(_ lun: UInt64, _ opcode: UInt8, _ serviceAction: UInt8? = nil) -> [SCSICommand] {
        device(lun).commands.filter { $0.cdb.first == opcode && (serviceAction == nil || ($0.cdb.count > 1 && $0.cdb[1] & 0x1F == serviceAction!)) }
    }
}

/// Plans, the way the job gets them from the planner.
enum SimPlans {
    static func xcopy(_ s: CopyEndpoint, _ d: CopyEndpoint) -> CopyPlan { PairPlanner.xcopyPlan(s.report, d.report) }
    static func odx(_ s: CopyEndpoint) -> CopyPlan { PairPlanner.odxPlan(s.report) }

    static func plan(blockSize: Int = 512, blocksPerSegment: Int, segmentsPerCommand: Int, concurrency: Int,
                     granularityBlocks: Int = 1) -> CopyPlan {
        CopyPlan(blockSize: blockSize, blocksPerSegment: blocksPerSegment, segmentsPerCommand: segmentsPerCommand,
                 concurrency: concurrency, granularityBlocks: granularityBlocks)
    }
}

/// Reproducible pseudo-random bytes (splitmix64).
enum TestData {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { out.append(contentsOf: $0.prefix(count - out.count)) }
        }
        return out
    }
}

/// A memory store whose reads can be held at a chosen point, to catch a copy in flight. The
/// held read blocks the thread the array runs on until `open()`.
final class GatedStore: BlockStore, @unchecked Sendable {
    let inner: MemoryBlockStore
    private let lock = NSLock()
    private var reads = 0
    private var holdAfter: Int?
    private var _held = false
    private let gate = DispatchSemaphore(value: 0)

    init(blockSize: Int = 512, blockCount: UInt64) { inner = MemoryBlockStore(blockSize: blockSize, blockCount: blockCount) }

    var blockSize: Int { inner.blockSize }
    var blockCount: UInt64 { inner.blockCount }

    /// The read after `n` more reads waits for `open()`.
    func hold(afterReads n: Int) { lock.withLock { holdAfter = reads + n } }

    /// Whether a read is waiting at the gate now (or has waited).
    var held: Bool { lock.withLock { _held } }

    func open() { gate.signal() }

    func read(lba: UInt64, count: Int) throws -> [UInt8] {
        let wait: Bool = lock.withLock {
            reads += 1
            if let h = holdAfter, reads > h {
                holdAfter = nil
                _held = true
                return true
            }
            return false
        }
        if wait { gate.wait() }
        return try inner.read(lba: lba, count: count)
    }

    func write(lba: UInt64, data: [UInt8]) throws { try inner.write(lba: lba, data: data) }
    func unmap(lba: UInt64, count: UInt64) throws { try inner.unmap(lba: lba, count: count) }
    func isMapped(lba: UInt64) throws -> Bool { try inner.isMapped(lba: lba) }
    func flush() throws {}
    func provisioningExtent(from lba: UInt64, limit: UInt64) throws -> ProvisioningExtent {
        try inner.provisioningExtent(from: lba, limit: limit)
    }
}

/// Runs every job on a thread of its own. The simulated array runs synchronously inside
/// `InMemoryDevice.execute`, so a test that holds a copy at a `GatedStore` blocks the thread
/// that sent the command; run such a copy with this executor preference (`offPool`) and the
/// cooperative pool stays free for everything else (the test itself, COPY OPERATION ABORT).
final class ThreadPerJobExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.start()
    }
}

/// A task whose work (and its child tasks') runs on `ThreadPerJobExecutor`.
func offPool<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Task<T, any Error> {
    Task(executorPreference: ThreadPerJobExecutor.shared) { try await body() }
}

/// Polls `condition` (every 5 ms) until it holds or `seconds` pass; returns whether it held.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Progress reports, in order.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [UInt64] = []
    func record(_ v: UInt64) { lock.withLock { values.append(v) } }
    var all: [UInt64] { lock.withLock { values } }
    var isMonotonic: Bool { let v = all; return zip(v, v.dropFirst()).allSatisfy { $0 <= $1 } }
}

extension SCSICommand {
    /// The EXTENDED COPY(LID1) parameter list this command carried, parsed.
    var extendedCopyList: ExtendedCopyLID1? {
        guard cdb.count > 1, cdb[0] == 0x83, cdb[1] & 0x1F == 0x00, case let .toDevice(bytes) = data else { return nil }
        return try? ExtendedCopyLID1(parsing: bytes)
    }

    /// The WRITE USING TOKEN parameter list this command carried, parsed.
    var writeUsingTokenList: WriteUsingToken? {
        guard cdb.count > 1, cdb[0] == 0x83, cdb[1] & 0x1F == 0x11, case let .toDevice(bytes) = data else { return nil }
        return try? WriteUsingToken(parsing: bytes)
    }

    /// The POPULATE TOKEN parameter list this command carried, parsed.
    var populateTokenList: PopulateToken? {
        guard cdb.count > 1, cdb[0] == 0x83, cdb[1] & 0x1F == 0x10, case let .toDevice(bytes) = data else { return nil }
        return try? PopulateToken(parsing: bytes)
    }

    /// LIST IDENTIFIER of a token command (bytes 6-9) or COPY OPERATION ABORT (bytes 2-5).
    var tokenListIdentifier: UInt32? {
        guard cdb.count >= 16, cdb[0] == 0x83 else { return nil }
        switch cdb[1] & 0x1F {
        case 0x10, 0x11: return try? cdb.be32(at: 6)
        case 0x1C: return try? cdb.be32(at: 2)
        default: return nil
        }
    }
}
