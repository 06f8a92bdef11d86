import Foundation
import SCSITransport
import SCSIWire

/// What an ODX operation in flight is, for the cancellation bookkeeping.
struct ODXOperationTag: Sendable {
    var command: String
}

extension ODXEngine {
    /// A token from POPULATE TOKEN: its 512 bytes exactly as RRTI returned them, its type and
    /// how many blocks (of the ranges, in order) it represents.
    struct Token: Sendable {
        var raw: [UInt8]
        var rodType: RODType
        var blocks: UInt64

        /// The well-known block device zero ROD token: WRITE USING TOKEN with it writes zeros.
        static let zero: Token = {
            // Encoding a fixed, valid token cannot fail.
            let raw = (try? RODToken.blockDeviceZero.encoded()) ?? [UInt8](repeating: 0, count: RODToken.length)
            return Token(raw: raw, rodType: .blockDeviceZero, blocks: 0)
        }()
    }

    enum PopulateResult: Sendable {
        case token(Token)
        /// 26/08: fewer range descriptors, please.
        case tooManyRanges
    }

    /// How one WRITE USING TOKEN ended; the count is always blocks certainly written, from the
    /// first range on.
    enum WriteResult: Sendable {
        /// Fewer than asked means a partial transfer: continue at the offset advanced by it.
        case written(UInt64)
        /// The token is gone (23/04, 23/06, 23/07, 23/08, 23/09): populate again for the rest.
        case tokenDead(UInt64, CopyError)
        /// 26/08: fewer range descriptors, please.
        case tooManyRanges
        case failed(UInt64, CopyError)
        /// Aborted (COPY OPERATION ABORT) after the copy was cancelled.
        case cancelled(UInt64)
    }

    // MARK: - POPULATE TOKEN

    /// POPULATE TOKEN for `ranges` of the source, then RRTI (polled while in progress) for the
    /// token. The token represents at most what NUMBER OF BYTES REPRESENTED and the RRTI
    /// transfer count say, which may be less than asked (the rest is populated again later).
    func populate(_ ranges: [BlockDeviceRangeDescriptor], inFlight: OffloadInFlight<ODXOperationTag>) async throws -> PopulateResult {
        let requested = BlockDeviceRangeDescriptor.totalBlocks(ranges)
        let list = PopulateToken(rodType: options.rodType, immediate: options.immediate,
                                 inactivityTimeout: options.inactivityTimeout, ranges: ranges)
        let data: [UInt8]
        do { data = try list.encoded() } catch {
            throw CopyError(.permanent, method: .odx, "cannot build the POPULATE TOKEN parameter list: \(error)")
        }
        let label = "POPULATE TOKEN of \(ranges.count) range(s), \(requested) blocks from source LBA \(ranges.first?.logicalBlockAddress ?? 0)"
        let (id, response) = try await sendWithListIdentifier(to: source, name: "POPULATE TOKEN", inFlight: inFlight, timeout: .seconds(60)) { id in
            (PopulateToken.cdb(listIdentifier: id, parameterListLength: UInt32(data.count)), data)
        }
        defer { finish(id, inFlight: inFlight) }
        guard response.status == .good else {
            if response.sense?.isTooManySegmentDescriptors == true { return .tooManyRanges }
            if response.status == .taskAborted, inFlight.isCancelled {
                throw CopyError(.cancelled, method: .odx, "\(label): aborted after cancellation")
            }
            throw classify(response, "\(label) (list identifier \(id))")
        }
        let (info, raw) = try await operationStatus(id, on: source, inFlight: inFlight, deadline: .seconds(60), label: label)
        let status = info.status.copyOperationStatus
        guard status.isSuccessful, let raw else {
            if let sense = senseData(info.status), status == .completedWithErrors {
                throw CopyError(CopyError.classify(sense), method: .odx, "\(label) (list identifier \(id)): \(status)", sense: sense)
            }
            throw CopyError(.transient, method: .odx, "\(label) (list identifier \(id)): \(status), no ROD token returned")
        }
        let parsed = try RODToken(parsing: raw)
        var blocks = requested
        let bytes = parsed.numberOfBytesRepresented
        if bytes > 0, bytes != UInt64.max { blocks = min(blocks, bytes / UInt64(source.blockSize)) }
        if let count = transferredBlocks(info.status, blockSize: source.blockSize), count > 0 { blocks = min(blocks, count) }
        guard blocks > 0 else {
            throw CopyError(.transient, method: .odx, "\(label): the token represents no blocks")
        }
        return .token(Token(raw: raw, rodType: parsed.rodType, blocks: blocks))
    }

