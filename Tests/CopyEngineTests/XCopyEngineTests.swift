import CopyEngine
import Foundation
@testable import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// The EXTENDED COPY engine against the simulated array with the shipped profiles.
@Suite struct XCopyEngineTests {
    struct Pair {
        let target: SimulatedTarget
        let source: CopyEndpoint
        let destination: CopyEndpoint
    }

    static func pair(_ profile: String, luns: [UInt64: UInt64] = [0: 8192, 1: 8192], stores: [UInt64: any BlockStore] = [:],
                     chunkBytes: Int = 64 << 10, faults: [Fault] = [],
                     editProfile: (inout ArrayProfile) -> Void = { _ in }) async throws -> Pair {
        let t = try SimulatedTarget(profile: profile, luns: luns, stores: stores, chunkBytes: chunkBytes, faults: faults,
                                    editProfile: editProfile)
        return Pair(target: t, source: try await t.endpoint(0), destination: try await t.endpoint(1))
    }

    static func engine(_ p: Pair, plan: CopyPlan? = nil, statistics: CopyStatistics = CopyStatistics(),
                       options: XCopyEngine.Options = XCopyEngine.Options()) -> XCopyEngine {
        XCopyEngine(source: p.source, destination: p.destination, plan: plan ?? SimPlans.xcopy(p.source, p.destination),
                    limits: p.source.report.xcopyLimits, statistics: statistics, options: options)
    }

    // MARK: - Byte-exact copies

