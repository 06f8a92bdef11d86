import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire

/// Copies through this host: READ(16) from the source, WRITE(16) to the destination, pipelined.
///
/// The extent is cut into chunks (`HostCopyChunkSizer`: the smaller MAXIMUM TRANSFER LENGTH,
/// a sane OPTIMAL TRANSFER LENGTH, 1 MiB by default, never above 8 MiB). Up to `queueDepth`
/// tasks are in flight at once, each with one command outstanding at a time (two while a
/// zeroed range is read back): a chunk's READ, then its WRITE as soon as that read completes
/// (writes go out in order of completion and each chunk is written exactly once), or the
/// putting down of a run of zero chunks. Chunk *i* uses source session *i* mod `sources.count`
/// and destination session *i* mod `destinations.count` (round robin over the sessions given).
///
/// Between LUs of different block sizes (one a multiple of the other) extents count in units of
/// the larger (`BlockSizeBridge`): each side is read or written in its own blocks, chunks are
/// sized from each side's limits, and zeros go down in the destination's blocks.
///
/// **Memory is bounded: at most `queueDepth` chunk buffers are held at any time** (one per
/// task, taken from `buffers` before a READ and given back when the chunk is written or turns
/// out to be zeros), plus one shared buffer of zeros where zeros must be written as data.
/// Buffers are reused from chunk to chunk and data moves through them in place
/// (`SCSIBufferedCommand`): no per-megabyte allocation or copy. `buffers` counts them, so the
/// bound can be checked.
///
/// Chunks of zeros (read as zeros, or holes GET LBA STATUS reports in a thin source) are not
/// written when `keepDestinationThin` is set (the default). Consecutive ones are gathered into
/// runs (`HostCopyZeroRuns`, at most `zeroRunChunks`) and each run goes down as one range
/// through `HostCopyZeroChunkWriter`: skipped where the destination already reads zeros (the
/// caller's `destinationKnownZeroed`, GET LBA STATUS on a thin LU with LBPRZ, or a read of the
/// destination), else deallocated (WRITE SAME(16) UNMAP with LBPWS + LBPRZ, else UNMAP with
/// LBPU + LBPRZ), else zeroed by the array (WRITE SAME(16)), else written as data. One command
/// per run instead of per chunk matters where every command is expensive.
///
/// Progress reports the blocks landed so far (cumulative, any order) each time a chunk or a
/// run lands. On failure nothing new is started, tasks in flight finish, and the first error is
/// thrown (classified as `CopyError`) with `completedBlocks` = the longest prefix of the extent
/// whose chunks all landed (a zero chunk lands with its run). Cancellation likewise stops
/// issuing, lets in-flight tasks finish (their commands are not aborted) and throws
/// `.cancelled` with that prefix. The source only ever receives READ(16) (and GET LBA STATUS).
/// A command answered BUSY, TASK SET FULL or UNIT ATTENTION was not run and is sent again
/// until the command's deadline (`ResendingDevice`) before that answer counts as a failure.
public struct HostCopyEngine: CopyEngine {
    public var method: CopyMethod { .host }
    /// Sessions to the source LU; the first one's report describes it.
    public let sources: [CopyEndpoint]
    /// Sessions to the destination LU; the first one's report describes it.
    public let destinations: [CopyEndpoint]
    public let options: HostCopyOptions
    public let statistics: CopyStatistics
    /// Units (`bridge`) per READ/WRITE: blocks, when both sides have one block size.
    public let chunkBlocks: Int
    /// The unit extents count in; nil when the block sizes cannot be bridged (the copy then
    /// refuses to start).
    public let bridge: BlockSizeBridge?
    /// False when one unit of the larger block size is more than a side's MAXIMUM TRANSFER
    /// LENGTH allows in one command (the copy then refuses to start).
    private let unitFitsTransferLimits: Bool
    /// What the destination offers for chunks of zeros.
    public let provisioning: HostCopyDestinationProvisioning
    /// Chunk buffers, reused and counted (now and at peak) across every copy this engine runs.
    public let buffers: HostCopyBufferPool