    // MARK: - WRITE USING TOKEN

    /// WRITE USING TOKEN of `token` from `offset` blocks into its ROD to `ranges` of the
    /// destination (RRTI polled with IMMED); says what was certainly written.
    func write(_ token: Token, offset: UInt64, to ranges: [BlockDeviceRangeDescriptor], deleteToken: Bool,
               inFlight: OffloadInFlight<ODXOperationTag>) async throws -> WriteResult {
        let requested = BlockDeviceRangeDescriptor.totalBlocks(ranges)
        var data: [UInt8]
        do {
            // The token's 512 bytes go in exactly as received.
            let placeholder = try RODToken(parsing: token.raw)
            data = try WriteUsingToken(deleteToken: deleteToken, immediate: options.immediate, offsetIntoROD: offset,
                                       rodToken: placeholder, ranges: ranges).encoded()
            data.replaceSubrange(16..<(16 + RODToken.length), with: token.raw)
        } catch {
            throw CopyError(.permanent, method: .odx, "cannot build the WRITE USING TOKEN parameter list: \(error)")
        }
        let what = token.rodType == .blockDeviceZero ? "zero ROD token" : "token at ROD offset \(offset)"
        let label = "WRITE USING TOKEN (\(what)) of \(ranges.count) range(s), \(requested) blocks to destination LBA \(ranges.first?.logicalBlockAddress ?? 0)"
        let timeout = scaledTimeout(bytes: requested * UInt64(destination.blockSize), fixed: options.commandTimeout)
        let (id, response) = try await sendWithListIdentifier(to: destination, name: "WRITE USING TOKEN", inFlight: inFlight,
                                                              timeout: timeout) { id in
            (WriteUsingToken.cdb(listIdentifier: id, parameterListLength: UInt32(data.count)), data)
        }
        defer { finish(id, inFlight: inFlight) }
        let labelled = "\(label) (list identifier \(id))"

        switch response.status {
        case .good:
            guard options.immediate else { return .written(requested) }
            let (info, _) = try await operationStatus(id, on: destination, inFlight: inFlight, deadline: timeout, label: labelled)
            return interpret(info.status, requested: requested, label: labelled, cancelled: inFlight.isCancelled)
        case .checkCondition:
            let sense = response.sense
            if sense?.key == .copyAborted, sense?.additionalSense == .copyTargetDeviceDataUnderrun {
                // A partial transfer: INFORMATION is the blocks written, else RRTI's count.
                var written = sense?.information
                if written == nil { written = await writtenSoFar(id) }
                return .written(min(written ?? 0, requested))
            }
            if sense?.isTooManySegmentDescriptors == true { return .tooManyRanges }
            let written = min(await writtenSoFar(id) ?? 0, requested)
            let error = classify(response, labelled)
            if let sense, sense.isTokenGone { return .tokenDead(written, error) }
            return .failed(written, error)
        case .taskAborted:
            let written = min(await writtenSoFar(id) ?? 0, requested)
            if inFlight.isCancelled { return .cancelled(written) }
            return .failed(written, CopyError(.transient, method: .odx, "\(labelled): TASK ABORTED"))
        default:
            return .failed(0, classify(response, labelled))
        }
    }

