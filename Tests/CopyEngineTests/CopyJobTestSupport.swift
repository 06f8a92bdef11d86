import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray

/// A simulated array in the test process with LUNs anyone can read and write directly, and
/// devices onto it that go through the real SCSI dispatcher, so the prober and the verifier see
/// a real target.
struct JobFixture {
    let array: SimulatedArray
    let dispatcher: SCSIDispatcher
    static let initiator = InitiatorContext(nexus: "job-tests", initiatorName: "iqn.2026-11.test:job")

    init(blocks: UInt64 = 4096, blockSizes: [Int] = [512, 512]) throws {
        array = try SimulatedArray()
        // The CTL personality: the prober sees XCOPY and ODX, so forced methods are possible.
        let profile = try ArrayProfile.load("ctl")
        for (lun, bs) in blockSizes.enumerated() {
            try profile.createLogicalUnit(in: array, lun: UInt64(lun), blockSize: bs, blockCount: blocks)
        }
        dispatcher = SCSIDispatcher(array: array, copyHandler: CopyManager(profile: profile, faults: FaultInjector(), tokenService: nil))
        array.register(Self.initiator)
    }

    /// A device onto a LUN; `answer` may answer a command in the array's place (nil: the array answers).
    func device(_ lun: UInt64, answer: @escaping @Sendable (SCSICommand) -> SCSIResponse? = { _ in nil }) -> InMemoryDevice {
        let dispatcher = self.dispatcher
        return InMemoryDevice(address: DeviceAddress(kind: .memory, nexus: "sim", lun: lun, display: "sim:\(lun)")) { command in
            if let answered = answer(command) { return answered }
            var out: [UInt8] = []
            if case let .toDevice(bytes) = command.data { out = bytes }
            var expected = 0
            if case let .fromDevice(n) = command.data { expected = n }
            let r = dispatcher.execute(SCSIRequest(lun: lun, cdb: command.cdb, dataOut: out, expectedDataInLength: expected, initiator: Self.initiator))
            return SCSIResponse(status: r.status, data: r.dataIn, senseBytes: r.sense)
        }
    }

    func endpoint(_ lun: UInt64, answer: @escaping @Sendable (SCSICommand) -> SCSIResponse? = { _ in nil }) async throws -> CopyEndpoint {
        let d = device(lun, answer: answer)
        // Clear the power-on unit attention the first command may meet.
        _ = try await d.execute(SCSICommand(cdb: CDB.testUnitReady()))
        return CopyEndpoint(device: d, report: try await Prober().probe(d))
    }

    func store(_ lun: UInt64) -> any BlockStore { array.logicalUnit(lun: lun)!.store }

    func fill(_ lun: UInt64, seed: UInt8) throws {
        let s = store(lun)
        var bytes = [UInt8](repeating: 0, count: Int(s.blockCount) * s.blockSize)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ Int(seed)) }
        try s.write(lba: 0, data: bytes)
    }

    func contents(_ lun: UInt64) throws -> [UInt8] {
        let s = store(lun)
        return try s.read(lba: 0, count: Int(s.blockCount))
    }
}

/// An engine that copies through the stores directly (what an array would do inside) and
/// misbehaves on request.
struct FakeEngine: CopyEngine {
    enum Behaviour: Sendable {
        case copy
        /// Copies this many blocks, then fails with this kind.
        case failAfter(UInt64, CopyError.Kind)
        /// Says GOOD without copying (seen on real targets).
        case lie
        /// Copies this many blocks in commands of `commandBlocks`, all but block `dropped`,
        /// then fails with this kind, naming those commands as completed.
        case failAfterDropping(UInt64, CopyError.Kind, commandBlocks: UInt64, dropped: UInt64)
        /// Fails transiently, copying nothing, on its first `calls` runs (counted in `runs`).
        case transientForRuns(Int, runs: Counter)
    }
    let method: CopyMethod
    let source: any BlockStore
    let destination: any BlockStore
    let behaviour: Behaviour
    let calls: Counter

    func copy(_ extent: CopyExtent, progress: @escaping @Sendable (UInt64) -> Void) async throws -> EngineOutcome {
        calls.increment()
        var n = extent.blocks
        if case let .failAfter(k, _) = behaviour { n = min(k, extent.blocks) }
        if case .lie = behaviour { n = 0 }
        if case let .transientForRuns(limit, runs) = behaviour {
            runs.increment()
            if runs.value <= limit { throw CopyError(.transient, method: method, "fake BUSY") }
        }
        if case let .failAfterDropping(k, kind, commandBlocks, dropped) = behaviour, k < extent.blocks {
            for lba in 0..<k where lba != dropped {
                try destination.write(lba: extent.destinationLBA + lba, data: try source.read(lba: extent.sourceLBA + lba, count: 1))
            }
            progress(k)
            var e = CopyError(kind, method: method, "fake failure", completedBlocks: k)
            e.completedCommands = CopyExtent(sourceLBA: extent.sourceLBA, destinationLBA: extent.destinationLBA, blocks: k).chunks(of: commandBlocks)
            throw e
        }
        if n > 0 {
            let data = try source.read(lba: extent.sourceLBA, count: Int(n))
            try destination.write(lba: extent.destinationLBA, data: data)
        }
        progress(n)
        if case let .failAfter(k, kind) = behaviour, k < extent.blocks {
            throw CopyError(kind, method: method, "fake failure", completedBlocks: k)
        }
        return EngineOutcome(blocks: extent.blocks, offloadedCommands: [extent])
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

/// The largest and last progress a job reported, and its total.
final class ProgressMaximum: @unchecked Sendable {
    private let lock = NSLock()
    private var values: (most: UInt64, last: UInt64, total: UInt64) = (0, 0, 0)
    func see(_ p: CopyJob.Progress) { lock.withLock { values = (max(values.most, p.bytesDone), p.bytesDone, p.bytesTotal) } }
    var most: UInt64 { lock.withLock { values.most } }
    var last: UInt64 { lock.withLock { values.last } }
    var total: UInt64 { lock.withLock { values.total } }
}
