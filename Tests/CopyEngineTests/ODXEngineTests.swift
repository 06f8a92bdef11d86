import CopyEngine
import Foundation
@testable import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// The token engine against the simulated array's token manager with the shipped profiles.
@Suite struct ODXEngineTests {
    struct Pair {
        let target: SimulatedTarget
        let source: CopyEndpoint
        var destination: CopyEndpoint
    }

    static func pair(_ profile: String, luns: [UInt64: UInt64] = [0: 20000, 1: 20000], faults: [Fault] = [],
                     editProfile: (inout ArrayProfile) -> Void = { _ in },
                     editTokens: (inout TokenManagerConfiguration) -> Void = { _ in }) async throws -> Pair {
        let t = try SimulatedTarget(profile: profile, luns: luns, faults: faults, editProfile: editProfile, editTokens: editTokens)
        return Pair(target: t, source: try await t.endpoint(0), destination: try await t.endpoint(1))
    }

    /// Ranges of 1000 blocks, 4 per token (CTL reports no token size, so the plan decides).
    static let smallPlan = SimPlans.plan(blocksPerSegment: 1000, segmentsPerCommand: 4, concurrency: 1)

    static func engine(_ p: Pair, plan: CopyPlan = smallPlan, statistics: CopyStatistics = CopyStatistics(),
                       options: ODXEngine.Options = ODXEngine.Options()) -> ODXEngine {
        ODXEngine(source: p.source, destination: p.destination, plan: plan, statistics: statistics, options: options)
    }

    /// A destination whose Block Device ROD Token Limits allow `blocks` per WRITE USING TOKEN,
    /// so one token takes several writes.
    static func limitWrites(_ p: inout Pair, to blocks: UInt64) {
        var report = p.destination.report
        guard var page = report.thirdPartyCopy.value else { return }
        page.descriptors = page.descriptors.map {
            guard case var .blockDeviceRODLimits(l) = $0 else { return $0 }
            l.maximumTokenTransferSize = blocks
            return .blockDeviceRODLimits(l)
        }
        report.thirdPartyCopy = .answered(page)
        p.destination = CopyEndpoint(device: p.destination.device, report: report)
    }

    static func tokenOf(_ c: SCSICommand) -> RODToken? { c.writeUsingTokenList?.rodToken }

    // MARK: - Byte-exact copies

    @Test func ctlCopiesThroughSeveralTokensWithSeveralRanges() async throws {
        let p = try await Self.pair("ctl")
        let data = try p.target.fill(0, lba: 500, blocks: 18000)
        let sourceBefore = try p.target.checksum(0)
        let stats = CopyStatistics()
        let engine = Self.engine(p, statistics: stats)
        #expect(engine.blocksPerToken == 4000 && engine.rangesPerToken == 64)
        let log = ProgressLog()
        let extent = CopyExtent(sourceLBA: 500, destinationLBA: 1000, blocks: 18000)

        let outcome = try await engine.copy(extent) { log.record($0) }

        #expect(outcome.blocks == 18000)
        #expect(try p.target.read(1, lba: 1000, blocks: 18000) == data)
        #expect(try p.target.read(1, lba: 0, blocks: 1000) == [UInt8](repeating: 0, count: 1000 * 512))
        #expect(try p.target.checksum(0) == sourceBefore)
        let pts = p.target.sent(0, 0x83, 0x10)
        let wuts = p.target.sent(1, 0x83, 0x11)
        #expect(pts.compactMap(\.populateTokenList).map(\.ranges.count) == [4, 4, 4, 4, 2])
        #expect(pts.first?.populateTokenList?.ranges.first == BlockDeviceRangeDescriptor(logicalBlockAddress: 500, numberOfLogicalBlocks: 1000))
        // One write per token, taking all of it: DEL_TKN on each.
        let lists = wuts.compactMap(\.writeUsingTokenList)
        #expect(lists.count == 5)
        #expect(lists.allSatisfy { $0.deleteToken && $0.offsetIntoROD == 0 && !$0.immediate })
        #expect(lists.first?.ranges.first == BlockDeviceRangeDescriptor(logicalBlockAddress: 1000, numberOfLogicalBlocks: 1000))
        // Every operation has its own list identifier.
        let ids = (pts + wuts).compactMap(\.tokenListIdentifier)
        #expect(Set(ids).count == 10)
        #expect(outcome.offloadedCommands.count == 5)
        #expect(outcome.offloadedCommands.first == CopyExtent(sourceLBA: 500, destinationLBA: 1000, blocks: 4000))
        #expect(log.isMonotonic && log.all.last == 18000)
        // CTL's tokens are access upon reference: the job must warn.
        #expect(engine.observedRODType == .accessUponReference)
        #expect(engine.tokenSemantics == .accessUponReference && engine.requiresQuiescedSource)
        // The source is only read: no WRITE USING TOKEN or WRITE goes to it.
        #expect(p.target.sent(0, 0x83, 0x11).isEmpty && p.target.sent(0, 0x8A).isEmpty)
        #expect(stats.commands["POPULATE TOKEN"] == 5 && stats.commands["WRITE USING TOKEN"] == 5)
        #expect(stats.commands["RECEIVE ROD TOKEN INFORMATION"] == 5)
        #expect(stats.hostBytesRead == 0 && stats.hostBytesWritten == 0)
    }

