import SCSITransport
import SCSIWire

extension ODXEngine {
    /// What is done of an extent, in order from its start (ODX runs one operation at a time).
    final class Ledger {
        let extent: CopyExtent
        let progress: @Sendable (UInt64) -> Void
        private(set) var done: UInt64 = 0
        private(set) var commands: [CopyExtent] = []

        init(extent: CopyExtent, progress: @escaping @Sendable (UInt64) -> Void) {
            self.extent = extent
            self.progress = progress
        }

        var sourceLBA: UInt64 { extent.sourceLBA + done }
        var destinationLBA: UInt64 { extent.destinationLBA + done }
        var remaining: UInt64 { extent.blocks - done }

        /// One WRITE USING TOKEN wrote `blocks` from where the copy stands.
        func wrote(_ blocks: UInt64) {
            let n = min(blocks, remaining)
            guard n > 0 else { return }
            commands.append(CopyExtent(sourceLBA: sourceLBA, destinationLBA: destinationLBA, blocks: n))
            done += n
            progress(done)
        }
    }

    /// How one token's (or one zero run's) worth of copying ended, short of an error.
    enum PieceEnd {
        case done
        /// The token died: populate again for the rest.
        case tokenDead(CopyError)
        /// No error, but nothing (more) could be written with this token.
        case stalled(String)
        /// Try again at once (a limit was lowered); not a failure.
        case retry
    }

    public func copy(_ extent: CopyExtent, progress: @escaping @Sendable (UInt64) -> Void) async throws -> EngineOutcome {
        guard extent.blocks > 0 else { return EngineOutcome(blocks: 0) }
        let inFlight = OffloadInFlight<ODXOperationTag>()
        let ledger = Ledger(extent: extent, progress: progress)
        do {
            try await withTaskCancellationHandler {
                try await run(ledger, inFlight: inFlight)
            } onCancel: {
                inFlight.cancel()
            }
        } catch {
            await inFlight.waitForAborts()
            var e = error as? CopyError ?? CopyError(.transient, method: .odx, "\(error)")
            if inFlight.isCancelled || Task.isCancelled {
                e = CopyError(.cancelled, method: .odx, "ODX copy cancelled after \(ledger.done) of \(extent.blocks) blocks")
            }
            e.completedBlocks = ledger.done
            e.completedCommands = ledger.commands
            throw e
        }
        await inFlight.waitForAborts()
        return EngineOutcome(blocks: ledger.done, offloadedCommands: ledger.commands)
    }

    func run(_ ledger: Ledger, inFlight: OffloadInFlight<ODXOperationTag>) async throws {
        var map = ODXProvisioningMap(extent: ledger.extent, sender: sender(source), state: state, enabled: usesZeroToken)
        var fruitless = 0  // token deaths and stalls in a row without progress
        while ledger.remaining > 0 {
            if inFlight.isCancelled || Task.isCancelled {
                throw CopyError(.cancelled, method: .odx, "cancelled")
            }
            let before = ledger.done
            let here = try await map.run(at: ledger.done)
            let end: PieceEnd
            if here.deallocated, here.blocks >= minimumZeroRun, !state.zeroTokenRefused {
                end = try await writeZeros(ledger, blocks: here.blocks, inFlight: inFlight)
            } else {
                let window = try await dataWindow(&map, from: ledger.done)
                end = try await copyWithToken(ledger, blocks: window, inFlight: inFlight)
            }
            if ledger.done > before { fruitless = 0 }
            switch end {
            case .done, .retry:
                continue
            case let .tokenDead(error):
                if ledger.done == before { fruitless += 1 }
                if fruitless > options.tokenRetries {
                    var e = error
                    e.kind = .transient
                    e.message += "; the token was invalidated \(fruitless) times in a row without progress"
                    throw e
                }
            case let .stalled(why):
                if ledger.done == before { fruitless += 1 }
                if fruitless > options.tokenRetries {
                    throw CopyError(.transient, method: .odx, "\(why); no progress in \(fruitless) attempts")
                }
            }
        }
    }

    /// Blocks from `offset` one token should cover: data and short deallocated runs, up to the
    /// next long deallocated run (left to the zero token) or the token's capacity.
    func dataWindow(_ map: inout ODXProvisioningMap, from offset: UInt64) async throws -> UInt64 {
        let cap = min(blocksPerToken, map.extent.blocks - offset)
        var length: UInt64 = 0
        while length < cap {
            let r = try await map.run(at: offset + length)
            if r.deallocated, r.blocks >= minimumZeroRun, length > 0, !state.zeroTokenRefused { break }
            length += min(r.blocks, cap - length)
        }
        return max(1, length)
    }

