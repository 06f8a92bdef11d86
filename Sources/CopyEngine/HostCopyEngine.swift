import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire

/// Copies through this host: READ(16) from the source, WRITE(16) to the destination, pipelined.
///
/// The extent is cut into chunks (`HostCopyChunkSizer`: the smaller MAXIMUM TRANSFER LENGTH,
/// a sane OPTIMAL TRANSFER LENGTH, 1 MiB by default, never above 8 MiB). Up to `queueDepth`
/// chunks are in flight at once, each with exactly one command outstanding: its READ, then its
/// WRITE as soon as that read completes, so writes go out in order of completion and each chunk
/// is written exactly once. Chunk *i* uses source session *i* mod `sources.count` and
/// destination session *i* mod `destinations.count` (round robin over the sessions given).
///
/// **Memory is bounded: at most `queueDepth` chunk buffers are held at any time** (one per
/// chunk in flight, taken from `buffers` before its READ and given back when its WRITE
/// completes or the chunk turns out to be zeros), plus one shared buffer of zeros where zeros
/// must be written. Buffers are reused from chunk to chunk and data moves through them in place
/// (`SCSIBufferedCommand`): no per-megabyte allocation or copy. `buffers` counts them, so the
/// bound can be checked.
///
/// A chunk of zeros is not written when `keepDestinationThin` is set (the default):
/// `HostCopyZeroChunkWriter` skips it when the destination already reads zeros there (the
/// caller's `destinationKnownZeroed`, GET LBA STATUS on a thin LU with LBPRZ, or a read of the
/// destination), else deallocates it (WRITE SAME(16) UNMAP with LBPWS + LBPRZ, else UNMAP with
/// LBPU + LBPRZ), else writes the zeros. Skipped chunks cost their source read only.
///
/// Progress reports the blocks landed so far (cumulative, any order) each time a chunk lands.
/// On failure no new chunk is started, those in flight finish, and the first error is thrown
/// (classified as `CopyError`) with `completedBlocks` = the longest prefix of the extent whose
/// chunks all landed. Cancellation likewise stops issuing, lets in-flight chunks finish (their
/// commands are not aborted) and throws `.cancelled` with that prefix. The source only ever
/// receives READ(16).
public struct HostCopyEngine: CopyEngine {
    public var method: CopyMethod { .host }
    /// Sessions to the source LU; the first one's report describes it.
    public let sources: [CopyEndpoint]
    /// Sessions to the destination LU; the first one's report describes it.
    public let destinations: [CopyEndpoint]
    public let options: HostCopyOptions
    public let statistics: CopyStatistics
    /// Blocks per READ/WRITE.
    public let chunkBlocks: Int
    /// What the destination offers for chunks of zeros.
    public let provisioning: HostCopyDestinationProvisioning
    /// Chunk buffers, reused and counted (now and at peak) across every copy this engine runs.
    public let buffers: HostCopyBufferPool