    /// An RRTI status of a finished WRITE USING TOKEN as a result.
    func interpret(_ status: ReceiveCopyStatusLID4, requested: UInt64, label: String, cancelled: Bool) -> WriteResult {
        let count = transferredBlocks(status).map { min($0, requested) }
        switch status.copyOperationStatus {
        case .completedWithoutErrors:
            return .written(count ?? requested)
        case .completedPartialRODTokenUsage, .completedWithResidualData:
            return .written(count ?? 0)
        case .terminated:
            if cancelled { return .cancelled(count ?? 0) }
            return .failed(count ?? 0, CopyError(.transient, method: .odx, "\(label): terminated by the copy manager"))
        default:
            guard let sense = senseData(status) else {
                return .failed(count ?? 0, CopyError(.transient, method: .odx, "\(label): \(status.copyOperationStatus)"))
            }
            if sense.key == .copyAborted, sense.additionalSense == .copyTargetDeviceDataUnderrun {
                return .written(min(sense.information ?? count ?? 0, requested))
            }
            let error = CopyError(CopyError.classify(sense), method: .odx, "\(label): \(status.copyOperationStatus)", sense: sense)
            if sense.isTokenGone { return .tokenDead(count ?? 0, error) }
            return .failed(count ?? 0, error)
        }
    }

    // MARK: - RECEIVE ROD TOKEN INFORMATION

    /// RRTI for a list identifier, asked again at the array's ESTIMATED STATUS UPDATE DELAY
    /// (within `Options.pollDelayBounds`) while the operation is in progress, for at most
    /// `deadline`. Returns the status and, for POPULATE TOKEN, the token's raw 512 bytes.
    func operationStatus(_ id: UInt32, on end: CopyEndpoint, inFlight: OffloadInFlight<ODXOperationTag>, deadline: Duration,
                         label: String) async throws -> (ReceiveRODTokenInformation, [UInt8]?) {
        var waited = Duration.zero
        while true {
            let r = try await sender(end).send("RECEIVE ROD TOKEN INFORMATION", cdb: ReceiveCopyResults.rodTokenInformation(listIdentifier: id),
                                               data: .fromDevice(allocationLength: 1024), timeout: .seconds(30))
            guard r.status == .good else { throw classify(r, "RECEIVE ROD TOKEN INFORMATION for \(label)") }
            let info: ReceiveRODTokenInformation
            do { info = try ReceiveRODTokenInformation(parsing: r.data) } catch {
                throw CopyError(.transient, method: .odx, "RECEIVE ROD TOKEN INFORMATION for \(label): unreadable answer: \(error)")
            }
            guard info.status.copyOperationStatus.isInProgress else { return (info, Self.rawToken(in: r.data)) }
            guard waited < deadline else {
                throw CopyError(.transient, method: .odx, "\(label): still in progress after \(waited)")
            }
            let delay = pollDelay(info.status.estimatedStatusUpdateDelay)
            await pause(delay)
            waited += delay
        }
    }

    /// The 512 token bytes of an RRTI answer, exactly as sent: after the status header and its
    /// sense data field, a 4-byte ROD TOKEN DESCRIPTORS LENGTH (at least 514) and 2 reserved bytes.
    static func rawToken(in data: [UInt8]) -> [UInt8]? {
        guard data.count > 13 else { return nil }
        let offset = ReceiveCopyStatusLID4.headerLength + Int(data[13])
        guard let length = try? data.be32(at: offset), length >= ReceiveRODTokenInformation.tokenDescriptorsLength,
              offset + 6 + RODToken.length <= data.count else { return nil }
        return Array(data[(offset + 6)..<(offset + 6 + RODToken.length)])
    }