    @Test func ctlCopiesSeveralSegmentsPerCommandByteExact() async throws {
        let p = try await Self.pair("ctl")
        let data = try p.target.fill(0, lba: 100, blocks: 5000)
        let sourceBefore = try p.target.checksum(0)
        let stats = CopyStatistics()
        let plan = SimPlans.plan(blocksPerSegment: 256, segmentsPerCommand: 8, concurrency: 1)
        let engine = Self.engine(p, plan: plan, statistics: stats)
        let log = ProgressLog()
        let extent = CopyExtent(sourceLBA: 100, destinationLBA: 300, blocks: 5000)
        let destinationCommands = p.target.device(1).commands.count

        let outcome = try await engine.copy(extent) { log.record($0) }

        #expect(outcome.blocks == 5000)
        #expect(try p.target.read(1, lba: 300, blocks: 5000) == data)
        #expect(try p.target.read(1, lba: 0, blocks: 300) == [UInt8](repeating: 0, count: 300 * 512))
        #expect(try p.target.read(1, lba: 5300, blocks: 100) == [UInt8](repeating: 0, count: 100 * 512))
        #expect(try p.target.checksum(0) == sourceBefore)
        // 20 segments of at most 256 blocks, 8 per command: 3 commands.
        let lists = p.target.sent(0, 0x83, 0x00).compactMap(\.extendedCopyList)
        #expect(lists.map(\.segmentDescriptors.count) == [8, 8, 4])
        #expect(stats.commands["EXTENDED COPY"] == 3)
        #expect(outcome.offloadedCommands == [
            CopyExtent(sourceLBA: 100, destinationLBA: 300, blocks: 2048),
            CopyExtent(sourceLBA: 2148, destinationLBA: 2348, blocks: 2048),
            CopyExtent(sourceLBA: 4196, destinationLBA: 4396, blocks: 904),
        ])
        // One at a time: no list identifier.
        #expect(lists.allSatisfy { $0.listIDUsage == .noListIdentifier && $0.listIdentifier == 0 })
        // CSCDs: the preferred designators verbatim, DISK BLOCK LENGTH filled in.
        let cscds = lists[0].cscdDescriptors.compactMap { if case let .identification(c) = $0 { return c } else { return nil } }
        #expect(cscds.count == 2)
        #expect(cscds.map(\.diskBlockLength) == [512, 512])
        #expect(cscds[0].designator.value == p.source.report.copyDesignator?.value)
        #expect(cscds[1].designator.value == p.destination.report.copyDesignator?.value)
        #expect(cscds[0].designator.type == .naa)
        #expect(log.isMonotonic && log.all.last == 5000)
        // The engine sends nothing to the destination device and no writes to the source.
        #expect(p.target.device(1).commands.count == destinationCommands)
        #expect(p.target.sent(0, 0x8A).isEmpty && p.target.sent(0, 0x2A).isEmpty)
        #expect(stats.hostBytesRead == 0 && stats.hostBytesWritten == 0)
    }

    @Test func ctlRunsSeveralCommandsAtOnceWithListIdentifiers() async throws {
        let p = try await Self.pair("ctl", luns: [0: 16384, 1: 16384])
        let data = try p.target.fill(0, blocks: 12000)
        let sourceBefore = try p.target.checksum(0)
        let plan = SimPlans.plan(blocksPerSegment: 300, segmentsPerCommand: 3, concurrency: 4)
        let engine = Self.engine(p, plan: plan)
        #expect(engine.usesListIdentifiers)
        #expect(engine.concurrency == 4)
        let log = ProgressLog()

        let outcome = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 2000, blocks: 12000)) { log.record($0) }

        #expect(outcome.blocks == 12000)
        #expect(try p.target.read(1, lba: 2000, blocks: 12000) == data)
        #expect(try p.target.checksum(0) == sourceBefore)
        let lists = p.target.sent(0, 0x83, 0x00).compactMap(\.extendedCopyList)
        #expect(lists.count == 14)  // 40 segments, 3 per command
        #expect(lists.allSatisfy { $0.listIDUsage == .discard && $0.listIdentifier != 0 })
        #expect(outcome.offloadedCommands.count == 14)
        #expect(outcome.offloadedCommands.reduce(0) { $0 + $1.blocks } == 12000)
        #expect(log.isMonotonic && log.all.last == 12000)
        #expect(engine.options.listIdentifiers.identifiersInUse.isEmpty)
    }

    @Test func ctlWithThePlannersPlan() async throws {
        let p = try await Self.pair("ctl", luns: [0: 70_000, 1: 70_000])
        let data = try p.target.fill(0, blocks: 70_000)
        let plan = SimPlans.xcopy(p.source, p.destination)
        #expect(plan.blocksPerSegment == 65535)
        let engine = Self.engine(p, plan: plan)
        let outcome = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 70_000)) { _ in }
        #expect(outcome.blocks == 70_000)
        #expect(try p.target.read(1, blocks: 70_000) == data)
        let lists = p.target.sent(0, 0x83, 0x00).compactMap(\.extendedCopyList)
        #expect(lists.count == 1)
        #expect(lists.first?.segmentDescriptors.count == 2)
    }

    @Test func lioOneSegmentPerCommandNAAOnlyNoCopyStatus() async throws {
        let p = try await Self.pair("lio", luns: [0: 70_000, 1: 70_000])
        let data = try p.target.fill(0, blocks: 70_000)
        let sourceBefore = try p.target.checksum(0)
        let plan = SimPlans.xcopy(p.source, p.destination)
        #expect(plan.segmentsPerCommand == 1 && plan.concurrency == 1)
        let stats = CopyStatistics()
        let engine = Self.engine(p, plan: plan, statistics: stats)
        #expect(!engine.supportsCopyStatus && !engine.usesListIdentifiers)

        let outcome = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 70_000)) { _ in }

        #expect(outcome.blocks == 70_000)
        #expect(try p.target.read(1, blocks: 70_000) == data)
        #expect(try p.target.checksum(0) == sourceBefore)
        let lists = p.target.sent(0, 0x83, 0x00).compactMap(\.extendedCopyList)
        #expect(lists.map(\.segmentDescriptors.count) == [1, 1])
        #expect(lists.allSatisfy { $0.listIDUsage == .noListIdentifier })
        let designators = lists[0].cscdDescriptors.compactMap { if case let .identification(c) = $0 { return c.designator } else { return nil } }
        #expect(designators.allSatisfy { $0.type == .naa && $0.value.count == 16 })
        // LIO has no RECEIVE COPY STATUS: never asked.
        #expect(p.target.sent(0, 0x84, 0x00).isEmpty)
        #expect(stats.commands["RECEIVE COPY STATUS"] == nil)
    }

    // MARK: - Limits found out while copying

    @Test func advertiseMoreBacksOffAndRemembersTheLimit() async throws {
        let p = try await Self.pair("advertise-more")
        let data = try p.target.fill(0, blocks: 4096)
        #expect(p.source.report.xcopyLimits.maxSegmentDescriptors == 32)
        let learned = XCopyLearnedLimits()
        let plan = SimPlans.plan(blocksPerSegment: 64, segmentsPerCommand: 32, concurrency: 4)
        let engine = Self.engine(p, plan: plan, options: XCopyEngine.Options(learned: learned))
        #expect(engine.segmentsPerCommand == 32)

        let outcome = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { _ in }

        #expect(outcome.blocks == 4096)
        #expect(try p.target.read(1, blocks: 4096) == data)
        #expect(learned.segmentsPerCommand == 2)
        #expect(engine.segmentsPerCommand == 2)
        #expect(!learned.notes.isEmpty)
        let first = p.target.sent(0, 0x83, 0x00).count

        // Another engine given what was learned starts at 2: nothing refused.
        try p.target.write(1, [UInt8](repeating: 0, count: 4096 * 512))
        let again = Self.engine(p, plan: plan, options: XCopyEngine.Options(learned: learned))
        _ = try await again.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { _ in }
        #expect(try p.target.read(1, blocks: 4096) == data)
        let second = p.target.sent(0, 0x83, 0x00).dropFirst(first).compactMap(\.extendedCopyList)
        #expect(second.count == 32)
        #expect(second.allSatisfy { $0.segmentDescriptors.count == 2 })
    }

    // MARK: - Failures

    @Test func failingSegmentLeavesExactlyTheBlocksBeforeIt() async throws {
        // Segments of 100 blocks, 4 per command, one command at a time; the 7th segment fails
        // (the 3rd of the second command): 6 segments are done.
        let p = try await Self.pair("ctl", faults: [.xcopyFailSegment(n: 7)])
        let data = try p.target.fill(0, blocks: 2000)
        let sourceBefore = try p.target.checksum(0)
        let plan = SimPlans.plan(blocksPerSegment: 100, segmentsPerCommand: 4, concurrency: 1)
        let engine = Self.engine(p, plan: plan)
        let log = ProgressLog()

        let error = await #expect(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 2000)) { log.record($0) }
        }
        #expect(error?.completedBlocks == 600)
        // The first command whole, the second up to its failing segment: each end gets checked.
        #expect(error?.completedCommands == [CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 400),
                                             CopyExtent(sourceLBA: 400, destinationLBA: 400, blocks: 200)])
        #expect(error?.method == .xcopy)
        #expect(error?.kind == .permanent)
        #expect(error?.sense?.key == .copyAborted)
        #expect(error?.sense?.commandSpecificInformation == 2)
        #expect(try p.target.read(1, blocks: 600) == Array(data[0..<(600 * 512)]))
        #expect(try p.target.read(1, lba: 600, blocks: 1400) == [UInt8](repeating: 0, count: 1400 * 512))
        #expect(try p.target.checksum(0) == sourceBefore)
        #expect(p.target.sent(0, 0x83, 0x00).count == 2)  // nothing issued after the failure
        #expect(log.all.last == 600)
    }

    @Test func failingSegmentOnLIOCountsOnlyWholeCommands() async throws {
        // LIO: one segment per command and a bare 0D/02 (no segment number): the two commands
        // before the failing one are all that is known to be done.
        let p = try await Self.pair("lio", faults: [.xcopyFailSegment(n: 3)])
        let data = try p.target.fill(0, blocks: 1000)
        let plan = SimPlans.plan(blocksPerSegment: 100, segmentsPerCommand: 1, concurrency: 1)
        let error = await #expect(throws: CopyError.self) {
            try await Self.engine(p, plan: plan).copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1000)) { _ in }
        }
        #expect(error?.completedBlocks == 200)
        #expect(error?.sense?.additionalSense == .copyTargetDeviceNotReachable)
        #expect(try p.target.read(1, blocks: 200) == Array(data[0..<(200 * 512)]))
    }

    @Test func failingSegmentWithCommandsInFlightNeverOvercounts() async throws {
        let p = try await Self.pair("ctl", luns: [0: 16384, 1: 16384], faults: [.xcopyFailSegment(n: 9)])
        let data = try p.target.fill(0, blocks: 9600)
        let plan = SimPlans.plan(blocksPerSegment: 200, segmentsPerCommand: 3, concurrency: 4)
        let engine = Self.engine(p, plan: plan)
        #expect(engine.usesListIdentifiers)
        let error = await #expect(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 9600)) { _ in }
        }
        let done = Int(error?.completedBlocks ?? 0)
        #expect(done < 9600)
        #expect(done % 200 == 0)
        #expect(try p.target.read(1, blocks: done) == Array(data[0..<(done * 512)]))
        #expect(engine.options.listIdentifiers.identifiersInUse.isEmpty)
    }

    @Test func goodWithoutCopyIsCaughtBySampledVerification() async throws {
        let p = try await Self.pair("ctl", faults: [.goodWithoutCopy])
        try p.target.fill(0, blocks: 4000)
        let stats = CopyStatistics()
        let plan = SimPlans.plan(blocksPerSegment: 500, segmentsPerCommand: 2, concurrency: 1)
        let extent = CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4000)
        let outcome = try await Self.engine(p, plan: plan, statistics: stats).copy(extent) { _ in }
        #expect(outcome.blocks == 4000)  // the array said GOOD
        #expect(outcome.offloadedCommands.count == 4)

        let verifier = Verifier(source: BlockIO(device: p.source.device, blockSize: 512, statistics: stats),
                                destination: BlockIO(device: p.destination.device, blockSize: 512, statistics: stats))
        let error = await #expect(throws: CopyError.self) {
            try await verifier.verifySampled(extent, commands: outcome.offloadedCommands, method: .xcopy)
        }
        #expect(error?.kind == .data)
    }

    @Test func lioBlockSizeMismatchIsPermanent() async throws {
        // LIO answers differing block sizes with NOT READY 08/00.
        let t = try SimulatedTarget(profile: "lio", luns: [0: 4096, 1: 4096])
        try t.array.removeLogicalUnit(lun: 1)
        let profile = try SimFixtures.profile("lio")
        try profile.createLogicalUnit(in: t.array, lun: 1, blockSize: 4096, blockCount: 512)
        let s = try await t.endpoint(0), d = try await t.endpoint(1)
        let engine = XCopyEngine(source: s, destination: d, plan: SimPlans.plan(blocksPerSegment: 64, segmentsPerCommand: 1, concurrency: 1),
                                 limits: s.report.xcopyLimits, statistics: CopyStatistics())
        let error = await #expect(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 64)) { _ in }
        }
        #expect(error?.kind == .permanent)
        #expect(error?.sense?.key == .notReady)
        #expect(error?.completedBlocks == 0)
    }

    // MARK: - Progress inside a command

    @Test func copyStatusPollingReportsSegmentsProcessedWhileACommandRuns() async throws {
        let gated = GatedStore(blockCount: 8192)
        let p = try await Self.pair("ctl", stores: [0: gated], chunkBytes: 4096)
        let data = TestData.bytes(4096 * 512, seed: 5)
        try p.target.write(0, data)
        // One command of 4 segments of 1024 blocks; 8-block reads, so the 200th read is in the
        // second segment.
        let plan = SimPlans.plan(blocksPerSegment: 1024, segmentsPerCommand: 4, concurrency: 2)
        let stats = CopyStatistics()
        let engine = Self.engine(p, plan: plan, statistics: stats, options: XCopyEngine.Options(statusPollInterval: .milliseconds(2)))
        let log = ProgressLog()
        gated.hold(afterReads: 200)
        let task = offPool { try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { log.record($0) } }
        #expect(await eventually { gated.held })
        #expect(await eventually { log.all.contains(1024) })
        gated.open()
        let outcome = try await task.value
        #expect(outcome.blocks == 4096)
        #expect(try p.target.read(1, blocks: 4096) == data)
        #expect((stats.commands["RECEIVE COPY STATUS"] ?? 0) >= 1)
        #expect(log.isMonotonic && log.all.last == 4096)
    }

    // MARK: - Cancellation

    @Test func cancellationAbortsTheListsInFlight() async throws {
        let gated = GatedStore(blockCount: 8192)
        let p = try await Self.pair("ctl", stores: [0: gated], chunkBytes: 4096)
        let data = TestData.bytes(4096 * 512, seed: 9)
        try p.target.write(0, data)
        let plan = SimPlans.plan(blocksPerSegment: 256, segmentsPerCommand: 2, concurrency: 2)
        let stats = CopyStatistics()
        let engine = Self.engine(p, plan: plan, statistics: stats, options: XCopyEngine.Options(statusPollInterval: nil))
        #expect(engine.supportsCopyOperationAbort && engine.usesListIdentifiers)
        gated.hold(afterReads: 0)

        let task = offPool { try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4096)) { _ in } }
        #expect(await eventually { gated.held })
        task.cancel()
        #expect(await eventually { !p.target.sent(0, 0x83, 0x1C).isEmpty })
        let issuedBeforeAbort = p.target.sent(0, 0x83, 0x00).count
        gated.open()
        let result = await task.result

        guard case let .failure(e) = result, let error = e as? CopyError else {
            Issue.record("expected CopyError(.cancelled), got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
        let aborts = p.target.sent(0, 0x83, 0x1C).compactMap(\.tokenListIdentifier)
        let lists = p.target.sent(0, 0x83, 0x00).compactMap(\.extendedCopyList)
        #expect(!aborts.isEmpty)
        #expect(Set(aborts).isSubset(of: Set(lists.map { UInt32($0.listIdentifier) })))
        #expect(lists.count == issuedBeforeAbort)  // nothing issued once cancelled
        #expect(stats.commands["COPY OPERATION ABORT"] == aborts.count)
        let done = Int(error.completedBlocks)
        #expect(done < 4096)
        #expect(try p.target.read(1, blocks: done) == Array(data[0..<(done * 512)]))
    }

    @Test func cancelledBeforeStartSendsNothing() async throws {
        let p = try await Self.pair("ctl")
        let engine = Self.engine(p, plan: SimPlans.plan(blocksPerSegment: 64, segmentsPerCommand: 2, concurrency: 2))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1024)) { _ in }
        }
        let result = await task.result
        guard case let .failure(e) = result, let error = e as? CopyError else {
            Issue.record("expected CopyError(.cancelled)")
            return
        }
        #expect(error.kind == .cancelled && error.completedBlocks == 0)
        #expect(p.target.sent(0, 0x83, 0x00).isEmpty)
    }
}