    public init(sources: [CopyEndpoint], destinations: [CopyEndpoint], statistics: CopyStatistics = CopyStatistics(),
                options: HostCopyOptions = HostCopyOptions(), buffers: HostCopyBufferPool = HostCopyBufferPool()) {
        self.sources = sources
        self.destinations = destinations
        self.statistics = statistics
        self.options = options
        self.buffers = buffers
        let s = sources.first?.report, d = destinations.first?.report
        chunkBlocks = HostCopyChunkSizer.chunkBlocks(source: s?.blockLimits.value, destination: d?.blockLimits.value,
                                                     blockSize: sources.first?.blockSize ?? 512, requested: options.chunkBlocks)
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
        try validate(extent)
        guard extent.blocks > 0 else { return EngineOutcome(blocks: 0) }
        let chunks = extent.chunks(of: UInt64(chunkBlocks))
        var ledger = HostCopyLandedPrefix(chunkBlocks: chunks.map(\.blocks))
        let zeros = HostCopyZeroChunkWriter(provisioning: provisioning, options: options, blockSize: sources[0].blockSize,
                                            statistics: statistics, pool: buffers)
        let holes = HostCopySourceHoles(source: sources[0], enabled: options.skipSourceHoles, statistics: statistics,
                                        timeout: options.commandTimeout)
        var failure: CopyError?
        var cancelled = false

        await withTaskGroup(of: (Int, CopyError?).self) { group in
            var next = 0
            while next < chunks.count, next < queueDepth {
                if Task.isCancelled { cancelled = true; break }
                let i = next, chunk = chunks[i]
                group.addTask { (i, await self.shielded(chunk, index: i, zeros: zeros, holes: holes)) }
                next += 1
            }
            while let (index, error) = await group.next() {
                if let error {
                    if error.kind == .cancelled { cancelled = true } else if failure == nil, !cancelled { failure = error }
                } else {
                    ledger.land(index)
                    progress(ledger.landedBlocks)
                }
                if Task.isCancelled { cancelled = true }
                if failure == nil, !cancelled, next < chunks.count {
                    let i = next, chunk = chunks[i]
                    group.addTask { (i, await self.shielded(chunk, index: i, zeros: zeros, holes: holes)) }
                    next += 1
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

    /// Runs one chunk in a task of its own, so cancelling the copy does not abort its commands
    /// halfway: an issued chunk always finishes (lands or fails).
    private func shielded(_ chunk: CopyExtent, index: Int, zeros: HostCopyZeroChunkWriter, holes: HostCopySourceHoles) async -> CopyError? {
        await Task { await self.move(chunk, index: index, zeros: zeros, holes: holes) }.value
    }

    /// Reads one chunk and puts it on the destination; nil when it landed.
    private func move(_ chunk: CopyExtent, index: Int, zeros: HostCopyZeroChunkWriter, holes: HostCopySourceHoles) async -> CopyError? {
        let source = sources[index % sources.count], destination = destinations[index % destinations.count]
        let bs = source.blockSize
        let reader = BlockIO(device: source.device, blockSize: bs, statistics: statistics, timeout: options.commandTimeout)
        let writer = BlockIO(device: destination.device, blockSize: bs, statistics: statistics, timeout: options.commandTimeout)
        let length = Int(chunk.blocks) * bs
        do {
            // A deallocated source chunk reads as zeros: place zeros without reading it.
            if options.keepDestinationThin, await holes.isHole(lba: chunk.sourceLBA, blocks: chunk.blocks, on: source.device) {
                _ = try await zeros.place(lba: chunk.destinationLBA, blocks: chunk.blocks, on: destination.device)
                return nil
            }
            let buffer = buffers.take(capacity: length)
            var holding = true
            defer { if holding { buffers.give(buffer) } }
            try await reader.read(lba: chunk.sourceLBA, blocks: Int(chunk.blocks), into: buffer)
            if options.keepDestinationThin, buffer.isAllZero(length) {
                holding = false
                buffers.give(buffer)
                _ = try await zeros.place(lba: chunk.destinationLBA, blocks: chunk.blocks, on: destination.device)
            } else {
                try await writer.write(lba: chunk.destinationLBA, blocks: Int(chunk.blocks), from: buffer)
            }
            return nil
        } catch var e as CopyError {
            e.method = e.method ?? .host
            return e
        } catch is CancellationError {
            return CopyError(.cancelled, method: .host, "chunk at source LBA \(chunk.sourceLBA) cancelled")
        } catch {
            return CopyError(.transport, method: .host, "chunk at source LBA \(chunk.sourceLBA): \(error)")
        }
    }

    /// Sessions present, one block size throughout, the extent inside both LUs.
    private func validate(_ extent: CopyExtent) throws {
        guard let s = sources.first, let d = destinations.first else {
            throw CopyError(.invalid, method: .host, "host copy needs at least one source and one destination session")
        }
        let bs = s.blockSize
        guard bs > 0, (sources + destinations).allSatisfy({ $0.blockSize == bs }) else {
            throw CopyError(.invalid, method: .host, "block sizes differ (source \(bs), destination \(d.blockSize)): the host engine does not convert them")
        }
        let (sEnd, so) = extent.sourceLBA.addingReportingOverflow(extent.blocks)
        guard !so, sEnd <= s.blockCount else {
            throw CopyError(.invalid, method: .host, "source range \(extent.sourceLBA)+\(extent.blocks) is past the end of the source (\(s.blockCount) blocks)")
        }
        let (dEnd, dov) = extent.destinationLBA.addingReportingOverflow(extent.blocks)
        guard !dov, dEnd <= d.blockCount else {
            throw CopyError(.invalid, method: .host, "destination range \(extent.destinationLBA)+\(extent.blocks) is past the end of the destination (\(d.blockCount) blocks)")
        }
    }
}
