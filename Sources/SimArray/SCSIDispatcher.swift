import SCSIWire

/// Serves SCSI commands for the LUs of a `SimulatedArray`: the SPC/SBC commands a block LU
/// needs (TEST UNIT READY, REQUEST SENSE, INQUIRY with VPD 00/80/83/8F/B0/B1/B2, MODE SENSE,
/// READ CAPACITY(10/16), READ/WRITE(10/16), SYNCHRONIZE CACHE, WRITE SAME(16), UNMAP, GET LBA
/// STATUS, REPORT LUNS, REPORT SUPPORTED OPERATION CODES) and, through a `ThirdPartyCopyHandler`,
/// the third-party copy commands.
///
/// Every path ends in a `SCSIResult`: bad CDBs, short parameter lists, out-of-range LBAs and
/// store failures become CHECK CONDITION with the sense SPC/SBC prescribe, never a trap.
///
/// Order of checks, as in FreeBSD CTL: LU (05/25/00), operation code (05/20/00), service action,
/// CDB length and unused bits (05/24/00 with field pointer), pending unit attention (06/xx),
/// then the command's own checks.
public final class SCSIDispatcher: Sendable {
    public let array: SimulatedArray
    private let handlerBox: Locked<(any ThirdPartyCopyHandler)?>
    private let faultsBox = Locked<FaultInjector?>(nil)

    public init(array: SimulatedArray, copyHandler: (any ThirdPartyCopyHandler)? = nil) {
        self.array = array
        self.handlerBox = Locked(copyHandler)
    }

    /// The copy manager; nil = third-party copy commands are unsupported.
    public var copyHandler: (any ThirdPartyCopyHandler)? {
        get { handlerBox.current }
        set { handlerBox.withLock { $0 = newValue } }
    }

    /// The fault injector the write paths consult: while an out-of-space fault is active, WRITE
    /// and data-writing WRITE SAME fail with its sense (27/07 with DATA PROTECT, 55/xx with
    /// ILLEGAL REQUEST); UNMAP and deallocating WRITE SAME still work, as on a full thin pool.
    /// Share it with the copy and token managers. nil = no faults.
    public var faults: FaultInjector? {
        get { faultsBox.current }
        set { faultsBox.withLock { $0 = newValue } }
    }

    /// Runs one command. Synchronous; safe to call from many threads at once.
    public func execute(_ request: SCSIRequest) -> SCSIResult {
        do {
            return try dispatch(request)
        } catch let error as SCSICommandError {
            return SCSIResult(error: error, for: request.initiator)
        } catch {
            return SCSIResult(error: .internalTargetFailure, for: request.initiator)
        }
    }

    /// Removes a LU from the array and tells the copy handler.
    @discardableResult
    public func removeLogicalUnit(lun: UInt64, deleteData: Bool = true) throws -> LogicalUnit {
        let unit = try array.removeLogicalUnit(lun: lun, deleteData: deleteData)
        copyHandler?.logicalUnitRemoved(unit)
        return unit
    }

    // MARK: - Routing

    enum Route {
        case block(BlockCommand)
        case thirdPartyCopy(any ThirdPartyCopyHandler)
    }

    private func dispatch(_ request: SCSIRequest) throws -> SCSIResult {
        array.register(request.initiator)
        let unit = request.initiator.canReach(lun: request.lun) ? array.logicalUnit(lun: request.lun) : nil
        let route = try resolve(request.cdb, unit: unit)

        var bypassesAttention = false
        if case let .block(command) = route { bypassesAttention = command.bypassesUnitAttention }
        if unit != nil, !bypassesAttention,
           let attention = array.takeUnitAttention(nexus: request.initiator.nexus, lun: request.lun) {
            throw SCSICommandError.unitAttention(attention)
        }

        switch route {
        case let .thirdPartyCopy(handler):
            guard let unit else { throw SCSICommandError.logicalUnitNotSupported }
            return handler.execute(request, on: unit, directory: array)
        case let .block(command):
            guard let unit else {
                switch command {
                case .inquiry: return try inquiryWithoutUnit(request)
                case .reportLuns: return try reportLuns(request)
                case .requestSense: return try requestSense(request, unit: nil)
                default: throw SCSICommandError.logicalUnitNotSupported
                }
            }
            return try run(command, request, unit)
        }
    }

    private func run(_ command: BlockCommand, _ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        switch command {
        case .testUnitReady: return .good()
        case .requestSense: return try requestSense(request, unit: unit)
        case .inquiry: return try inquiry(request, unit)
        case .modeSense6, .modeSense10: return try modeSense(request, unit)
        case .readCapacity10: return try readCapacity10(request, unit)
        case .readCapacity16: return try readCapacity16(request, unit)
        case .read10, .read16: return try read(request, unit)
        case .write10, .write16: return try write(request, unit)
        case .synchronizeCache10, .synchronizeCache16: return try synchronizeCache(request, unit)
        case .writeSame16: return try writeSame16(request, unit)
        case .unmap: return try unmap(request, unit)
        case .getLBAStatus: return try getLBAStatus(request, unit)
        case .reportLuns: return try reportLuns(request)
        case .reportSupportedOperationCodes: return try reportSupportedOperationCodes(request, unit)
        }
    }