    public init(sources: [CopyEndpoint], destinations: [CopyEndpoint], statistics: CopyStatistics = CopyStatistics(),
                options: HostCopyOptions = HostCopyOptions(), buffers: HostCopyBufferPool = HostCopyBufferPool()) {
        self.sources = options.resendNotRun ? sources.map { $0.resending(statistics) } : sources
        self.destinations = options.resendNotRun ? destinations.map { $0.resending(statistics) } : destinations
        self.statistics = statistics
        self.options = options
        self.buffers = buffers
        let s = sources.first?.report, d = destinations.first?.report
        let bsS = sources.first?.blockSize ?? 512, bsD = destinations.first?.blockSize ?? bsS
        let bridge = BlockSizeBridge(source: bsS, destination: bsD)
        self.bridge = bridge
        if let bridge, !bridge.isIdentity {
            // Each side's limits in its own blocks, then the smaller in whole units.
            let unit = bridge.unitBytes
            let sBytes = HostCopyChunkSizer.chunkBlocks(source: s?.blockLimits.value, destination: nil, blockSize: bsS,
                                                        requested: options.chunkBlocks.map { $0 * unit / bsS }) * bsS
            let dBytes = HostCopyChunkSizer.chunkBlocks(source: nil, destination: d?.blockLimits.value, blockSize: bsD,
                                                        requested: options.chunkBlocks.map { $0 * unit / bsD }) * bsD
            chunkBlocks = Swift.max(1, Swift.min(sBytes, dBytes) / unit)
            unitFitsTransferLimits = Swift.min(sBytes, dBytes) >= unit
        } else {
            unitFitsTransferLimits = true
            chunkBlocks = HostCopyChunkSizer.chunkBlocks(source: s?.blockLimits.value, destination: d?.blockLimits.value,
                                                         blockSize: bsS, requested: options.chunkBlocks)
        }
        provisioning = d.map(HostCopyDestinationProvisioning.init(report:))
            ?? HostCopyDestinationProvisioning(readsZeroWhenUnmapped: false, thin: false, supportsWriteSameUnmap: false, supportsUnmap: false)
    }

    /// One session each way.
    public init(source: CopyEndpoint, destination: CopyEndpoint, statistics: CopyStatistics = CopyStatistics(),
                options: HostCopyOptions = HostCopyOptions(), buffers: HostCopyBufferPool = HostCopyBufferPool()) {
        self.init(sources: [source], destinations: [destination], statistics: statistics, options: options, buffers: buffers)
    }

    public var queueDepth: Int { Swift.max(1, options.queueDepth) }

    public func copy(_ extent: CopyExtent, progress: @escaping @Sendable (UInt64) -> Void) async throws -> EngineOutcome {
        let bridge = try validate(extent)
        guard extent.blocks > 0 else { return EngineOutcome(blocks: 0) }
        let chunks = extent.chunks(of: UInt64(chunkBlocks))
        var ledger = HostCopyLandedPrefix(chunkBlocks: chunks.map(\.blocks))
        var zeroRuns = HostCopyZeroRuns(chunks: chunks.count, maximumChunks: options.zeroRunChunks)
        let zeros = HostCopyZeroChunkWriter(provisioning: provisioning, options: options, blockSize: bridge.destinationBlockSize,
                                            statistics: statistics, pool: buffers,
                                            pieceBlocks: chunkBlocks * Int(bridge.destinationBlocksPerUnit))
        let holes = HostCopySourceHoles(source: sources[0], enabled: options.skipSourceHoles, statistics: statistics,
                                        timeout: options.commandTimeout)
        var failure: CopyError?
        var cancelled = false
        if options.keepDestinationThin {
            await holes.prime(lba: extent.sourceLBA * bridge.sourceBlocksPerUnit, on: sources[0].device)
        }

        await withTaskGroup(of: Finished.self) { group in
            var next = 0, inFlight = 0
            var runsToPlace: [Range<Int>] = []
            while true {
                if Task.isCancelled { cancelled = true }
                // Runs of zeros first: their chunks are read already and only wait for this.
                while inFlight < queueDepth, failure == nil, !cancelled {
                    if !runsToPlace.isEmpty {
                        let run = runsToPlace.removeFirst()
                        group.addTask { .run(run, await self.shielded(run: run, of: chunks, zeros: zeros, bridge: bridge)) }
                    } else if next < chunks.count {
                        let i = next, chunk = chunks[i]
                        group.addTask { .chunk(i, await self.shielded(chunk, index: i, holes: holes, bridge: bridge)) }
                        next += 1
                    } else {
                        break
                    }
                    inFlight += 1
                }
                guard let finished = await group.next() else { break }
                inFlight -= 1
                switch finished {
                case let .chunk(index, .landed):
                    ledger.land(index)
                    progress(ledger.landedBlocks)
                    runsToPlace += zeroRuns.complete(index, zeros: false)
                case let .chunk(index, .zeros):
                    runsToPlace += zeroRuns.complete(index, zeros: true)
                case let .run(run, nil):
                    for index in run { ledger.land(index) }
                    progress(ledger.landedBlocks)
                case let .chunk(_, .failed(error)), let .run(_, error?):
                    if error.kind == .cancelled { cancelled = true } else if failure == nil, !cancelled { failure = error }
                }
            }
        }

        if var failure {
            failure.method = .host
            failure.completedBlocks = ledger.prefixBlocks
            throw failure
        }
        guard !cancelled, ledger.isComplete else {
            throw CopyError(.cancelled, method: .host,
                            "host copy cancelled: \(ledger.prefixBlocks) of \(extent.blocks) blocks certainly copied",
                            completedBlocks: ledger.prefixBlocks)
        }
        return EngineOutcome(blocks: extent.blocks)
    }

    /// What a task of the copy ended with.
    private enum Finished: Sendable {
        case chunk(Int, ChunkOutcome)
        /// A run of zero chunks put down: nil when it landed.
        case run(Range<Int>, CopyError?)
    }

    private enum ChunkOutcome: Sendable {
        /// Written to the destination.
        case landed
        /// The chunk is zeros: it lands when its run is put down.
        case zeros
        case failed(CopyError)
    }

