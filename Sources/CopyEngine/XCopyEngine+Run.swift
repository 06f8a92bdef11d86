import SCSITransport
import SCSIWire

extension XCopyEngine {
    /// What a child task of the copy reports back.
    enum Event: Sendable {
        /// The command copied everything.
        case completed(XCopyCommand)
        /// 26/08: send these segments again in smaller commands.
        case tooManySegments(XCopyCommand)
        /// The command failed; `blocksDone` of it (from its start) are certainly copied.
        case failed(XCopyCommand, blocksDone: UInt64, CopyError)
        /// Cancelled before it was sent.
        case notIssued(XCopyCommand)
        /// RECEIVE COPY STATUS answers: command offset -> blocks done so far.
        case polled([(UInt64, UInt64)])
    }

    func run(_ extent: CopyExtent, cscds: [CSCDDescriptor], inFlight: OffloadInFlight<XCopyCommand>,
             progress: @escaping @Sendable (UInt64) -> Void) async throws -> EngineOutcome {
        let segments = segments(of: extent)
        let polling = usesListIdentifiers && supportsCopyStatus ? options.statusPollInterval : nil
        let width = concurrency

        var queue = XCopyWorkQueue(segmentCount: segments.count)
        var completion = XCopyCompletion()
        var finished: [XCopyCommand] = []
        /// Failed commands' certain parts: (offset, blocks) from each one's start.
        var partial: [(offset: UInt64, blocks: UInt64)] = []
        var failures: [(offset: UInt64, error: CopyError)] = []
        var reported: UInt64 = 0

        await withTaskGroup(of: Event.self) { group in
            var running = 0
            var pollerRunning = false
            while true {
                // Issue while nothing failed, nobody cancelled and there is room.
                while failures.isEmpty, !inFlight.isCancelled, !Task.isCancelled, running < width,
                      let range = queue.take(atMost: segmentsPerCommand) {
                    let command = XCopyCommand(segments: range, offset: segments[range.lowerBound].offset,
                                               segmentBlocks: segments[range].map(\.blocks))
                    group.addTask { await self.execute(command, extent: extent, cscds: cscds, inFlight: inFlight) }
                    running += 1
                }
                if let interval = polling, running > 0, !pollerRunning {
                    group.addTask { await self.poll(after: interval, inFlight: inFlight) }
                    pollerRunning = true
                }
                if running == 0 { group.cancelAll() }  // only the poller can be left; stop it
                guard let event = await group.next() else { break }

                switch event {
                case let .completed(c):
                    running -= 1
                    completion.record(offset: c.offset, length: c.blocks, blocksDone: c.blocks)
                    finished.append(c)
                case let .tooManySegments(c):
                    running -= 1
                    if c.segments.count <= 1 {
                        failures.append((c.offset, CopyError(.permanent, method: .xcopy,
                            "EXTENDED COPY with one segment descriptor refused with TOO MANY SEGMENT DESCRIPTORS (26/08)")))
                    } else {
                        options.learned.refused(segmentDescriptors: c.segments.count)
                        queue.putBack(c.segments)
                    }
                case let .failed(c, done, error):
                    running -= 1
                    completion.record(offset: c.offset, length: c.blocks, blocksDone: done)
                    if done > 0 { partial.append((c.offset, done)) }
                    failures.append((c.offset, error))
                case let .notIssued(c):
                    running -= 1
                    queue.putBack(c.segments)
                case let .polled(answers):
                    pollerRunning = false
                    for (offset, done) in answers {
                        if let c = inFlight.snapshot.first(where: { $0.1.offset == offset })?.1 {
                            completion.record(offset: offset, length: c.blocks, blocksDone: done)
                        }
                    }
                }
                if !failures.isEmpty || inFlight.isCancelled { queue.removeAll() }
                let certain = completion.certain
                if certain > reported {
                    reported = certain
                    progress(certain)
                }
            }
        }

        await inFlight.waitForAborts()
        let done = completion.certain
        // What each command copied inside the certain prefix, for the job's sampled check.
        let pieces = (finished.map { ($0.offset, $0.blocks) } + partial).sorted { $0.0 < $1.0 }.compactMap { piece -> CopyExtent? in
            let blocks = Swift.min(piece.1, done > piece.0 ? done - piece.0 : 0)
            guard blocks > 0 else { return nil }
            return CopyExtent(sourceLBA: extent.sourceLBA + piece.0, destinationLBA: extent.destinationLBA + piece.0, blocks: blocks)
        }
        // Every way of stopping short says how far the copy certainly got, and by which commands.
        func stoppedShort(_ error: CopyError) -> CopyError {
            var e = error
            e.completedBlocks = done
            e.completedCommands = pieces
            return e
        }
        let cancelled = inFlight.isCancelled || Task.isCancelled
        if cancelled && done < extent.blocks {
            throw stoppedShort(CopyError(.cancelled, method: .xcopy, "EXTENDED COPY cancelled after \(done) of \(extent.blocks) blocks"))
        }
        if let first = failures.min(by: { $0.offset < $1.offset })?.error {
            throw stoppedShort(first)
        }
        guard done == extent.blocks else {
            throw stoppedShort(CopyError(.transport, method: .xcopy, "EXTENDED COPY stopped after \(done) of \(extent.blocks) blocks without an error"))
        }
        let commands = finished.sorted { $0.offset < $1.offset }.map {
            CopyExtent(sourceLBA: extent.sourceLBA + $0.offset, destinationLBA: extent.destinationLBA + $0.offset, blocks: $0.blocks)
        }
        return EngineOutcome(blocks: extent.blocks, offloadedCommands: commands)
    }

    /// Waits `interval`, then asks RECEIVE COPY STATUS for every list in flight: how many of
    /// its segments are processed.
    func poll(after interval: Duration, inFlight: OffloadInFlight<XCopyCommand>) async -> Event {
        do { try await Task.sleep(for: interval) } catch { return .polled([]) }
        var answers: [(UInt64, UInt64)] = []
        for (id, command) in inFlight.snapshot {
            guard !Task.isCancelled else { break }
            guard let status = await copyStatus(listIdentifier: id) else { continue }
            guard status.copyManagerStatus == .inProgress || status.copyManagerStatus == .completedWithoutErrors else { continue }
            let n = min(Int(status.segmentsProcessed), command.segments.count)
            answers.append((command.offset, command.blocks(inFirst: n)))
        }
        return .polled(answers)
    }
}
