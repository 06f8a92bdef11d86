import Foundation
import SCSIWire

extension TokenManager {
    /// What a WRITE USING TOKEN copies from.
    enum CopySource: Sendable {
        case token(TokenRecord)
        /// The block device zero ROD token.
        case zeros
    }

    /// One accepted WRITE USING TOKEN.
    struct CopyJob: Sendable {
        var operation: TokenOperation
        var destination: LogicalUnit
        var ranges: [BlockDeviceRangeDescriptor]
        var requestedBlocks: UInt64
        var source: CopySource
        var offsetIntoROD: UInt64
        var deleteToken: Bool
        var senseFormat: SenseData.Format
    }

    enum CopyOutcome: Equatable, Sendable {
        case completed(UInt64)
        /// The partial-transfer fault stopped it after this many blocks.
        case truncated(UInt64)
        /// COPY OPERATION ABORT (or a LU removal) after this many blocks.
        case aborted(UInt64)
        case failed(SCSICommandError, UInt64)
    }

    /// WRITE USING TOKEN (SBC-3 5.51). Checks before anything is recorded, in CTL's order:
    /// - PARAMETER LIST LENGTH below 536 (or, CTL-style, above 536 + 16 × maximum ranges):
    ///   05/24/00 at CDB byte 10; fewer bytes arriving: 05/1A/00.
    /// - DATA LENGTH, range list length: 05/26/00 at byte 0 / 534. Too many ranges: as configured.
    /// - Destination ranges: 05/21/00, overlap 05/26/00 (no pointer), total above MAXIMUM TOKEN
    ///   TRANSFER SIZE 05/26/00 at that range's NUMBER OF LOGICAL BLOCKS.
    /// - List identifier in progress: as configured.
    /// - The token: zero ROD token (type 0xFFFF0001) unless disabled (05/23/01); otherwise one
    ///   this manager made and still has (05/23/04 unknown, or the dead token's 23/xx); with
    ///   remote use disabled, one whose source LU the nexus reaches (05/23/02).
    /// Then the operation exists (RRTI reports it, failures included):
    /// - Block sizes differ: 05/26/00, no pointer. OFFSET INTO ROD at or past the ROD's end (with
    ///   blocks to write): 05/26/00 at byte 8. Destination write protected: 07/27/00. Out-of-space
    ///   fault: 07/27/07 or 05/55/xx.
    /// The copy then runs (in the background with IMMED, if enabled); see `finish` for what it
    /// answers.
    func runWriteUsingToken(_ request: SCSIRequest, _ unit: LogicalUnit, _ directory: any LogicalUnitDirectory) throws -> SCSIResult {
        beginCommand()
        let (cdb, list) = try parseTokenCommand(request, as: WriteUsingToken.self)
        let requested = try checkRanges(list.ranges, of: unit, descriptorsAt: WriteUsingToken.headerLength)
        let key = OperationKey(nexus: request.initiator.nexus, listIdentifier: cdb.listIdentifier)
        try checkNotInProgress(key)

        let source: CopySource
        if list.rodToken.rodType == .blockDeviceZero {
            guard configuration.supportsZeroRODToken else { throw TokenSense.invalidToken(.unsupportedTokenType) }
            source = .zeros
        } else {
            source = .token(try acquire(list.rodToken, initiator: request.initiator, directory: directory))
        }
        var units = [unit]
        if case let .token(record) = source { units.append(record.source) }
        let background = list.immediate && configuration.supportsImmediate
        let op = TokenOperation(key: key, serviceAction: .writeUsingToken, background: background, units: units,
                                status: .init(copyOperationStatus: background ? .inProgressBackground : .inProgressForeground))
        do {
            try register(op)
        } catch {
            if case let .token(record) = source { releaseUse(record, touch: false) }
            throw error
        }
        let job = CopyJob(operation: op, destination: unit, ranges: list.ranges, requestedBlocks: requested, source: source,
                          offsetIntoROD: list.offsetIntoROD, deleteToken: list.deleteToken,
                          senseFormat: request.initiator.senseFormat)
        if let refusal = precheck(job) { return finish(job, .failed(refusal, 0)) }
        guard background else { return finish(job, copy(job)) }
        backgroundCopies.enter()
        copyQueue.async {
            _ = self.finish(job, self.copy(job))
            self.backgroundCopies.leave()
        }
        return .good()
    }