    @Test func ctlWithThePlannersPlan() async throws {
        let p = try await Self.pair("ctl", luns: [0: 40000, 1: 40000])
        let data = try p.target.fill(0, blocks: 40000)
        let plan = SimPlans.odx(p.source)
        #expect(plan.blocksPerSegment == 8192 && plan.segmentsPerCommand == 64)
        let outcome = try await Self.engine(p, plan: plan).copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 40000)) { _ in }
        #expect(outcome.blocks == 40000)
        #expect(try p.target.read(1, blocks: 40000) == data)
        #expect(p.target.sent(0, 0x83, 0x10).compactMap(\.populateTokenList).map(\.ranges.count) == [5])
    }

    @Test func severalWritesPerTokenAdvanceTheOffsetAndDeleteOnTheLast() async throws {
        var p = try await Self.pair("ctl")
        Self.limitWrites(&p, to: 1500)
        let data = try p.target.fill(0, blocks: 8000)
        let engine = Self.engine(p)
        #expect(engine.blocksPerWrite == 1500)
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { _ in }
        #expect(try p.target.read(1, blocks: 8000) == data)
        let lists = p.target.sent(1, 0x83, 0x11).compactMap(\.writeUsingTokenList)
        #expect(lists.map(\.offsetIntoROD) == [0, 1500, 3000, 0, 1500, 3000])
        #expect(lists.map { BlockDeviceRangeDescriptor.totalBlocks($0.ranges) } == [1500, 1500, 1000, 1500, 1500, 1000])
        #expect(lists.map(\.deleteToken) == [false, false, true, false, false, true])
    }

    // MARK: - Partial transfers and dead tokens

    @Test func partialWritesResumeFromWhereTheyStopped() async throws {
        var p = try await Self.pair("ctl", faults: [.wutPartial(blocks: 700)])
        Self.limitWrites(&p, to: 1500)
        let data = try p.target.fill(0, blocks: 8000)
        let sourceBefore = try p.target.checksum(0)
        let log = ProgressLog()
        let outcome = try await Self.engine(p).copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { log.record($0) }

        #expect(outcome.blocks == 8000)
        #expect(try p.target.read(1, blocks: 8000) == data)
        #expect(try p.target.checksum(0) == sourceBefore)
        #expect(log.isMonotonic && log.all.last == 8000)
        // Each write stops after 700 blocks; the next goes on from there in the same ROD and
        // never asks for more than the ROD holds.
        let lists = p.target.sent(1, 0x83, 0x11).compactMap(\.writeUsingTokenList)
        #expect(lists.prefix(6).map(\.offsetIntoROD) == [0, 700, 1400, 2100, 2800, 0])
        // The write asking for the rest of a token carries DEL_TKN; when it too stops early,
        // the rest is populated again.
        #expect(lists.prefix(6).map(\.deleteToken) == [false, false, false, false, true, false])
        for l in lists { #expect(l.offsetIntoROD + BlockDeviceRangeDescriptor.totalBlocks(l.ranges) <= 4000) }
        #expect(outcome.offloadedCommands.reduce(0) { $0 + $1.blocks } == 8000)
        #expect(outcome.offloadedCommands.allSatisfy { $0.blocks <= 700 })
    }

    @Test func partialLastWriteOfATokenPopulatesAgainForTheRest() async throws {
        // One write per token (with DEL_TKN): a partial one leaves no token for the rest.
        let p = try await Self.pair("ctl", faults: [.wutPartial(blocks: 1500)])
        let data = try p.target.fill(0, blocks: 4000)
        _ = try await Self.engine(p).copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4000)) { _ in }
        #expect(try p.target.read(1, blocks: 4000) == data)
        let pts = p.target.sent(0, 0x83, 0x10).compactMap(\.populateTokenList)
        #expect(pts.map { $0.ranges.first?.logicalBlockAddress } == [0, 1500, 3000])
    }

    @Test func expiredTokenIsPopulatedAgain() async throws {
        let p = try await Self.pair("ctl")
        let data = try p.target.fill(0, blocks: 8000)
        let once = OnceFlag()
        let faults = p.target.faults
        p.target.beforeCommand { _, c in
            if c.writeUsingTokenList != nil, once.setFirst() { faults.add(.expireTokens) }
        }
        let stats = CopyStatistics()
        _ = try await Self.engine(p, statistics: stats).copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { _ in }
        #expect(try p.target.read(1, blocks: 8000) == data)
        #expect(stats.commands["POPULATE TOKEN"] == 3)  // two tokens, one of them twice
        #expect(stats.commands["WRITE USING TOKEN"] == 3)
    }

    @Test func revokedTokenIsPopulatedAgain() async throws {
        let p = try await Self.pair("qnap")
        let data = try p.target.fill(0, blocks: 8000)
        let once = OnceFlag()
        let faults = p.target.faults
        p.target.beforeCommand { _, c in
            if c.writeUsingTokenList != nil, once.setFirst() { faults.add(.revokeTokens) }
        }
        let stats = CopyStatistics()
        _ = try await Self.engine(p, statistics: stats).copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { _ in }
        #expect(try p.target.read(1, blocks: 8000) == data)
        #expect(stats.commands["POPULATE TOKEN"] == 2)  // one token for all 8000 blocks, populated twice
        #expect(stats.commands["WRITE USING TOKEN"] == 2)
    }

    @Test func tokensDyingOverAndOverEndTheCopyAsTransient() async throws {
        var p = try await Self.pair("qnap")
        Self.limitWrites(&p, to: 1000)
        let data = try p.target.fill(0, blocks: 8000)
        let faults = p.target.faults
        let writes = CallCounter()
        // The first write of the copy goes through; from then on every token dies first.
        p.target.beforeCommand { _, c in
            if c.writeUsingTokenList != nil, writes.next() > 1 { faults.add(.expireTokens) }
        }
        let stats = CopyStatistics()
        let engine = Self.engine(p, statistics: stats, options: ODXEngine.Options(tokenRetries: 3))
        let error = await #expect(throws: CopyError.self) {
            try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { _ in }
        }
        #expect(error?.kind == .transient)
        #expect(error?.completedBlocks == 1000)
        #expect(error?.completedCommands == [CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 1000)])
        #expect(error?.sense?.additionalSense == .tokenExpired)
        #expect(stats.commands["POPULATE TOKEN"] == 5)  // the first, then 1 + 3 retries without progress
        #expect(try p.target.read(1, blocks: 1000) == Array(data[0..<(1000 * 512)]))
    }

    // MARK: - Token semantics

    @Test func qnapPointInTimeTokensFreezeTheSource() async throws {
        let p = try await Self.pair("qnap")
        let data = try p.target.fill(0, blocks: 6000)
        let target = p.target
        let once = OnceFlag()
        // Between POPULATE TOKEN and WRITE USING TOKEN another initiator overwrites the source.
        p.target.beforeCommand { _, c in
            guard c.writeUsingTokenList != nil, once.setFirst() else { return }
            let fresh = [UInt8](repeating: 0x5A, count: 64 * 512)
            var cdb = [UInt8](repeating: 0, count: 16)
            cdb[0] = 0x8A
            cdb[13] = 64
            _ = target.dispatcher.execute(SCSIRequest(lun: 0, cdb: cdb, dataOut: fresh, initiator: InitiatorContext(nexus: "other")))
        }
        let engine = Self.engine(p, plan: SimPlans.odx(p.source))
        #expect(engine.rangesPerToken == 8)
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 6000)) { _ in }
        #expect(try p.target.read(1, blocks: 6000) == data)  // as the source was at POPULATE TOKEN
        #expect(try p.target.read(0, blocks: 1) == [UInt8](repeating: 0x5A, count: 512))
        #expect(engine.observedRODType?.isPointInTime == true)
        #expect(engine.tokenSemantics == .pointInTime && !engine.requiresQuiescedSource)
    }

    @Test func ctlAccessUponReferenceTokensSeeLaterWrites() async throws {
        let p = try await Self.pair("ctl")
        try p.target.fill(0, blocks: 4000)
        let target = p.target
        let once = OnceFlag()
        p.target.beforeCommand { _, c in
            guard c.writeUsingTokenList != nil, once.setFirst() else { return }
            var cdb = [UInt8](repeating: 0, count: 16)
            cdb[0] = 0x8A
            cdb[13] = 1
            _ = target.dispatcher.execute(SCSIRequest(lun: 0, cdb: cdb, dataOut: [UInt8](repeating: 0x5A, count: 512),
                                                      initiator: InitiatorContext(nexus: "other")))
        }
        let engine = Self.engine(p)
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4000)) { _ in }
        #expect(try p.target.read(1, blocks: 1) == [UInt8](repeating: 0x5A, count: 512))
        #expect(engine.requiresQuiescedSource)
    }

    // MARK: - Zero token

    @Test func deallocatedSourceRangesGoToTheZeroToken() async throws {
        let p = try await Self.pair("ctl", luns: [0: 8192, 1: 8192])
        let a = try p.target.fill(0, lba: 0, blocks: 1000, seed: 3)
        let b = try p.target.fill(0, lba: 5000, blocks: 1000, seed: 4)
        try p.target.write(1, [UInt8](repeating: 0xAA, count: 8192 * 512))
        let stats = CopyStatistics()
        let engine = Self.engine(p, statistics: stats)
        #expect(engine.usesZeroToken)
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8192)) { _ in }

        #expect(try p.target.read(1, lba: 0, blocks: 1000) == a)
        #expect(try p.target.read(1, lba: 1000, blocks: 4000) == [UInt8](repeating: 0, count: 4000 * 512))
        #expect(try p.target.read(1, lba: 5000, blocks: 1000) == b)
        #expect(try p.target.read(1, lba: 6000, blocks: 2192) == [UInt8](repeating: 0, count: 2192 * 512))
        let zero = p.target.sent(1, 0x83, 0x11).compactMap(\.writeUsingTokenList).filter { $0.rodToken.rodType == .blockDeviceZero }
        #expect(zero.reduce(0) { $0 + BlockDeviceRangeDescriptor.totalBlocks($1.ranges) } == 4000 + 2192)
        let populated = p.target.sent(0, 0x83, 0x10).compactMap(\.populateTokenList)
        #expect(populated.reduce(0) { $0 + BlockDeviceRangeDescriptor.totalBlocks($1.ranges) } == 2000)
        #expect((stats.commands["GET LBA STATUS"] ?? 0) >= 1)
    }

    @Test func zeroTokenCanBeTurnedOff() async throws {
        let p = try await Self.pair("ctl", luns: [0: 8192, 1: 8192])
        let a = try p.target.fill(0, lba: 0, blocks: 1000, seed: 3)
        try p.target.write(1, [UInt8](repeating: 0xAA, count: 8192 * 512))
        let stats = CopyStatistics()
        let engine = Self.engine(p, statistics: stats, options: ODXEngine.Options(zeroToken: false))
        #expect(!engine.usesZeroToken)
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8192)) { _ in }
        #expect(try p.target.read(1, lba: 0, blocks: 1000) == a)
        #expect(try p.target.read(1, lba: 1000, blocks: 7192) == [UInt8](repeating: 0, count: 7192 * 512))
        #expect(p.target.sent(1, 0x83, 0x11).compactMap(\.writeUsingTokenList).allSatisfy { $0.rodToken.rodType != .blockDeviceZero })
        #expect(stats.commands["GET LBA STATUS"] == nil)
    }

    @Test func noZeroTokenWithoutDestinationSupport() async throws {
        // QNAP's 0x8F lists no ROD types: the zero token is not assumed.
        let p = try await Self.pair("qnap")
        #expect(!Self.engine(p).usesZeroToken)
    }

    // MARK: - IMMED

    @Test func immediateWritesArePolledWithRRTI() async throws {
        let p = try await Self.pair("ctl", editProfile: { $0.odx?.immediate = true },
                                    editTokens: { $0.inProgressStatusUpdateDelay = 5 })
        let data = try p.target.fill(0, blocks: 8000)
        let stats = CopyStatistics()
        let engine = Self.engine(p, statistics: stats, options: ODXEngine.Options(immediate: true))
        _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { _ in }
        #expect(try p.target.read(1, blocks: 8000) == data)
        let wuts = p.target.sent(1, 0x83, 0x11).compactMap(\.writeUsingTokenList)
        #expect(wuts.count == 2 && wuts.allSatisfy { $0.immediate })
        #expect(p.target.sent(0, 0x83, 0x10).compactMap(\.populateTokenList).allSatisfy { $0.immediate })
        // Every write's outcome came from RRTI on the destination.
        #expect(p.target.sent(1, 0x84, 0x07).count >= 2)
    }

    /// Times of the RRTI polls the destination received while a held immediate write was in
    /// progress. The background copy is held after its first step until `polls` have come.
    static func pollTimes(statusUpdateDelay: UInt32, options: ODXEngine.Options, polls: Int) async throws -> [ContinuousClock.Instant] {
        let gate = DispatchSemaphore(value: 0)
        let held = OnceFlag()
        let times = InstantLog()
        let p = try await Self.pair("ctl", editProfile: { $0.odx?.immediate = true }, editTokens: {
            $0.inProgressStatusUpdateDelay = statusUpdateDelay
            $0.copyChunkBytes = 64 << 10
            $0.beforeCopyStep = { progress in
                if progress.blocksDone > 0, held.setFirst() { _ = gate.wait(timeout: .now() + 30) }
            }
        })
        p.target.beforeCommand { lun, command in
            guard lun == 1, held.isSet, command.cdb.first == 0x84, command.cdb[1] & 0x1F == 0x07 else { return }
            if times.record(ContinuousClock.now) == polls { gate.signal() }
        }
        let data = try p.target.fill(0, blocks: 4000)
        let engine = Self.engine(p, options: options)
        let task = offPool { try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 4000)) { _ in } }
        _ = try await task.value
        #expect(try p.target.read(1, blocks: 4000) == data)
        return times.all
    }

    @Test func pollsWaitTheArraysEstimatedStatusUpdateDelay() async throws {
        // The array asks for 300 ms; an engine that ignored it would poll at its 10 ms default.
        let times = try await Self.pollTimes(statusUpdateDelay: 300,
                                             options: ODXEngine.Options(immediate: true, defaultPollDelay: .milliseconds(10)), polls: 3)
        #expect(times.count >= 3)
        for (a, b) in zip(times, times.dropFirst()).prefix(2) {
            #expect(a.duration(to: b) >= .milliseconds(300), "polled \(a.duration(to: b)) after the last poll, not at the array's 300 ms")
        }
    }

    @Test func pollDelayStaysWithinItsBounds() async throws {
        // 20 s asked for; the bound says 50 ms at most, so three polls come well within seconds.
        let options = ODXEngine.Options(immediate: true, pollDelayBounds: .milliseconds(10) ... .milliseconds(50))
        let times = try await Self.pollTimes(statusUpdateDelay: 20_000, options: options, polls: 3)
        #expect(times.count >= 3)
        for (a, b) in zip(times, times.dropFirst()).prefix(2) {
            #expect(a.duration(to: b) >= .milliseconds(50) && a.duration(to: b) < .seconds(5))
        }
    }

    @Test func cancellationAbortsTheWriteInFlight() async throws {
        let gate = DispatchSemaphore(value: 0)
        let held = OnceFlag()
        let p = try await Self.pair("ctl", editProfile: { $0.odx?.immediate = true }, editTokens: {
            $0.inProgressStatusUpdateDelay = 5
            $0.copyChunkBytes = 64 << 10
            $0.beforeCopyStep = { progress in
                // Hold the background copy (on the token manager's own queue) after its first step.
                if progress.blocksDone > 0, held.setFirst() { gate.wait() }
            }
        })
        let data = try p.target.fill(0, blocks: 8000)
        let engine = Self.engine(p, options: ODXEngine.Options(immediate: true))
        // Off the shared 2-thread pool, as every holding test here must be (see offPool): under
        // load, other suites' synchronous simulated commands can starve a copy started on it.
        let task = offPool { try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 8000)) { _ in } }
        #expect(await eventually { held.isSet })
        task.cancel()
        #expect(await eventually { !p.target.sent(1, 0x83, 0x1C).isEmpty })
        gate.signal()
        let result = await task.result
        guard case let .failure(e) = result, let error = e as? CopyError else {
            Issue.record("expected CopyError(.cancelled), got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
        let abort = p.target.sent(1, 0x83, 0x1C).first?.tokenListIdentifier
        let write = p.target.sent(1, 0x83, 0x11).first?.tokenListIdentifier
        #expect(abort != nil && abort == write)
        #expect(p.target.sent(1, 0x83, 0x11).count == 1)
        let done = Int(error.completedBlocks)
        #expect(done > 0 && done < 4000)  // the step before the hold, as RRTI reported it
        #expect(try p.target.read(1, blocks: done) == Array(data[0..<(done * 512)]))
    }
}

/// A flag set once, from any thread.
private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    /// True for the first caller only.
    func setFirst() -> Bool { lock.withLock { defer { set = true }; return !set } }
    var isSet: Bool { lock.withLock { set } }
}

/// Instants, recorded from any thread.
private final class InstantLog: @unchecked Sendable {
    private let lock = NSLock()
    private var instants: [ContinuousClock.Instant] = []
    /// Records one; returns how many there are now.
    func record(_ t: ContinuousClock.Instant) -> Int { lock.withLock { instants.append(t); return instants.count } }
    var all: [ContinuousClock.Instant] { lock.withLock { instants } }
}

/// Counts calls, from any thread.
private final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    /// 1 for the first call, 2 for the second...
    func next() -> Int { lock.withLock { n += 1; return n } }
}