    /// The RRTI transfer count of a list that ended (blocks written), when readable.
    func writtenSoFar(_ id: UInt32) async -> UInt64? {
        guard let r = try? await sender(destination).send("RECEIVE ROD TOKEN INFORMATION",
                                                          cdb: ReceiveCopyResults.rodTokenInformation(listIdentifier: id),
                                                          data: .fromDevice(allocationLength: 1024), timeout: .seconds(30)),
              r.status == .good, let status = try? ReceiveCopyStatusLID4(parsing: r.data),
              !status.copyOperationStatus.isInProgress else { return nil }
        return transferredBlocks(status)
    }

    /// TRANSFER COUNT in blocks (units of logical blocks, or bytes and multiples), nil when the
    /// units are unknown. Blocks of the destination unless `blockSize` says otherwise.
    func transferredBlocks(_ status: ReceiveCopyStatusLID4, blockSize: Int? = nil) -> UInt64? {
        if status.transferCountUnits == .logicalBlocks { return status.transferCount }
        return status.transferredBytes().map { $0 / UInt64(max(1, blockSize ?? destination.blockSize)) }
    }

    func senseData(_ status: ReceiveCopyStatusLID4) -> SenseData? {
        status.senseData.isEmpty ? nil : try? SenseData(parsing: status.senseData)
    }

    func pollDelay(_ estimate: UInt32) -> Duration {
        let wanted: Duration = (estimate == 0 || estimate >= 0xFFFF_FFFE) ? options.defaultPollDelay : .milliseconds(Int64(estimate))
        return min(max(wanted, options.pollDelayBounds.lowerBound), options.pollDelayBounds.upperBound)
    }

    /// Sleeps; after cancellation too (an aborted operation is still polled until it ends).
    func pause(_ d: Duration) async {
        if !Task.isCancelled {
            try? await Task.sleep(for: d)
            return
        }
        let ns = d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(ns))) { c.resume() }
        }
    }

    // MARK: - Plumbing

    /// Sends a command that carries a list identifier from the pool, under another after
    /// 00/16. The identifier stays registered (for COPY OPERATION ABORT) and taken until
    /// `finish` gives it back.
    func sendWithListIdentifier(to end: CopyEndpoint, name: String, inFlight: OffloadInFlight<ODXOperationTag>, timeout: Duration,
                                build: (UInt32) -> ([UInt8], [UInt8])) async throws -> (UInt32, SCSIResponse) {
        let pool = options.listIdentifiers
        let s = sender(end)
        var retries = 0
        while true {
            guard let id = pool.acquire() else {
                throw CopyError(.transient, method: .odx, "every list identifier is in use")
            }
            guard inFlight.begin(id, sender: s, abortable: abortSupported(on: end), payload: ODXOperationTag(command: name)) else {
                pool.release(id)
                throw CopyError(.cancelled, method: .odx, "\(name) not sent: the copy was cancelled")
            }
            let (cdb, data) = build(id)
            let response: SCSIResponse
            do {
                response = try await s.send(name, cdb: cdb, data: .toDevice(data), timeout: timeout)
            } catch {
                finish(id, inFlight: inFlight)
                throw error
            }
            if response.sense?.isOperationInProgress == true, retries < options.operationInProgressRetries, !inFlight.isCancelled {
                retries += 1
                finish(id, inFlight: inFlight)
                continue
            }
            return (id, response)
        }
    }

    func finish(_ id: UInt32, inFlight: OffloadInFlight<ODXOperationTag>) {
        inFlight.end(id)
        options.listIdentifiers.release(id)
    }

    func classify(_ r: SCSIResponse, _ label: String) -> CopyError {
        CopyError.classify(r, method: .odx, command: label)
    }
}

extension SenseData {
    /// The token is gone: unknown, revoked, expired, cancelled or deleted (23/04, 06-09).
    var isTokenGone: Bool {
        key == .illegalRequest && [AdditionalSense.tokenUnknown, .tokenRevoked, .tokenExpired, .tokenCancelled, .tokenDeleted]
            .contains(additionalSense)
    }
}