    /// `blocks` from `start` cut into range descriptors of at most `blocksPerRange`.
    func ranges(from start: UInt64, blocks: UInt64) -> [BlockDeviceRangeDescriptor] {
        var out: [BlockDeviceRangeDescriptor] = []
        var at: UInt64 = 0
        while at < blocks {
            let n = min(blocksPerRange, blocks - at)
            out.append(BlockDeviceRangeDescriptor(logicalBlockAddress: start + at, numberOfLogicalBlocks: UInt32(n)))
            at += n
        }
        return out
    }

    /// POPULATE TOKEN over the next `blocks` of the source, then WRITE USING TOKEN until the
    /// token is used up (DEL_TKN on the write that takes its last block), it dies, or a write
    /// makes no progress.
    func copyWithToken(_ ledger: Ledger, blocks: UInt64, inFlight: OffloadInFlight<ODXOperationTag>) async throws -> PieceEnd {
        let sourceRanges = ranges(from: ledger.sourceLBA, blocks: blocks)
        let token: Token
        switch try await populate(sourceRanges, inFlight: inFlight) {
        case let .token(t):
            token = t
        case .tooManyRanges:
            guard sourceRanges.count > 1 else {
                throw CopyError(.permanent, method: .odx, "POPULATE TOKEN with one range descriptor refused with TOO MANY SEGMENT DESCRIPTORS")
            }
            state.refused(ranges: sourceRanges.count)
            return .retry
        }
        state.rodType = token.rodType

        var offset: UInt64 = 0
        while offset < token.blocks {
            if inFlight.isCancelled || Task.isCancelled { throw CopyError(.cancelled, method: .odx, "cancelled") }
            let n = min(token.blocks - offset, blocksPerWrite)
            let last = offset + n == token.blocks
            let target = ranges(from: ledger.destinationLBA, blocks: n)
            switch try await write(token, offset: offset, to: target, deleteToken: last, inFlight: inFlight) {
            case let .written(k):
                ledger.wrote(k)
                offset += k
                if k < n {
                    // Partial: carry on from where it stopped, unless the token went with
                    // DEL_TKN (then it is populated again for the rest).
                    if k == 0 { return .stalled("WRITE USING TOKEN wrote nothing") }
                    if last { return .done }
                }
            case let .tokenDead(k, error):
                ledger.wrote(k)
                return .tokenDead(error)
            case .tooManyRanges:
                guard target.count > 1 else {
                    throw CopyError(.permanent, method: .odx, "WRITE USING TOKEN with one range descriptor refused with TOO MANY SEGMENT DESCRIPTORS")
                }
                state.refused(ranges: target.count)
            case let .failed(k, error):
                ledger.wrote(k)
                throw error
            case let .cancelled(k):
                ledger.wrote(k)
                throw CopyError(.cancelled, method: .odx, "cancelled")
            }
        }
        return .done
    }

    /// `blocks` of the destination from where the copy stands written with the zero ROD token
    /// (the source has them deallocated). A copy manager that refuses the zero token turns it
    /// off for the rest of the copy; those blocks are then copied like data.
    func writeZeros(_ ledger: Ledger, blocks: UInt64, inFlight: OffloadInFlight<ODXOperationTag>) async throws -> PieceEnd {
        var left = blocks
        while left > 0 {
            if inFlight.isCancelled || Task.isCancelled { throw CopyError(.cancelled, method: .odx, "cancelled") }
            let n = min(left, blocksPerWrite)
            let target = ranges(from: ledger.destinationLBA, blocks: n)
            switch try await write(.zero, offset: 0, to: target, deleteToken: false, inFlight: inFlight) {
            case let .written(k):
                ledger.wrote(k)
                left -= min(k, left)
                if k == 0 { return .stalled("WRITE USING TOKEN with the zero ROD token wrote nothing") }
            case .tooManyRanges:
                guard target.count > 1 else {
                    throw CopyError(.permanent, method: .odx, "WRITE USING TOKEN with one range descriptor refused with TOO MANY SEGMENT DESCRIPTORS")
                }
                state.refused(ranges: target.count)
            case let .tokenDead(k, error), let .failed(k, error):
                ledger.wrote(k)
                if k == 0, error.sense?.key == .illegalRequest {
                    state.refuseZeroToken("the zero ROD token was refused (\(error.sense.map(\.description) ?? error.message)): deallocated ranges are copied as data")
                    return .done
                }
                throw error
            case let .cancelled(k):
                ledger.wrote(k)
                throw CopyError(.cancelled, method: .odx, "cancelled")
            }
        }
        return .done
    }
}
