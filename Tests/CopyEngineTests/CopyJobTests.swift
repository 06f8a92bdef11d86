import CopyEngine
import OffloadProbe
import SCSIWire
import Testing

/// The job's rules: verify what the array claims, fall back from exactly where offload
/// stopped, retry only transient errors, and in strict mode never fall back.
@Suite struct CopyJobTests {
    func job(_ f: JobFixture, options: CopyOptions = CopyOptions(), offload: FakeEngine.Behaviour,
             host: FakeEngine.Behaviour = .copy, calls: Counter = Counter()) async throws -> CopyJob {
        let src = try await f.endpoint(0), dst = try await f.endpoint(1)
        let s = f.store(0), d = f.store(1)
        var o = options
        if o.method == .auto { o.method = .xcopy }
        return CopyJob(source: src, destination: dst, options: o) { method, _, _, _, _, _ in
            FakeEngine(method: method, source: s, destination: d, behaviour: method == .host ? host : offload, calls: calls)
        }
    }

    @Test("an offloaded copy is verified and reported as such")
    func offloadVerified() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 1)
        let j = try await job(f, options: xcopy(), offload: .copy)
        let r = try await j.run()
        #expect(r.ok)
        #expect(try f.contents(1) == f.contents(0))
        #expect(r.ranges == [CopyReport.Range(offset: 0, length: 4096 * 512, method: .xcopy)])
        #expect(r.verified == .sampled)
        #expect(r.fallbacks.isEmpty)
        // Sampled verification reads little: both ends of the one command plus a few random blocks.
        #expect(r.hostBytesRead <= 2 * 12 * 512)
    }

    @Test("permanent failure mid-way: the done prefix stays, the rest goes through the host")
    func permanentFallsBack() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 2)
        let j = try await job(f, options: xcopy(), offload: .failAfter(1000, .permanent))
        let r = try await j.run()
        #expect(r.ok)
        #expect(try f.contents(1) == f.contents(0))
        #expect(r.ranges.map(\.method) == [.xcopy, .host])
        #expect(r.ranges.first?.length == 1000 * 512)
        #expect(r.fallbacks.count == 1)
        #expect(r.fallbacks.first?.offset == 1000 * 512)
        #expect(r.method == "mixed")
    }

    @Test("an array that says GOOD without copying is caught by sampled verification and recopied")
    func lieIsCaught() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 3)
        let j = try await job(f, options: xcopy(), offload: .lie)
        let r = try await j.run()
        #expect(r.ok)
        #expect(try f.contents(1) == f.contents(0))
        #expect(r.ranges.map(\.method) == [.host])
        #expect(r.warnings.contains { $0.contains("verification failed") })
        #expect(r.verified == .sampled)
    }

    @Test("transient failures: offload is tried again (3 times) from where it stopped, then the host takes the rest")
    func transientRetriedThenFallsBack() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 6)
        let calls = Counter()
        let j = try await job(f, options: xcopy(), offload: .failAfter(500, .transient), calls: calls)
        let r = try await j.run()
        #expect(r.ok)
        #expect(try f.contents(1) == f.contents(0))
        // Four offload runs of 500 blocks each (the first and three retries), then one host run.
        #expect(calls.value == 5)
        #expect(r.ranges == [CopyReport.Range(offset: 0, length: 2000 * 512, method: .xcopy),
                             CopyReport.Range(offset: 2000 * 512, length: 2096 * 512, method: .host)])
        #expect(r.fallbacks.map(\.offset) == [2000 * 512])
    }

    @Test("a transient failure outlasting its retries: a slice through the host, then offload again for the rest")
    func offloadResumesAfterAHostSlice() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 9)
        var o = xcopy()
        o.hostSliceAfterTransientBytes = 1000 * 512
        // The first run and its three retries fail; the fifth run copies.
        let j = try await job(f, options: o, offload: .transientForRuns(4, runs: Counter()))
        let r = try await j.run()
        #expect(r.ok)
        #expect(try f.contents(1) == f.contents(0))
        #expect(r.ranges == [CopyReport.Range(offset: 0, length: 1000 * 512, method: .host),
                             CopyReport.Range(offset: 1000 * 512, length: 3096 * 512, method: .xcopy)])
        #expect(r.fallbacks.count == 1)
    }

    @Test("offload goes back only as often as allowed: then the host copies the rest")
    func offloadResumptionsAreBounded() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 10)
        var o = xcopy()
        o.hostSliceAfterTransientBytes = 1000 * 512
        o.offloadResumptions = 1
        let runs = Counter()
        let j = try await job(f, options: o, offload: .transientForRuns(.max, runs: runs))
        let r = try await j.run()
        #expect(r.ok)
        #expect(try f.contents(1) == f.contents(0))
        #expect(r.ranges == [CopyReport.Range(offset: 0, length: 4096 * 512, method: .host)])
        #expect(r.fallbacks.map(\.offset) == [0, 1000 * 512])
        #expect(runs.value == 8)  // two rounds of a run and three retries
    }

    @Test("cancelled while waiting to retry a transient failure: a cancelled job error that reports what was copied")
    func cancelledDuringRetryPauseReports() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 7)
        var o = xcopy()
        o.transientRetryPause = .seconds(30)
        let j = try await job(f, options: o, offload: .failAfter(500, .transient))
        let landed = Counter()
        let run = Task { try await j.run { p in if p.bytesDone >= 500 * 512 { landed.increment() } } }
        // Once the first run's 500 blocks landed, its prefix is sample-verified (which a
        // cancellation does not cut short) and the job pauses for 30 s before retrying.
        while landed.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        run.cancel()
        let error = try await #require(throws: JobError.self) { try await run.value }
        #expect(error.error.kind == .cancelled)
        #expect(error.report.ok == false)
        #expect(error.report.ranges == [CopyReport.Range(offset: 0, length: 500 * 512, method: .xcopy)])
    }

    @Test("offload fails mid-way: the first and last block of every command it completed are checked before the prefix counts")
    func failedOffloadPrefixCheckedPerCommand() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 8)
        // Commands of 500 blocks; the array said the first one was done but left its last block
        // (499) alone. The prefix's own ends (0 and 999) are fine.
        let lie = FakeEngine.Behaviour.failAfterDropping(1000, .permanent, commandBlocks: 500, dropped: 499)
        let progress = ProgressMaximum()
        let r = try await job(f, options: xcopy(), offload: lie).run { progress.see($0) }
        #expect(r.ok)
        // What the lie claimed is taken back: progress never passes the total (a bar would trap).
        #expect(progress.most <= progress.total && progress.last == progress.total, "\(progress.most) of \(progress.total)")
        #expect(try f.contents(1) == f.contents(0))
        #expect(r.ranges.map(\.method) == [.host], "nothing of the failed run may count")
        #expect(r.warnings.contains { $0.contains("verification found wrong") })

        // Strict, on a fresh pair: the lie is a data error.
        let g = try JobFixture()
        try g.fill(0, seed: 8)
        var strict = xcopy()
        strict.strict = true
        let error = try await #require(throws: JobError.self) { try await job(g, options: strict, offload: lie).run() }
        #expect(error.error.kind == .data, "\(error.error)")
        #expect(error.report.ranges.isEmpty)
    }

    @Test("strict: the first failure ends the job with its kind and what was done")
    func strictStops() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 4)
        var o = xcopy(); o.strict = true
        let j = try await job(f, options: o, offload: .failAfter(500, .permanent))
        do {
            _ = try await j.run()
            Issue.record("strict mode fell back")
        } catch let e as JobError {
            #expect(e.error.kind == .permanent)
            #expect(e.report.ranges == [CopyReport.Range(offset: 0, length: 500 * 512, method: .xcopy)])
            #expect(!e.report.ok)
        }
    }

    @Test("strict: a lying array is a data error, not a success")
    func strictLie() async throws {
        let f = try JobFixture()
        try f.fill(0, seed: 5)
        var o = xcopy(); o.strict = true
        let j = try await job(f, options: o, offload: .lie)
        await #expect(throws: JobError.self) { _ = try await j.run() }
    }

    @Test("space errors are not retried or worked around")
    func spaceIsFinal() async throws {
        let f = try JobFixture()
        let j = try await job(f, options: xcopy(), offload: .failAfter(10, .space))
        do { _ = try await j.run(); Issue.record("out of space was worked around") } catch let e as JobError {
            #expect(e.error.kind == .space)
        }
    }

    @Test("refusals: same LU, destination too small, block sizes offload cannot bridge")
    func refusals() async throws {
        let f = try JobFixture(blocks: 64, blockSizes: [512, 4096])
        let a = try await f.endpoint(0), b = try await f.endpoint(1)
        func refusal(_ s: CopyEndpoint, _ d: CopyEndpoint, _ o: CopyOptions = CopyOptions()) -> CopyError.Refusal? {
            do { _ = try CopyJob(source: s, destination: d, options: o, engines: CopyEngines.make).preflight(); return nil } catch let e as CopyError {
                return e.refusal
            } catch { return nil }
        }
        #expect(refusal(a, a) == .sameLogicalUnit)
        #expect(refusal(a, b) == nil, "512 -> 4096: the host path bridges them")
        #expect(refusal(a, b, xcopy()) == .blockSizeMismatch)
        var odx = CopyOptions(); odx.method = .odx
        #expect(refusal(a, b, odx) == .blockSizeMismatch)
        var partial = CopyOptions(); partial.length = 512 * 12
        #expect(refusal(a, b, partial) == .badRange, "not whole 4096-byte units")
        let g = try JobFixture(blocks: 64, blockSizes: [512, 512])
        let big = try await g.endpoint(0)
        let h = try JobFixture(blocks: 32, blockSizes: [512])
        let small = try await h.endpoint(0)
        #expect(refusal(big, small) == .destinationTooSmall)
        var o = CopyOptions(); o.offset = 100
        #expect(refusal(big, try await g.endpoint(1), o) == .badRange)
    }

    @Test("512 -> 4096 and back: the job picks the host, full verification compares bytes")
    func blockSizesBridgedByTheHost() async throws {
        let f = try JobFixture(blocks: 512, blockSizes: [512, 4096, 512])
        try f.fill(0, seed: 9)
        var o = CopyOptions(); o.verify = .full
        let up = try await CopyJob(source: f.endpoint(0), destination: f.endpoint(1), options: o, engines: CopyEngines.make).run()
        #expect(up.ok && up.method == "host" && up.verified == .full)
        #expect(up.ranges == [CopyReport.Range(offset: 0, length: 512 * 512, method: .host)])
        #expect(Array(try f.contents(1).prefix(512 * 512)) == (try f.contents(0)))
        let down = try await CopyJob(source: f.endpoint(1), destination: f.endpoint(2), options: { var d = o; d.length = 512 * 512; return d }(),
                                     engines: CopyEngines.make).run()
        #expect(down.ok && down.method == "host")
        #expect(try f.contents(2) == (try f.contents(0)))
    }

    func xcopy() -> CopyOptions {
        var o = CopyOptions()
        o.method = .xcopy
        return o
    }
}