    /// Every operation `unit` serves: the block commands it has, then the handler's.
    func supportedOperations(on unit: LogicalUnit?) -> [(SupportedOperation, Route)] {
        BlockCommand.allCases
            .filter { $0.isAvailable(on: unit) }
            .map { ($0.operation(on: unit), .block($0)) } + copyOperations(on: unit)
    }

    /// The handler's 83h/84h operations for `unit` (anything else it lists is ignored).
    func copyOperations(on unit: LogicalUnit?) -> [(SupportedOperation, Route)] {
        guard let unit, let handler = copyHandler else { return [] }
        return handler.supportedOperations(for: unit)
            .filter { Self.isCopyOperationCode($0.operationCode) && $0.serviceAction != nil && $0.usage.count >= 2 }
            .map { ($0, .thirdPartyCopy(handler)) }
    }

    static func isCopyOperationCode(_ code: UInt8) -> Bool {
        code == OperationCode.thirdPartyCopyOut.rawValue || code == OperationCode.thirdPartyCopyIn.rawValue
    }

    /// Finds the command for a CDB and checks its service action, length and unused bits.
    private func resolve(_ cdb: [UInt8], unit: LogicalUnit?) throws -> Route {
        guard let opcode = cdb.first else { throw SCSICommandError.invalidCommandOperationCode }
        let candidates: [(SupportedOperation, Route)]
        if Self.isCopyOperationCode(opcode) {
            candidates = copyOperations(on: unit).filter { $0.0.operationCode == opcode }
        } else {
            candidates = (BlockCommand.byOperationCode[opcode] ?? [])
                .filter { $0.isAvailable(on: unit) }
                .map { ($0.operation(on: unit), .block($0)) }
        }
        guard !candidates.isEmpty else {
            throw unit == nil ? SCSICommandError.logicalUnitNotSupported : SCSICommandError.invalidCommandOperationCode
        }
        var match = candidates[0]
        if candidates.contains(where: { $0.0.serviceAction != nil }) {
            guard cdb.count >= 2 else { throw SCSICommandError.invalidFieldInCDBNoPointer }
            guard let found = candidates.first(where: { $0.0.serviceAction == cdb[1] & 0x1F }) else {
                throw unit == nil ? SCSICommandError.logicalUnitNotSupported : SCSICommandError.invalidFieldInCDB(byte: 1, bit: 4)
            }
            match = found
        }
        if unit == nil, case let .block(command) = match.1, !command.servedWithoutLogicalUnit {
            throw SCSICommandError.logicalUnitNotSupported
        }
        guard cdb.count >= match.0.cdbLength else { throw SCSICommandError.invalidFieldInCDBNoPointer }
        if let (byte, bit) = match.0.firstUnusedBit(in: cdb) {
            throw SCSICommandError.invalidFieldInCDB(byte: byte, bit: bit)
        }
        return match.1
    }

    // MARK: - Shared checks

    /// LBA OUT OF RANGE unless `lba ..< lba + count` is inside the LU.
    func checkRange(lba: UInt64, count: UInt64, _ unit: LogicalUnit) throws {
        let (end, overflow) = lba.addingReportingOverflow(count)
        guard !overflow, end <= unit.blockCount else { throw SCSICommandError.lbaOutOfRange(lba) }
    }

    /// Runs a store operation; a range error (a resize raced the command) becomes LBA OUT OF
    /// RANGE, anything else `failure`.
    func storeCall<T>(_ failure: SCSICommandError, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let BlockStoreError.outOfRange(lba, _, _) {
            throw SCSICommandError.lbaOutOfRange(lba)
        } catch {
            throw failure
        }
    }

    /// Last step before a command changes `count` blocks at `lba`: the out-of-space fault refuses
    /// an allocating write, then the copy handler may save the old data (point-in-time tokens).
    func prepareWrite(_ unit: LogicalUnit, lba: UInt64, count: UInt64, allocates: Bool = true) throws {
        if allocates, let asc = faults?.outOfSpace { throw TokenSense.outOfSpace(asc) }
        copyHandler?.willModify(unit, lba: lba, count: count)
    }

    /// The most blocks one READ or WRITE may move: MAXIMUM TRANSFER LENGTH, and never more than
    /// 1 GiB whatever the profile says, so a hostile CDB cannot make the target allocate 2 TiB.
    func transferLimit(_ unit: LogicalUnit) -> UInt64 {
        let hardCap = UInt64((1 << 30) / Swift.max(1, unit.blockSize))
        let mtl = UInt64(unit.options.maximumTransferLength)
        return mtl == 0 ? hardCap : Swift.min(mtl, hardCap)
    }
}
