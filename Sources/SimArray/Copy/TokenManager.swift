import Foundation
import SCSIWire

/// The ODX half of the copy manager, modelled on FreeBSD CTL (`ctl_tpc.c`): POPULATE TOKEN
/// creates a 512-byte ROD token for source ranges, WRITE USING TOKEN writes the data a token
/// stands for to destination ranges, RECEIVE ROD TOKEN INFORMATION reports either by list
/// identifier, COPY OPERATION ABORT stops a copy between steps.
///
/// - Tokens are kept by their 512 bytes for the whole array (CTL: global, not per LU or port)
///   and die by inactivity, lifetime, DEL_TKN, the expire/revoke faults or their source LU
///   leaving. A dead token answers 23/04, 23/06, 23/07 or 23/09 as configured; one this manager
///   never made (another array's, a corrupted one) 23/04.
/// - Access-upon-reference tokens read the source when used. Point-in-time tokens keep, for every
///   source block written after POPULATE TOKEN, the old contents (`willModify`), so a copy
///   shows the source as it was; when that memory would exceed its limit the token is revoked.
/// - Operation status is kept per (I_T nexus, list identifier), shared by PT and WUT.
/// - The copy goes through the LUs' `BlockStore`s in steps of `copyChunkBytes`; it only ever
///   reads the source and writes the destination ranges. With IMMED (if enabled) it runs on a
///   background queue and the command answers GOOD at once.
///
/// Hand it to the copy manager, which routes 83h/10h, 83h/11h and 84h/07h here and calls
/// `abort`, `willModify` and `logicalUnitRemoved`. Thread-safe.
public final class TokenManager: TokenCopyService, @unchecked Sendable {
    public let configuration: TokenManagerConfiguration
    private let faultsBox: Locked<FaultInjector?>

    struct State {
        /// Every token not yet forgotten, dead ones included while a copy still reads them.
        var tokens: [RODToken: TokenRecord] = [:]
        /// Why forgotten tokens died, so WRITE USING TOKEN can say (bounded, oldest dropped).
        var tombstones: [RODToken: TokenDeath] = [:]
        var tombstoneOrder: [RODToken] = []
        var operations: [OperationKey: TokenOperation] = [:]
    }

    let state = Locked(State())
    let budget: SnapshotBudget
    let copyQueue = DispatchQueue(label: "offload-sim.token-copies", attributes: .concurrent)
    let backgroundCopies = DispatchGroup()
    static let tombstoneLimit = 4096

    public init(configuration: TokenManagerConfiguration = .ctl, faults: FaultInjector? = nil) {
        self.configuration = configuration
        self.faultsBox = Locked(faults)
        self.budget = SnapshotBudget(limit: Swift.max(0, configuration.pointInTimeSaveLimit))
    }

    /// The fault injector asked for expire/revoke orders, partial transfers and out-of-space.
    public var faults: FaultInjector? {
        get { faultsBox.current }
        set { faultsBox.withLock { $0 = newValue } }
    }

    var now: Double { configuration.clock.now() }

    // MARK: - TokenCopyService

    public func populateToken(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        respond(request) { try runPopulateToken(request, unit) }
    }

    public func writeUsingToken(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        respond(request) { try runWriteUsingToken(request, unit, directory) }
    }

    public func receiveRODTokenInformation(_ request: SCSIRequest, on unit: LogicalUnit,
                                           directory: any LogicalUnitDirectory) -> SCSIResult {
        respond(request) { try runReceiveRODTokenInformation(request) }
    }

    /// Asks a copy of this list identifier to stop at its next step; true if the list identifier
    /// is known here (in progress or completed; a completed one is left as it is).
    public func abort(listIdentifier: UInt32, initiator: InitiatorContext) -> Bool {
        let key = OperationKey(nexus: initiator.nexus, listIdentifier: listIdentifier)
        guard let op = state.withLock({ $0.operations[key] }) else { return false }
        if !op.isCompleted { op.requestAbort() }
        return true
    }

