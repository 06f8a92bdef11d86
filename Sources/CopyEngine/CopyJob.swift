import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire

/// Copies one LU's range onto another: picks the method per pair, runs the engine, verifies
/// what the array claims, and in default mode falls back to the host from exactly where
/// offload stopped (as VAAI does), retrying offload only for transient errors. In strict mode
/// any failure ends the job with its classified error.
public final class CopyJob: @unchecked Sendable {
    public typealias EngineFactory = @Sendable (CopyMethod, CopyEndpoint, CopyEndpoint, CopyPlan, CopyStatistics, CopyOptions) throws -> any CopyEngine

    public let source: CopyEndpoint
    public let destination: CopyEndpoint
    public let options: CopyOptions
    public let statistics = CopyStatistics()
    private let makeEngine: EngineFactory

    public init(source: CopyEndpoint, destination: CopyEndpoint, options: CopyOptions, engines: @escaping EngineFactory) {
        self.source = source
        self.destination = destination
        self.options = options
        self.makeEngine = engines
    }

    /// Progress as bytes done, and the method copying right now.
    public struct Progress: Sendable {
        public var bytesDone: UInt64
        public var bytesTotal: UInt64
        public var method: CopyMethod
    }

    /// Checks that the copy makes sense before anything is sent, and returns the extent, in
    /// blocks, or in units of the larger block size when the two differ (`BlockSizeBridge`).
    public func preflight() throws -> CopyExtent {
        if let a = source.report.copyDesignator, a == destination.report.copyDesignator {
            throw CopyError.refused(.sameLogicalUnit, "destination is the source (same \(a.type) designator \(a.valueText))")
        }
        let unit = try bridge().unitBytes
        let sourceBytes = source.report.capacity.byteCount
        guard options.offset % UInt64(unit) == 0, (options.length ?? 0) % UInt64(unit) == 0 else {
            throw CopyError.refused(.badRange, "offset and length must be multiples of the block size (\(unit)\(source.blockSize == destination.blockSize ? "" : ", the larger of the two"))")
        }
        guard options.offset <= sourceBytes else { throw CopyError.refused(.badRange, "offset \(options.offset) is past the end of the source (\(sourceBytes) bytes)") }
        let length = options.length ?? (sourceBytes - options.offset)
        guard length % UInt64(unit) == 0 else {
            throw CopyError.refused(.blockSizeMismatch, "the source (\(sourceBytes) bytes from offset \(options.offset)) is not a whole number of \(unit)-byte destination blocks")
        }
        guard options.offset + length <= sourceBytes else {
            throw CopyError.refused(.badRange, "offset + length (\(options.offset + length)) is past the end of the source (\(sourceBytes) bytes)")
        }
        guard options.offset + length <= destination.report.capacity.byteCount else {
            throw CopyError.refused(.destinationTooSmall, "destination (\(destination.report.capacity.byteCount) bytes) is smaller than the source range (ends at \(options.offset + length))")
        }
        let lba = options.offset / UInt64(unit)
        return CopyExtent(sourceLBA: lba, destinationLBA: lba, blocks: length / UInt64(unit))
    }

    /// Different block sizes are only bridged by the host path, and only where one is a
    /// multiple of the other; offload is refused for them (what EXTENDED COPY could do on some
    /// arrays, the engines here do not).
    func bridge() throws -> BlockSizeBridge {
        let s = source.blockSize, d = destination.blockSize
        guard let bridge = BlockSizeBridge(source: s, destination: d) else {
            throw CopyError.refused(.blockSizeMismatch, "block sizes differ (source \(s), destination \(d)) and neither is a multiple of the other")
        }
        if !bridge.isIdentity, options.method == .xcopy || options.method == .odx {
            throw CopyError.refused(.blockSizeMismatch, "block sizes differ (source \(s), destination \(d)): \(options.method.rawValue) addresses both in one block size; only the host path bridges them")
        }
        return bridge
    }