    /// Finds a live token and counts this use (which also resets its inactivity timer).
    func acquire(_ token: RODToken, initiator: InitiatorContext, directory: any LogicalUnitDirectory) throws -> TokenRecord {
        let now = self.now
        enum Lookup { case live(TokenRecord), dead(TokenDeath), unknown }
        let found = state.withLock { s -> Lookup in
            if let r = s.tokens[token] {
                if let death = r.death { return .dead(death) }
                r.activeUses += 1
                r.lastActive = now
                return .live(r)
            }
            if let death = s.tombstones[token] { return .dead(death) }
            return .unknown
        }
        switch found {
        case .unknown:
            throw TokenSense.invalidToken(.tokenUnknown)
        case let .dead(death):
            throw TokenSense.invalidToken(death.sense(configuration))
        case let .live(record):
            if directory.lun(of: record.source) == nil {
                let freed = state.withLock { s -> [TokenRecord] in
                    record.activeUses -= 1
                    if record.death == nil { record.death = .sourceRemoved }
                    return finalizeDeadLocked(&s)
                }
                release(freed)
                throw TokenSense.invalidToken(.tokenUnknown)
            }
            if !configuration.allowsRemoteTokenUse, !directory.isReachable(record.source, from: initiator) {
                releaseUse(record, touch: false)
                throw TokenSense.invalidToken(.remoteTokenUsageNotSupported)
            }
            return record
        }
    }

    /// Ends one use of a token: the inactivity timer restarts (`touch`), DEL_TKN kills it.
    func releaseUse(_ record: TokenRecord, touch: Bool, delete: Bool = false) {
        let now = self.now
        let freed = state.withLock { s -> [TokenRecord] in
            record.activeUses -= 1
            if touch { record.lastActive = now }
            if delete, record.death == nil { record.death = .deleted }
            return finalizeDeadLocked(&s)
        }
        release(freed)
    }

    /// The refusals CTL only meets once the copy started (so they are recorded for RRTI).
    func precheck(_ job: CopyJob) -> SCSICommandError? {
        let unit = job.destination
        if case let .token(record) = job.source {
            guard record.blockSize == unit.blockSize else { return TokenSense.invalidFieldInParameterListNoPointer }
            if job.requestedBlocks > 0, job.offsetIntoROD >= record.totalBlocks {
                return SCSICommandError.invalidFieldInParameterList(byte: 8)
            }
        }
        if unit.options.writeProtected { return SCSICommandError.writeProtected }
        if let asc = faults?.outOfSpace { return TokenSense.outOfSpace(asc) }
        return nil
    }

    /// Copies range by range, step by step: reads the ROD's next blocks (through the snapshot for
    /// a point-in-time token) and writes them to the destination, or writes zeros (unmapping on a
    /// thin LU that reads unmapped blocks as zeros). Before each step: the partial-transfer limit
    /// (read once, when the copy starts), the ROD's end, the `beforeCopyStep` hook, then abort and
    /// revocation of the token (so an abort or revocation made in the hook stops that step). Every
    /// destination write goes through `willModify` first (point-in-time tokens over the
    /// destination keep their data); the source is only ever read.
    func copy(_ job: CopyJob) -> CopyOutcome {
        let destination = job.destination
        let blockSize = destination.blockSize
        let stepBlocks = UInt64(Swift.max(1, configuration.copyChunkBytes / Swift.max(1, blockSize)))
        let limit = faults?.writeUsingTokenLimit
        let op = job.operation
        var done: UInt64 = 0
        var rodOffset = job.offsetIntoROD
        for range in job.ranges where range.numberOfLogicalBlocks > 0 {
            var lba = range.logicalBlockAddress
            var left = UInt64(range.numberOfLogicalBlocks)
            while left > 0 {
                if let limit, done >= limit { return .truncated(done) }
                var n = Swift.min(stepBlocks, left)
                if let limit { n = Swift.min(n, limit - done) }
                if case let .token(record) = job.source {
                    guard record.totalBlocks > rodOffset else { return .failed(TokenSense.invalidFieldInParameterListNoPointer, done) }
                    n = Swift.min(n, record.totalBlocks - rodOffset)
                }
                configuration.beforeCopyStep?(TokenCopyProgress(listIdentifier: op.key.listIdentifier, nexus: op.key.nexus,
                                                                blocksDone: done, blocksInStep: n,
                                                                blocksRequested: job.requestedBlocks, background: op.background))
                if op.isAbortRequested { return .aborted(done) }
                if case let .token(record) = job.source, state.withLock({ _ in record.death }) == .revoked {
                    return .failed(TokenSense.invalidToken(.tokenRevoked), done)
                }
                var data: [UInt8]?
                do {
                    if case let .token(record) = job.source {
                        data = try read(record, offset: rodOffset, count: n)
                    }
                    willModify(destination, lba: lba, count: n)
                    try storeCall(.writeError) {
                        if let data {
                            try destination.store.write(lba: lba, data: data)
                        } else if destination.reportsLBPRZ {
                            try destination.store.unmap(lba: lba, count: n)
                        } else {
                            try destination.store.writeSame(lba: lba, count: n, block: [UInt8](repeating: 0, count: blockSize))
                        }
                    }
                } catch let error as SCSICommandError {
                    return .failed(error, done)
                } catch {
                    return .failed(.internalTargetFailure, done)
                }
                done += n
                left -= n
                lba += n
                rodOffset += n
                let ops = data == nil ? 1 : 2
                op.update { $0.transferCount = done; $0.operationCounter += ops }
            }
        }
        return .completed(done)
    }

