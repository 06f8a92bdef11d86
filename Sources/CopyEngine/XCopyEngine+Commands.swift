import SCSITransport
import SCSIWire

extension XCopyEngine {
    /// Sends one EXTENDED COPY for `command` (again under another list identifier after 00/16)
    /// and says how it ended.
    func execute(_ command: XCopyCommand, extent: CopyExtent, cscds: [CSCDDescriptor],
                 inFlight: OffloadInFlight<XCopyCommand>) async -> Event {
        let sender = self.sender
        let pool = options.listIdentifiers
        let withIDs = usesListIdentifiers
        var offset = command.offset
        let descriptors: [SegmentDescriptor] = command.segmentBlocks.map { blocks in
            defer { offset += UInt64(blocks) }
            return .blockToBlock(BlockToBlockSegment(sourceCSCDIndex: 0, destinationCSCDIndex: 1, numberOfBlocks: blocks,
                                                     sourceLBA: extent.sourceLBA + offset,
                                                     destinationLBA: extent.destinationLBA + offset))
        }
        let timeout = scaledTimeout(bytes: command.blocks * UInt64(source.blockSize), fixed: options.commandTimeout)
        var inProgressRetries = 0

        while true {
            var id: UInt32?
            if withIDs {
                guard let got = pool.acquire() else {
                    return .failed(command, blocksDone: 0, CopyError(.transient, method: .xcopy, "every EXTENDED COPY list identifier is in use"))
                }
                id = got
            }
            let label = "EXTENDED COPY of \(command.segments.count) segment(s), \(command.blocks) blocks from source LBA \(extent.sourceLBA + command.offset)"
                + (id.map { " (list identifier \($0))" } ?? "")
            let list = ExtendedCopyLID1(listIdentifier: UInt8(id ?? 0), listIDUsage: withIDs ? .discard : .noListIdentifier,
                                        priority: min(options.priority, 7), cscdDescriptors: cscds, segmentDescriptors: descriptors)
            let bytes: [UInt8]
            do {
                bytes = try list.encoded()
            } catch {
                id.map(pool.release)
                return .failed(command, blocksDone: 0, CopyError(.permanent, method: .xcopy, "\(label): cannot build the parameter list: \(error)"))
            }
            guard inFlight.begin(id, sender: sender, abortable: supportsCopyOperationAbort, payload: command) else {
                id.map(pool.release)
                return .notIssued(command)
            }
            let response: SCSIResponse
            do {
                response = try await sender.send("EXTENDED COPY", cdb: ExtendedCopyLID1.cdb(parameterListLength: UInt32(bytes.count)),
                                                 data: .toDevice(bytes), timeout: timeout)
            } catch {
                inFlight.end(id)
                id.map(pool.release)
                let e = error as? CopyError ?? CopyError(.transport, method: .xcopy, "\(label): \(error)")
                return .failed(command, blocksDone: 0, e)
            }
            inFlight.end(id)

            if response.status == .good {
                id.map(pool.release)
                return .completed(command)
            }
            if let sense = response.sense {
                if sense.isOperationInProgress, inProgressRetries < options.operationInProgressRetries, !inFlight.isCancelled {
                    // Someone else's list under this identifier: take the next one.
                    inProgressRetries += 1
                    id.map(pool.release)
                    if !withIDs { try? await Task.sleep(for: .milliseconds(50 << min(inProgressRetries, 5))) }
                    continue
                }
                if sense.isTooManySegmentDescriptors {
                    id.map(pool.release)
                    return .tooManySegments(command)
                }
            }
            let done = await blocksDone(command, response: response, listIdentifier: id)
            id.map(pool.release)
            var error = CopyError.classify(response, method: .xcopy, command: label)
            if let sense = response.sense, sense.isLIOBlockSizeMismatch {
                error.kind = .permanent
                error.message += " (LIO's answer to source and destination block sizes that differ)"
            }
            if response.status == .taskAborted, inFlight.isCancelled {
                error = CopyError(.cancelled, method: .xcopy, "\(label): aborted after cancellation")
            }
            return .failed(command, blocksDone: done, error)
        }
    }

    /// Blocks of `command`, from its start, certainly copied although it failed. COPY ABORTED
    /// names the failing segment in COMMAND-SPECIFIC INFORMATION (fixed-format sense always
    /// carries the field, so a copy manager that leaves it 0 - LIO - is read as "nothing
    /// done"); RECEIVE COPY FAILURE DETAILS supplies sense the command lacked, RECEIVE COPY
    /// STATUS the segments processed. The residual (INFORMATION) of the failing segment is
    /// counted only where the copy manager has those commands; read as blocks, which can only
    /// undercount if a target reports it in bytes.
    func blocksDone(_ command: XCopyCommand, response: SCSIResponse, listIdentifier id: UInt32?) async -> UInt64 {
        let sense = response.sense
        let copyAborted = sense?.key == .copyAborted
        guard copyAborted || response.status == .taskAborted else { return 0 }
        var failing: UInt64? = copyAborted ? sense?.commandSpecificInformation : nil
        var residual: UInt64? = copyAborted ? sense?.information : nil
        var processed: Int?
        if let id {
            if copyAborted, failing == nil || residual == nil, supportsFailureDetails,
               let details = await failureDetails(listIdentifier: id), details.key == .copyAborted {
                failing = failing ?? details.commandSpecificInformation
                residual = residual ?? details.information
            }
            if failing == nil, supportsCopyStatus, let status = await copyStatus(listIdentifier: id),
               !status.copyManagerStatus.isInProgress {
                processed = Int(status.segmentsProcessed)
            }
        }
        let count = command.segments.count
        if let processed {
            return command.blocks(inFirst: min(processed, count))
        }
        guard let k = failing, k < UInt64(count) else { return 0 }
        let index = Int(k)
        var blocks = command.blocks(inFirst: index)
        if supportsCopyStatus || supportsFailureDetails, let r = residual, r <= UInt64(command.segmentBlocks[index]) {
            blocks += UInt64(command.segmentBlocks[index]) - r
        }
        return blocks
    }

    /// RECEIVE COPY STATUS(LID1) for a list; nil when refused or unreadable.
    func copyStatus(listIdentifier id: UInt32) async -> ReceiveCopyStatusLID1? {
        guard supportsCopyStatus, id <= 0xFF else { return nil }
        let cdb = ReceiveCopyResults.copyStatusLID1(listIdentifier: UInt8(id), allocationLength: 64)
        guard let r = try? await sender.send("RECEIVE COPY STATUS", cdb: cdb, data: .fromDevice(allocationLength: 64),
                                             timeout: .seconds(30)),
              r.status == .good else { return nil }
        return try? ReceiveCopyStatusLID1(parsing: r.data)
    }

    /// The sense RECEIVE COPY FAILURE DETAILS(LID1) kept for a failed list; nil when there is
    /// none.
    func failureDetails(listIdentifier id: UInt32) async -> SenseData? {
        guard supportsFailureDetails, id <= 0xFF else { return nil }
        let allocation = 512
        let cdb = ReceiveCopyResults.failureDetailsLID1(listIdentifier: UInt8(id), allocationLength: UInt32(allocation))
        guard let r = try? await sender.send("RECEIVE COPY FAILURE DETAILS", cdb: cdb, data: .fromDevice(allocationLength: allocation),
                                             timeout: .seconds(30)),
              r.status == .good,
              let details = try? ReceiveCopyFailureDetails(parsing: r.data),
              details.copyCommandStatus != nil, !details.senseData.isEmpty else { return nil }
        return try? SenseData(parsing: details.senseData)
    }
}