    /// The method and plan for this pair, honouring the user's choice.
    public func choose() throws -> (CopyMethod, PairVerdict) {
        let verdict = PairPlanner.decide(source: source.report, destination: destination.report)
        switch options.method {
        case .auto: return (CopyMethod(rawValue: verdict.method.rawValue)!, verdict)
        case .host: return (.host, verdict)
        case .xcopy, .odx:
            let wanted = CopyMethod(rawValue: options.method.rawValue)!
            guard verdict.method.rawValue == wanted.rawValue || Self.possible(wanted, verdict) else {
                throw CopyError(.permanent, method: wanted, "\(wanted.rawValue) is not possible for this pair: " + verdict.reasons.joined(separator: "; "))
            }
            return (wanted, verdict)
        }
    }

    static func possible(_ m: CopyMethod, _ v: PairVerdict) -> Bool {
        // The planner prefers ODX; XCOPY may still be possible when ODX was chosen.
        m == .xcopy && v.method == .odx && !v.reasons.contains { $0.hasPrefix("XCOPY not used") }
    }

    /// Runs the copy. Throws `CopyError` (with the report so far in `partialReport`) when it
    /// cannot finish; returns the report when the destination holds the range.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> CopyReport {
        let started = ContinuousClock.now
        var report = CopyReport()
        let extent = try preflight()
        let (method, verdict) = try choose()
        // Extents count in units: the block, or the larger block size when the sides differ.
        let bs = UInt64(try bridge().unitBytes)
        let total = extent.blocks * bs
        let doneCounter = ProgressCounter()
        // Verification reads, like host copy commands, ride through answers that say "not run".
        let verifier = Verifier(source: BlockIO(device: source.resending(statistics).device, blockSize: source.blockSize,
                                                statistics: statistics, timeout: options.commandTimeout),
                                destination: BlockIO(device: destination.resending(statistics).device,
                                                     blockSize: destination.blockSize, statistics: statistics, timeout: options.commandTimeout))

        // One engine per method for the whole job: what it learns (a lower segment limit the
        // array enforces, list identifiers in use) must outlive a retry or a resumption.
        var engines: [CopyMethod: any CopyEngine] = [:]

        func finish(ok: Bool) -> CopyReport {
            var r = report
            r.rodTokens = (engines[.odx] as? ODXEngine)?.tokenSemantics.rawValue
            r.ok = ok
            r.seconds = Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            r.hostBytesRead = statistics.hostBytesRead
            r.hostBytesWritten = statistics.hostBytesWritten
            r.commands = statistics.commands
            r.warnings += statistics.warnings.filter { !r.warnings.contains($0) }
            return r
        }