    /// Runs one chunk in a task of its own, so cancelling the copy does not abort its commands
    /// halfway: an issued chunk always finishes (lands, turns out zeros, or fails).
    private func shielded(_ chunk: CopyExtent, index: Int, holes: HostCopySourceHoles, bridge: BlockSizeBridge) async -> ChunkOutcome {
        await Task { await self.move(chunk, index: index, holes: holes, bridge: bridge) }.value
    }

    /// Puts a run of zero chunks down as one range, likewise shielded; nil when it landed.
    private func shielded(run: Range<Int>, of chunks: [CopyExtent], zeros: HostCopyZeroChunkWriter,
                          bridge: BlockSizeBridge) async -> CopyError? {
        let first = chunks[run.lowerBound]
        let units = chunks[run].reduce(0) { $0 + $1.blocks }
        let destination = destinations[run.lowerBound % destinations.count]
        let k = bridge.destinationBlocksPerUnit
        return await Task { () -> CopyError? in
            do {
                _ = try await zeros.place(lba: first.destinationLBA * k, blocks: units * k, on: destination.device)
                return nil
            } catch {
                return Self.classify(error, at: first.sourceLBA)
            }
        }.value
    }

    /// Reads one chunk and writes it to the destination, or finds it is zeros (a hole in the
    /// source, or read as zeros) to be put down with its run.
    private func move(_ chunk: CopyExtent, index: Int, holes: HostCopySourceHoles, bridge: BlockSizeBridge) async -> ChunkOutcome {
        let source = sources[index % sources.count], destination = destinations[index % destinations.count]
        let reader = BlockIO(device: source.device, blockSize: bridge.sourceBlockSize, statistics: statistics, timeout: options.commandTimeout)
        let writer = BlockIO(device: destination.device, blockSize: bridge.destinationBlockSize, statistics: statistics,
                             timeout: options.commandTimeout)
        let length = Int(chunk.blocks) * bridge.unitBytes
        let ks = bridge.sourceBlocksPerUnit, kd = bridge.destinationBlocksPerUnit
        do {
            // A deallocated source chunk reads as zeros: no need to read it.
            if options.keepDestinationThin, await holes.isHole(lba: chunk.sourceLBA * ks, blocks: chunk.blocks * ks, on: source.device) {
                return .zeros
            }
            let buffer = buffers.take(capacity: length)
            return try await buffers.using(buffer) {
                try await reader.read(lba: chunk.sourceLBA * ks, blocks: Int(chunk.blocks * ks), into: buffer)
                if options.keepDestinationThin, buffer.isAllZero(length) { return .zeros }
                try await writer.write(lba: chunk.destinationLBA * kd, blocks: Int(chunk.blocks * kd), from: buffer)
                return .landed
            }
        } catch {
            return .failed(Self.classify(error, at: chunk.sourceLBA))
        }
    }

    private static func classify(_ error: Error, at sourceLBA: UInt64) -> CopyError {
        switch error {
        case var e as CopyError:
            e.method = e.method ?? .host
            return e
        case is CancellationError:
            return CopyError(.cancelled, method: .host, "chunk at source LBA \(sourceLBA) cancelled")
        default:
            return CopyError(.transport, method: .host, "chunk at source LBA \(sourceLBA): \(error)")
        }
    }

    /// Sessions present, one block size per side (bridgeable), the extent (in units) inside both LUs.
    private func validate(_ extent: CopyExtent) throws -> BlockSizeBridge {
        guard let s = sources.first, let d = destinations.first else {
            throw CopyError(.invalid, method: .host, "host copy needs at least one source and one destination session")
        }
        guard sources.allSatisfy({ $0.blockSize == s.blockSize }), destinations.allSatisfy({ $0.blockSize == d.blockSize }),
              let bridge else {
            throw CopyError(.invalid, method: .host, "block sizes \(s.blockSize) and \(d.blockSize): neither is a multiple of the other")
        }
        guard unitFitsTransferLimits else {
            throw CopyError(.invalid, method: .host, "one \(bridge.unitBytes)-byte block is more than a MAXIMUM TRANSFER LENGTH allows in one command")
        }
        let sourceUnits = s.blockCount / bridge.sourceBlocksPerUnit, destinationUnits = d.blockCount / bridge.destinationBlocksPerUnit
        let (sEnd, so) = extent.sourceLBA.addingReportingOverflow(extent.blocks)
        guard !so, sEnd <= sourceUnits else {
            throw CopyError(.invalid, method: .host, "source range \(extent.sourceLBA)+\(extent.blocks) is past the end of the source (\(sourceUnits) units of \(bridge.unitBytes) bytes)")
        }
        let (dEnd, dov) = extent.destinationLBA.addingReportingOverflow(extent.blocks)
        guard !dov, dEnd <= destinationUnits else {
            throw CopyError(.invalid, method: .host, "destination range \(extent.destinationLBA)+\(extent.blocks) is past the end of the destination (\(destinationUnits) units of \(bridge.unitBytes) bytes)")
        }
        return bridge
    }
}