    /// Point-in-time tokens over these blocks of `unit` save the blocks' contents first. Call it
    /// before every change of a LU's blocks (the dispatcher's WRITE, WRITE SAME and UNMAP, the
    /// copy managers' writes); with no point-in-time token alive it costs a dictionary scan.
    public func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64) {
        guard count > 0 else { return }
        let candidates = state.withLock { s -> [TokenRecord] in
            s.tokens.values.filter { r in
                r.snapshot != nil && r.source === unit && r.death != .revoked && (r.death == nil || r.activeUses > 0)
            }
        }
        guard !candidates.isEmpty else { return }
        var lost: [TokenRecord] = []
        for record in candidates where !preserve(record, lba: lba, count: count) { lost.append(record) }
        guard !lost.isEmpty else { return }
        let freed = state.withLock { s -> [TokenRecord] in
            for r in lost { r.death = .revoked }
            return finalizeDeadLocked(&s)
        }
        release(freed)
    }

    /// The LU left the array: its tokens die (23/04 afterwards, as CTL frees them) and copies
    /// reading or writing it stop at their next step (terminated).
    public func logicalUnitRemoved(_ unit: LogicalUnit) {
        let freed = state.withLock { s -> [TokenRecord] in
            for r in s.tokens.values where r.source === unit && r.death == nil { r.death = .sourceRemoved }
            for op in s.operations.values where op.units.contains(where: { $0 === unit }) { op.requestAbort() }
            return finalizeDeadLocked(&s)
        }
        release(freed)
    }

    // MARK: - Management and tests

    /// The tokens alive now, oldest first by creation (for REPORT ALL ROD TOKENS: CTL returns
    /// the first 96 bytes of each).
    public var liveTokens: [RODToken] {
        let now = self.now
        return state.withLock { s in
            s.tokens.values.filter { $0.death == nil && !$0.hasExpired(at: now, lifetime: configuration.tokenLifetime) }
                .sorted { $0.createdAt < $1.createdAt }.map(\.token)
        }
    }

    /// Bytes the point-in-time tokens hold for overwritten source blocks.
    public var pointInTimeBytesSaved: Int { budget.bytesInUse }

    /// Expires or revokes every token now, as the expire-tokens / revoke-tokens faults do.
    public func invalidateAllTokens(_ how: FaultInjector.TokenInvalidation) {
        let freed = state.withLock { s -> [TokenRecord] in
            invalidateLocked(&s, how)
            return finalizeDeadLocked(&s)
        }
        release(freed)
    }

    /// Whether a PT or WUT with this list identifier is running for this nexus (an EXTENDED COPY
    /// LID4 must not reuse it, and vice versa).
    public func isOperationInProgress(listIdentifier: UInt32, initiator: InitiatorContext) -> Bool {
        let key = OperationKey(nexus: initiator.nexus, listIdentifier: listIdentifier)
        return state.withLock { $0.operations[key] }.map { !$0.isCompleted } ?? false
    }

    /// Blocks until the operation of this list identifier completed (true), or `timeout` seconds
    /// of real time passed (false). Unknown list identifiers count as completed.
    @discardableResult
    public func waitForCompletion(listIdentifier: UInt32, initiator: InitiatorContext, timeout: Double = 30) -> Bool {
        let key = OperationKey(nexus: initiator.nexus, listIdentifier: listIdentifier)
        guard let op = state.withLock({ $0.operations[key] }) else { return true }
        return op.waitForCompletion(timeout: timeout)
    }

    /// Blocks until no background copy runs (true) or `timeout` seconds passed (false).
    @discardableResult
    public func waitForBackgroundCopies(timeout: Double = 30) -> Bool {
        backgroundCopies.wait(timeout: .now() + timeout) == .success
    }

    // MARK: - Command plumbing

    func respond(_ request: SCSIRequest, _ body: () throws -> SCSIResult) -> SCSIResult {
        do {
            return try body()
        } catch let error as SCSICommandError {
            return SCSIResult(error: error, for: request.initiator)
        } catch {
            return SCSIResult(error: .internalTargetFailure, for: request.initiator)
        }
    }

    /// What every token command does first: carry out a pending expire/revoke fault, let tokens
    /// whose time ran out die, forget completed operations kept long enough.
    func beginCommand() {
        let invalidation = faults?.takeTokenInvalidation()
        let now = self.now
        let retention = configuration.completedOperationRetention
        let freed = state.withLock { s -> [TokenRecord] in
            if let invalidation { invalidateLocked(&s, invalidation) }
            for r in s.tokens.values where r.death == nil && r.hasExpired(at: now, lifetime: configuration.tokenLifetime) {
                r.death = .expired
            }
            s.operations = s.operations.filter { _, op in
                guard let done = op.current.completedAt else { return true }
                return now - done <= retention
            }
            return finalizeDeadLocked(&s)
        }
        release(freed)
    }

    func invalidateLocked(_ s: inout State, _ how: FaultInjector.TokenInvalidation) {
        for r in s.tokens.values where r.death == nil || (how == .revoke && r.death != .revoked) {
            r.death = how == .revoke ? .revoked : .expired
            if how == .revoke, let snapshot = r.snapshot {
                // Copies reading it now fail at their next step. Taking the snapshot lock under the
                // manager's is safe: `preserve` and reads never take the manager's lock inside it.
                snapshot.lock.withLock { snapshot.revoked = true }
            }
        }
    }

    /// Moves dead tokens nobody reads any more to the tombstones; returns them so their saved
    /// blocks can be released outside the lock.
    func finalizeDeadLocked(_ s: inout State) -> [TokenRecord] {
        let done = s.tokens.values.filter { $0.death != nil && $0.activeUses == 0 }
        for r in done {
            s.tokens[r.token] = nil
            if s.tombstones[r.token] == nil { s.tombstoneOrder.append(r.token) }
            s.tombstones[r.token] = r.death
        }
        if s.tombstoneOrder.count > Self.tombstoneLimit {
            let excess = s.tombstoneOrder.count - Self.tombstoneLimit
            for t in s.tombstoneOrder.prefix(excess) { s.tombstones[t] = nil }
            s.tombstoneOrder.removeFirst(excess)
        }
        return done
    }

    /// Frees the saved blocks of dead point-in-time tokens.
    func release(_ records: [TokenRecord]) {
        for r in records {
            guard let snapshot = r.snapshot else { continue }
            let bytes = snapshot.lock.withLock { () -> Int in
                let b = snapshot.savedBytes
                snapshot.saved = [:]
                snapshot.revoked = true
                return b
            }
            budget.release(bytes)
        }
    }

    /// The CDB and the parameter list of a POPULATE TOKEN or WRITE USING TOKEN, through CTL's
    /// checks in CTL's order: the CDB (05/24 without a pointer), the PARAMETER LIST LENGTH, the
    /// bytes sent, the list header, the list itself and the number of ranges.
    func parseTokenCommand<List: TokenParameterList>(_ request: SCSIRequest, as: List.Type) throws -> (TokenCopyCDB<List>, List) {
        let cdb: TokenCopyCDB<List>
        do { cdb = try TokenCopyCDB<List>(parsing: request.cdb) } catch { throw SCSICommandError.invalidFieldInCDBNoPointer }
        let length = Int(cdb.parameterListLength)
        try checkParameterListLength(length, headerLength: List.headerLength)
        let data = try parameterList(request, length: length)
        try checkListHeader(data, headerLength: List.headerLength, listLengthOffset: List.rangeListLengthOffset)
        let list: List
        do { list = try List(parsing: data) } catch { throw SCSICommandError.invalidFieldInParameterList(byte: List.rangeListLengthOffset) }
        try checkRangeCount(list.ranges.count, listLengthOffset: List.rangeListLengthOffset)
        return (cdb, list)
    }

    /// The parameter list as the CDB's PARAMETER LIST LENGTH says; fewer bytes than that is
    /// 05/1A/00.
    func parameterList(_ request: SCSIRequest, length: Int) throws -> [UInt8] {
        guard request.dataOut.count >= length else { throw SCSICommandError.parameterListLengthError }
        return request.dataOut.count == length ? request.dataOut : Array(request.dataOut.prefix(length))
    }

    /// CTL's checks of a PT/WUT parameter list before its ranges are read: the DATA LENGTH
    /// (bytes 0-1) must cover the header and one range descriptor (else 26/00 at byte 0); the
    /// BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH must hold whole descriptors, at least one, and
    /// fit both the DATA LENGTH and the bytes sent (else 26/00 at that field).
    func checkListHeader(_ data: [UInt8], headerLength: Int, listLengthOffset: Int) throws {
        guard let dataLength = try? Int(data.be16(at: 0)), let listLength = try? Int(data.be16(at: listLengthOffset)) else {
            throw SCSICommandError.parameterListLengthError
        }
        guard dataLength + 2 >= headerLength + BlockDeviceRangeDescriptor.length else {
            throw SCSICommandError.invalidFieldInParameterList(byte: 0)
        }
        guard listLength >= BlockDeviceRangeDescriptor.length, listLength % BlockDeviceRangeDescriptor.length == 0,
              data.count >= headerLength + listLength, dataLength + 2 >= headerLength + listLength else {
            throw SCSICommandError.invalidFieldInParameterList(byte: listLengthOffset)
        }
    }

    /// The PARAMETER LIST LENGTH check CTL makes before fetching the list: at least the header,
    /// and (when configured as CTL) no more than the maximum number of range descriptors.
    func checkParameterListLength(_ length: Int, headerLength: Int) throws {
        guard length >= headerLength else { throw SCSICommandError.invalidFieldInCDB(byte: 10) }
        if configuration.tooManyRanges == .invalidFieldInCDB,
           length > headerLength + configuration.maximumRangeDescriptors * BlockDeviceRangeDescriptor.length {
            throw SCSICommandError.invalidFieldInCDB(byte: 10)
        }
    }

    func checkRangeCount(_ count: Int, listLengthOffset: Int) throws {
        guard count > configuration.maximumRangeDescriptors else { return }
        switch configuration.tooManyRanges {
        case .invalidFieldInCDB: throw SCSICommandError.invalidFieldInCDB(byte: 10)
        case .invalidFieldInParameterList: throw SCSICommandError.invalidFieldInParameterList(byte: listLengthOffset)
        case .tooManySegmentDescriptors: throw TokenSense.tooManySegmentDescriptors
        }
    }

    /// The range checks of PT and WUT, in CTL's order: every range inside the LU (else 05/21/00,
    /// INFORMATION = the range's LBA, or the capacity when only its end is outside), no two
    /// ranges overlapping (05/26/00, no pointer; CTL's test, which also catches an empty range
    /// inside another), then the total against MAXIMUM TOKEN TRANSFER SIZE (05/26/00 at the
    /// NUMBER OF LOGICAL BLOCKS that crosses it). Returns the total.
    func checkRanges(_ ranges: [BlockDeviceRangeDescriptor], of unit: LogicalUnit, descriptorsAt offset: Int) throws -> UInt64 {
        let capacity = unit.blockCount
        let maximum = configuration.maximumTransferBlocks(blockSize: unit.blockSize)
        for r in ranges {
            let (end, overflow) = r.logicalBlockAddress.addingReportingOverflow(UInt64(r.numberOfLogicalBlocks))
            if overflow || end > capacity { throw SCSICommandError.lbaOutOfRange(Swift.max(r.logicalBlockAddress, capacity)) }
        }
        if ranges.count > 1 {
            for i in 0..<(ranges.count - 1) {
                let b1 = ranges[i].logicalBlockAddress, l1 = UInt64(ranges[i].numberOfLogicalBlocks)
                for j in (i + 1)..<ranges.count {
                    let b2 = ranges[j].logicalBlockAddress, l2 = UInt64(ranges[j].numberOfLogicalBlocks)
                    if b1 + l1 > b2 && b2 + l2 > b1 { throw TokenSense.invalidFieldInParameterListNoPointer }
                }
            }
        }
        var total: UInt64 = 0
        for (i, r) in ranges.enumerated() {
            total += UInt64(r.numberOfLogicalBlocks)
            if maximum > 0, total > maximum {
                throw SCSICommandError.invalidFieldInParameterList(byte: offset + BlockDeviceRangeDescriptor.length * i + 8)
            }
        }
        return total
    }

    /// Registers an operation for its (nexus, list identifier), replacing a completed one; an
    /// operation still in progress under it refuses the new one.
    func register(_ op: TokenOperation) throws {
        let duplicate: SCSICommandError = configuration.duplicateListIdentifier == .operationInProgress
            ? TokenSense.operationInProgress : SCSICommandError.invalidFieldInParameterList(byte: 0)
        try state.withLock { s in
            if let existing = s.operations[op.key], !existing.isCompleted { throw duplicate }
            s.operations[op.key] = op
        }
    }

    func checkNotInProgress(_ key: OperationKey) throws {
        let busy = state.withLock { $0.operations[key] }.map { !$0.isCompleted } ?? false
        guard busy else { return }
        throw configuration.duplicateListIdentifier == .operationInProgress
            ? TokenSense.operationInProgress : SCSICommandError.invalidFieldInParameterList(byte: 0)
    }

    /// Runs a store operation; a range error (a resize raced the copy) is LBA OUT OF RANGE,
    /// anything else `failure`.
    func storeCall<T>(_ failure: SCSICommandError, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SCSICommandError {
            throw error
        } catch let BlockStoreError.outOfRange(lba, _, _) {
            throw SCSICommandError.lbaOutOfRange(lba)
        } catch {
            throw failure
        }
    }

    // MARK: - POPULATE TOKEN

    /// POPULATE TOKEN (SBC-3 5.10), checks in CTL's order:
    /// - PARAMETER LIST LENGTH below 16 (or, CTL-style, above 16 + 16 × maximum ranges): 05/24/00
    ///   at CDB byte 10; fewer bytes arriving than it says: 05/1A/00.
    /// - DATA LENGTH, range list length: 05/26/00 at byte 0 / 14 (`checkListHeader`).
    /// - Too many ranges: as configured. INACTIVITY TIMEOUT above the maximum: 05/26/00 at 4.
    ///   RTV with a ROD type not offered: 05/26/00 at 8.
    /// - Ranges: 05/21/00, overlap 05/26/00, total above MAXIMUM TOKEN TRANSFER SIZE 05/26/00.
    /// - Out-of-space fault with 55/0C or 55/0D: 05/55/0C or 05/55/0D.
    /// - List identifier in progress: as configured.
    /// Then the token exists, and RRTI for the list identifier returns it (transfer count = blocks
    /// represented). IMMED needs no background work: the command completes at once either way.
    func runPopulateToken(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        beginCommand()
        let (cdb, list) = try parseTokenCommand(request, as: PopulateToken.self)
        guard list.inactivityTimeout <= configuration.maximumInactivityTimeout else {
            throw SCSICommandError.invalidFieldInParameterList(byte: 4)
        }
        if let requested = list.rodType, !configuration.acceptedRODTypes.contains(requested) {
            throw SCSICommandError.invalidFieldInParameterList(byte: 8)
        }
        let total = try checkRanges(list.ranges, of: unit, descriptorsAt: PopulateToken.headerLength)
        if let asc = faults?.outOfSpace, asc == .insufficientResourcesToCreateROD || asc == .insufficientResourcesToCreateRODToken {
            throw TokenSense.outOfSpace(asc)
        }
        let key = OperationKey(nexus: request.initiator.nexus, listIdentifier: cdb.listIdentifier)
        try checkNotInProgress(key)

        var timeout = list.inactivityTimeout == 0 ? configuration.defaultInactivityTimeout : list.inactivityTimeout
        timeout = Swift.max(timeout, configuration.minimumInactivityTimeout)
        let now = self.now
        let record = TokenRecord(token: try makeToken(for: unit, blocks: total, initiator: request.initiator),
                                 source: unit, ranges: list.ranges, createdAt: now, inactivityTimeout: timeout,
                                 pointInTime: configuration.rodType.isPointInTime)
        let op = TokenOperation(key: key, serviceAction: .populateToken, background: false, units: [unit],
                                status: .init(copyOperationStatus: .completedWithoutErrors, transferCount: total,
                                              token: record.token, completedAt: now))
        try state.withLock { s in
            if let existing = s.operations[key], !existing.isCompleted {
                throw configuration.duplicateListIdentifier == .operationInProgress
                    ? TokenSense.operationInProgress : SCSICommandError.invalidFieldInParameterList(byte: 0)
            }
            s.operations[key] = op
            s.tokens[record.token] = record
        }
        return .good()
    }

    /// A new token, laid out as CTL's `tpc_create_token()`: ROD type, length 01F8h, a random
    /// 8-byte identifier, the creator CSCD (the LU's NAA designator, else its EUI-64, else
    /// zeros; DISK BLOCK LENGTH = block size), the bytes represented, READ CAPACITY(16) bytes
    /// 8-31, then at byte 128 the port's target device designator (or 32 zero bytes) and random
    /// bytes to the end.
    func makeToken(for unit: LogicalUnit, blocks: UInt64, initiator: InitiatorContext) throws -> RODToken {
        let designators = unit.identity.designators
        let creator = (designators.first { $0.type == .naa } ?? designators.first { $0.type == .eui64 })
            .map { IdentificationCSCD(logicalUnit: $0, diskBlockLength: UInt32(unit.blockSize)) }
        let capacity = unit.readCapacity16().encoded()
        let deviceData = Array(capacity[8..<Swift.min(32, capacity.count)])
        var target = initiator.portDesignators.first { $0.association == .targetDevice }
        if let t = target, t.encoded().count > RODToken.trailingDataLength { target = nil }
        let fixedTrailer = target?.encoded().count ?? 32
        for _ in 0..<8 {
            let id = configuration.random.bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let fill = (target == nil ? [UInt8](repeating: 0, count: 32) : [])
                + configuration.random.bytes(RODToken.trailingDataLength - fixedTrailer)
            let token: RODToken
            do {
                token = try RODToken(rodType: configuration.rodType, copyManagerRODTokenIdentifier: id, creator: creator,
                                     numberOfBytesRepresented: blocks &* UInt64(unit.blockSize),
                                     deviceTypeSpecific: deviceData, targetDeviceDescriptor: target, fill: fill)
            } catch {
                throw SCSICommandError.internalTargetFailure
            }
            let taken = state.withLock { $0.tokens[token] != nil || $0.tombstones[token] != nil }
            if !taken { return token }
        }
        throw SCSICommandError.internalTargetFailure
    }

    // MARK: - RECEIVE ROD TOKEN INFORMATION

    /// RRTI (SPC-4 6.19): the LID4 status header for the list identifier's PT or WUT (RESPONSE TO
    /// SERVICE ACTION 10h/11h, TRANSFER COUNT in destination/represented blocks, units F1h,
    /// SEGMENTS PROCESSED 0), the sense data a failed or truncated copy ended with, then the
    /// token of a completed PT. Unknown list identifier: 05/24/00 at CDB byte 2. A completed
    /// status is forgotten once reported (CTL; configurable).
    func runReceiveRODTokenInformation(_ request: SCSIRequest) throws -> SCSIResult {
        beginCommand()
        let cdb: ReceiveCopyResults
        do { cdb = try ReceiveCopyResults(parsing: request.cdb) } catch { throw SCSICommandError.invalidFieldInCDBNoPointer }
        let key = OperationKey(nexus: request.initiator.nexus, listIdentifier: cdb.listIdentifier)
        guard let (op, status) = report(key) else { throw SCSICommandError.invalidFieldInCDB(byte: 2) }
        let header = statusHeader(op, status, units: .logicalBlocks, count: status.transferCount)
        let response: [UInt8]
        do {
            response = try ReceiveRODTokenInformation(status: header, rodToken: status.token).encoded()
        } catch {
            throw SCSICommandError.internalTargetFailure
        }
        return .good(response, allocationLength: Int(clamping: cdb.allocationLength))
    }

    /// The same status as RECEIVE COPY STATUS(LID4) (84h/05h) reports it, for a copy manager
    /// that serves that service action for token operations too (CTL does, from one list table;
    /// ddpt falls back to it when RRTI is refused): TRANSFER COUNT in bytes, as CTL. nil when the
    /// list identifier is unknown here (05/24/00 at CDB byte 2, unless it is an EXTENDED COPY's).
    /// Reading a completed status releases it, as RRTI does.
    public func copyStatusLID4(listIdentifier: UInt32, initiator: InitiatorContext) -> ReceiveCopyStatusLID4? {
        beginCommand()
        guard let (op, status) = report(OperationKey(nexus: initiator.nexus, listIdentifier: listIdentifier)) else { return nil }
        let bytes = status.transferCount.multipliedReportingOverflow(by: UInt64(op.blockSize))
        return statusHeader(op, status, units: .bytes, count: bytes.overflow ? UInt64.max : bytes.partialValue)
    }

    /// The operation's status for a report; a completed one is released if so configured.
    func report(_ key: OperationKey) -> (TokenOperation, TokenOperation.Status)? {
        guard let op = state.withLock({ $0.operations[key] }) else { return nil }
        let status = op.current
        if status.isCompleted, configuration.releasesCompletedOperationOnRead {
            state.withLock { s in if s.operations[key] === op { s.operations[key] = nil } }
        }
        return (op, status)
    }

    func statusHeader(_ op: TokenOperation, _ status: TokenOperation.Status, units: TransferCountUnits,
                      count: UInt64) -> ReceiveCopyStatusLID4 {
        ReceiveCopyStatusLID4(
            responseToServiceAction: op.serviceAction, copyOperationStatus: status.copyOperationStatus,
            operationCounter: UInt16(clamping: status.operationCounter),
            estimatedStatusUpdateDelay: status.isCompleted ? configuration.completedStatusUpdateDelay
                                                           : configuration.inProgressStatusUpdateDelay,
            completionStatus: status.completionStatus.rawValue, senseData: status.sense,
            transferCountUnits: units, transferCount: count, segmentsProcessed: 0)
    }

    // MARK: - Point-in-time data

    /// Saves the current contents of the blocks of `lba ..< lba + count` that `record` covers
    /// and has not saved yet. False when that does not fit the budget (or the source cannot be
    /// read): the snapshot is then dropped and the caller revokes the token.
    func preserve(_ record: TokenRecord, lba: UInt64, count: UInt64) -> Bool {
        guard let snapshot = record.snapshot else { return true }
        let runs = record.overlap(lba: lba, count: count)
        guard !runs.isEmpty else { return true }
        let blockSize = record.blockSize
        snapshot.lock.lock()
        defer { snapshot.lock.unlock() }
        if snapshot.revoked { return true }
        func drop() {
            budget.release(snapshot.savedBytes)
            snapshot.saved = [:]
            snapshot.revoked = true
        }
        let covered = runs.reduce(UInt64(0)) { $0 + $1.count }
        // Cheap refusal before walking the blocks: even with every saved block inside the runs,
        // what is left would not fit.
        if covered > UInt64(snapshot.saved.count),
           (covered - UInt64(snapshot.saved.count)).multipliedReportingOverflow(by: UInt64(blockSize)).partialValue
            > UInt64(Swift.max(0, budget.limit - budget.bytesInUse)) {
            drop()
            return false
        }
        var needed = 0
        for run in runs {
            for b in run.lba..<(run.lba + run.count) where snapshot.saved[b] == nil { needed += 1 }
        }
        guard needed > 0 else { return true }
        guard budget.reserve(needed * blockSize) else {
            drop()
            return false
        }
        let step = UInt64(Swift.max(1, configuration.copyChunkBytes / blockSize))
        var stored = 0
        do {
            for run in runs {
                var at = run.lba
                let end = run.lba + run.count
                while at < end {
                    let n = Swift.min(step, end - at)
                    if (at..<(at + n)).allSatisfy({ snapshot.saved[$0] != nil }) { at += n; continue }
                    let data = try record.source.store.read(lba: at, count: Int(n))
                    for i in 0..<Int(n) where snapshot.saved[at + UInt64(i)] == nil {
                        snapshot.saved[at + UInt64(i)] = Array(data[(i * blockSize)..<((i + 1) * blockSize)])
                        stored += 1
                    }
                    at += n
                }
            }
        } catch {
            // Release what was reserved but not stored, then everything stored.
            budget.release((needed - stored) * blockSize)
            drop()
            return false
        }
        return true
    }
}

/// A token-copy parameter list (POPULATE TOKEN, WRITE USING TOKEN) as the token manager checks
/// it: the header before the range descriptors and where their list length sits.
protocol TokenParameterList: TokenCopyOperation {
    static var headerLength: Int { get }
    /// Byte offset of the BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (where CTL points on errors).
    static var rangeListLengthOffset: Int { get }
    var ranges: [BlockDeviceRangeDescriptor] { get }
    init(parsing bytes: [UInt8]) throws
}

extension PopulateToken: TokenParameterList {
    static var rangeListLengthOffset: Int { 14 }
}

extension WriteUsingToken: TokenParameterList {
    static var rangeListLengthOffset: Int { 534 }
}