        var remaining = extent
        var current = method
        var retries = 0
        // The offload method to go back to once a slice went through the host.
        var resumeOffload: CopyMethod?
        var resumptions = 0
        report.verified = method == .host ? (options.verify == .full ? .full : .none) : options.verify == .none ? .sampled : options.verify
        // Cancelled between engine runs: the report still says what was copied.
        func stopIfCancelled() throws {
            guard Task.isCancelled else { return }
            throw JobError(error: CopyError(.cancelled, method: current, "cancelled at byte \(remaining.sourceLBA * bs)"),
                           report: finish(ok: false))
        }
        while remaining.blocks > 0 {
            try stopIfCancelled()
            let engine: any CopyEngine
            if let existing = engines[current] {
                engine = existing
            } else {
                do {
                    engine = try makeEngine(current, source, destination, verdict.plan, statistics, options)
                    engines[current] = engine
                } catch let e as CopyError {
                    throw JobError(error: e, report: finish(ok: false))
                }
            }
            let base = doneCounter.value
            let currentMethod = current
            let run = current == .host && resumeOffload != nil
                ? remaining.prefix(Swift.max(1, options.hostSliceAfterTransientBytes / bs)) : remaining
            do {
                let outcome = try await engine.copy(run) { blocks in
                    doneCounter.set(base + blocks)
                    progress(Progress(bytesDone: (base + blocks) * bs, bytesTotal: total, method: currentMethod))
                }
                try await verify(remaining.prefix(outcome.blocks), commands: outcome.offloadedCommands, method: current, verifier: verifier)
                report.record(offset: remaining.sourceLBA * bs, length: outcome.blocks * bs, method: current)
                doneCounter.set(base + outcome.blocks)
                remaining = remaining.dropping(first: outcome.blocks)
                if outcome.blocks == 0 && remaining.blocks > 0 {
                    throw CopyError(.transport, method: current, "engine made no progress")
                }
                if current == .host, let back = resumeOffload {
                    current = back
                    resumeOffload = nil
                    retries = 0
                }
            } catch let e as CopyError {
                // Progress counted what the engine said landed; only a verified prefix stays.
                doneCounter.set(base)
                // What the engine certainly finished stays, once verified.
                let done = remaining.prefix(e.completedBlocks)
                if done.blocks > 0 {
                    do {
                        try await verify(done, commands: e.completedCommands, method: current, verifier: verifier)
                        report.record(offset: done.sourceLBA * bs, length: done.blocks * bs, method: current)
                        remaining = remaining.dropping(first: done.blocks)
                        doneCounter.set(base + done.blocks)
                    } catch let v as CopyError where v.kind == .data && !options.strict && current != .host {
                        // The array claimed blocks it did not copy: none of this run counts,
                        // the host copies it again.
                        report.fallbacks.append(CopyReport.Fallback(offset: remaining.sourceLBA * bs, reason: v.description, sense: nil))
                        report.warnings.append("\(current.rawValue) reported blocks done that verification found wrong; recopied through the host")
                        current = .host
                        resumeOffload = nil
                        retries = 0
                        continue
                    } catch let v as CopyError {
                        throw JobError(error: v, report: finish(ok: false))
                    }
                }
                let kind = e.kind
                let fallback = CopyReport.Fallback(offset: remaining.sourceLBA * bs, reason: e.description, sense: e.sense?.description)
                if options.strict || current == .host {
                    throw JobError(error: e, report: finish(ok: false))
                }
                switch kind {
                case .transient where retries < options.transientRetries:
                    retries += 1
                    try? await Task.sleep(for: options.transientRetryPause * (1 << (retries - 1)))
                    try stopIfCancelled()
                case .transient, .permanent, .data:
                    report.fallbacks.append(fallback)
                    if kind == .data {
                        // The array said GOOD and the data is not there: copy that part again.
                        report.warnings.append("\(current.rawValue) reported success but verification failed; recopied through the host")
                    }
                    // Only a transient failure earns offload another try, after a host slice.
                    if kind == .transient, options.hostSliceAfterTransientBytes > 0, resumptions < options.offloadResumptions {
                        resumeOffload = current
                        resumptions += 1
                    } else {
                        resumeOffload = nil
                    }
                    current = .host
                    retries = 0
                default:
                    throw JobError(error: e, report: finish(ok: false))
                }
            }
        }
        do {
            let flushed = try await DestinationCacheFlush.run(lba: extent.destinationLBA * bs / UInt64(destination.blockSize),
                                                              blocks: extent.blocks * bs / UInt64(destination.blockSize),
                                                              io: verifier.destination)
            if flushed == .notSupported {
                report.warnings.append("the destination accepts no SYNCHRONIZE CACHE: the copy was not flushed from a write cache")
            }
        } catch let e as CopyError {
            throw JobError(error: e, report: finish(ok: false))
        }
        if let odx = engines[.odx] as? ODXEngine, odx.requiresQuiescedSource {
            report.warnings.append("the array's tokens are not point-in-time (\(odx.tokenSemantics.rawValue)): a source written during the copy leaks into it; quiesce the source")
        }
        return finish(ok: true)
    }

    private func verify(_ extent: CopyExtent, commands: [CopyExtent], method: CopyMethod, verifier: Verifier) async throws {
        guard extent.blocks > 0 else { return }
        switch (method, options.verify) {
        case (_, .full): try await verifier.verifyFull(extent, method: method)
        case (.host, _): return  // the host wrote what it read
        default: try await verifier.verifySampled(extent, commands: commands.isEmpty ? [extent] : commands, method: method)
        }
    }
}

/// A job's failure with what it did before failing.
public struct JobError: Error, Sendable, CustomStringConvertible {
    public var error: CopyError
    public var report: CopyReport
    public var description: String { error.description }
}

final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var blocks: UInt64 = 0
    var value: UInt64 { lock.withLock { blocks } }
    func set(_ v: UInt64) { lock.withLock { blocks = v } }
}