    /// ROD blocks `offset ..< offset + count`: the source as it is (AUR), or as it was at POPULATE
    /// TOKEN (point in time: saved blocks laid over the source, under the snapshot's lock so no
    /// write slips between).
    func read(_ record: TokenRecord, offset: UInt64, count: UInt64) throws -> [UInt8] {
        let extents = record.sourceExtents(offset: offset, count: count)
        let store = record.source.store
        guard let snapshot = record.snapshot else {
            return try storeCall(.unrecoveredReadError) {
                try extents.reduce(into: [UInt8]()) { $0 += try store.read(lba: $1.lba, count: Int($1.count)) }
            }
        }
        snapshot.lock.lock()
        defer { snapshot.lock.unlock() }
        guard !snapshot.revoked else { throw TokenSense.invalidToken(.tokenRevoked) }
        let blockSize = record.blockSize
        var out = [UInt8]()
        out.reserveCapacity(Int(count) * blockSize)
        for extent in extents {
            var chunk = try storeCall(.unrecoveredReadError) { try store.read(lba: extent.lba, count: Int(extent.count)) }
            if !snapshot.saved.isEmpty {
                for i in 0..<Int(extent.count) {
                    if let old = snapshot.saved[extent.lba + UInt64(i)] {
                        chunk.replaceSubrange((i * blockSize)..<((i + 1) * blockSize), with: old)
                    }
                }
            }
            out += chunk
        }
        return out
    }

    /// Records how the copy ended, lets go of the token (DEL_TKN deletes it, whatever the
    /// outcome, as CTL) and returns what a synchronous WUT answers:
    /// - completed: GOOD; RRTI 01h, transfer count = blocks written.
    /// - truncated (partial-transfer fault): CHECK CONDITION, COPY ABORTED, 0D/04 COPY TARGET
    ///   DEVICE DATA UNDERRUN, INFORMATION = blocks written; RRTI 03h (completed, partial ROD
    ///   token usage — the value Windows calls OPERATION_COMPLETED_WITH_RESIDUAL_DATA), EXTENDED
    ///   COPY COMPLETION STATUS 02h, that sense data, transfer count = blocks written. The
    ///   initiator resumes with OFFSET INTO ROD advanced by that count.
    /// - aborted: TASK ABORTED, no sense (CTL); RRTI 60h, completion status 40h, count so far.
    /// - failed: CHECK CONDITION with the error; RRTI 02h, completion status 02h, the sense.
    /// With IMMED the command already answered GOOD; RRTI is then the only report.
    func finish(_ job: CopyJob, _ outcome: CopyOutcome) -> SCSIResult {
        if case let .token(record) = job.source { releaseUse(record, touch: true, delete: job.deleteToken) }
        let now = self.now
        let op = job.operation
        switch outcome {
        case let .completed(blocks):
            op.complete(at: now) { $0.copyOperationStatus = .completedWithoutErrors; $0.transferCount = blocks }
            return .good()
        case let .truncated(blocks):
            let sense = TokenSense.truncated(blocksWritten: blocks).senseData(format: job.senseFormat).encoded()
            op.complete(at: now) {
                $0.copyOperationStatus = .completedPartialRODTokenUsage
                $0.transferCount = blocks
                $0.completionStatus = .checkCondition
                $0.sense = sense
            }
            return SCSIResult(status: .checkCondition, sense: sense)
        case let .aborted(blocks):
            op.complete(at: now) {
                $0.copyOperationStatus = .terminated
                $0.transferCount = blocks
                $0.completionStatus = .taskAborted
            }
            return SCSIResult(status: .taskAborted)
        case let .failed(error, blocks):
            let sense = error.senseData(format: job.senseFormat).encoded()
            op.complete(at: now) {
                $0.copyOperationStatus = .completedWithErrors
                $0.transferCount = blocks
                $0.completionStatus = .checkCondition
                $0.sense = sense
            }
            return SCSIResult(status: .checkCondition, sense: sense)
        }
    }
}
