import SCSIWire

/// EXTENDED COPY(LID1): parse and check the list, claim its list identifier, resolve every
/// segment's CSCDs through the directory, then run the segments one after the other.
extension CopyManager {
    /// One side of a resolved segment.
    struct Endpoint {
        var unit: LogicalUnit
        /// Offset of the CSCD in the parameter list; nil for CSCD ID FFFFh.
        var cscdOffset: Int?
        var pad: Bool
        var blockSize: Int { unit.blockSize }
    }

    struct ResolvedSegment {
        var segment: ExtendedCopyPlan.Segment
        var source: Endpoint
        var destination: Endpoint
    }

    func extendedCopy(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        guard let x = xcopy, let cdb = try? ExtendedCopyLID1.CDB(parsing: request.cdb) else {
            return SCSIResult(error: .invalidFieldInCDBNoPointer, for: request.initiator)
        }
        // A zero-length list is not an error (LIO, CTL, SCST).
        let length = Int(cdb.parameterListLength)
        guard length > 0 else { return .good() }
        let data = request.dataOut.count > length ? Array(request.dataOut.prefix(length)) : request.dataOut

        let plan: ExtendedCopyPlan
        do {
            plan = try ExtendedCopyParser(limits: x, quirks: profile.quirks).parse(data)
        } catch {
            return error.result(for: request.initiator)
        }

        // The list identifier: tracked unless the profile ignores them or the list has none.
        var key: CopyListRegistry.Key?
        if x.listIdentifiers, plan.header.listIDUsage != .noListIdentifier {
            let k = listKey(request, unit, UInt32(plan.header.listIdentifier))
            guard lists.begin(k) else { return CopyFailure.operationInProgress.result(for: request.initiator) }
            key = k
        }

        do {
            let resolved = try resolve(plan, request: request, unit: unit, directory: directory, limits: x)
            if faults.goodWithoutCopy {
                if let key { lists.update(key) { $0.segmentsProcessed = resolved.count } }
            } else {
                for (number, segment) in resolved.enumerated() {
                    try run(segment, number: number, key: key, limits: x)
                    if let key { lists.update(key) { $0.segmentsProcessed = number + 1 } }
                }
            }
            if let key { lists.finish(key, failureStatus: nil, sense: []) }
            return .good()
        } catch {
            let result = error.result(for: request.initiator)
            if let key { lists.finish(key, failureStatus: result.status, sense: result.sense) }
            return result
        }
    }

    // MARK: - Resolution

    func resolve(_ plan: ExtendedCopyPlan, request: SCSIRequest, unit: LogicalUnit, directory: any LogicalUnitDirectory,
                 limits x: ArrayProfile.ExtendedCopy) throws(CopyFailure) -> [ResolvedSegment] {
        try plan.segments.enumerated().map { number, segment throws(CopyFailure) in
            let source = try endpoint(.source, of: segment, number: number, plan: plan, request: request, unit: unit,
                                      directory: directory, limits: x)
            let destination = try endpoint(.destination, of: segment, number: number, plan: plan, request: request,
                                           unit: unit, directory: directory, limits: x)
            if profile.has(.receivingLUMustParticipate), source.unit !== unit, destination.unit !== unit {
                throw unreachable(number: number, segment: segment, side: .source, cscdOffset: source.cscdOffset, limits: x)
            }
            if source.blockSize != destination.blockSize, x.blockSizeMismatch == .notReady {
                throw .logicalUnitCommunicationFailure
            }
            return ResolvedSegment(segment: segment, source: source, destination: destination)
        }
    }

    private func endpoint(_ side: CopySide, of segment: ExtendedCopyPlan.Segment, number: Int, plan: ExtendedCopyPlan,
                          request: SCSIRequest, unit: LogicalUnit, directory: any LogicalUnitDirectory,
                          limits x: ArrayProfile.ExtendedCopy) throws(CopyFailure) -> Endpoint {
        let id = segment.index(side)
        if id == CSCDDescriptor.copyManagerLogicalUnit {
            return Endpoint(unit: unit, cscdOffset: nil, pad: false)
        }
        guard Int(id) < plan.cscds.count else {
            throw unreachable(number: number, segment: segment, side: side, cscdOffset: nil, limits: x)
        }
        let cscd = plan.cscds[Int(id)]
        if cscd.descriptor.nul, !profile.has(.cscdByte1Ignored) {
            throw unreachable(number: number, segment: segment, side: side, cscdOffset: cscd.offset, limits: x)
        }
        let found = directory.logicalUnits(matching: cscd.descriptor.designator).first { candidate in
            guard candidate.options.thirdPartyCopy else { return false }
            switch x.copyScope {
            case .session: return directory.isReachable(candidate, from: request.initiator)
            case .array: return directory.lun(of: candidate) != nil
            }
        }
        guard let target = found else {
            throw unreachable(number: number, segment: segment, side: side, cscdOffset: cscd.offset, limits: x)
        }
        if x.cscdBlockLengthMustMatch, cscd.descriptor.diskBlockLength != UInt32(target.blockSize) {
            throw .invalidParameter(byte: cscd.offset + 29)
        }
        return Endpoint(unit: target, cscdOffset: cscd.offset, pad: cscd.descriptor.pad)
    }

    /// The profile's answer to a CSCD that names no reachable LU.
    func unreachable(number: Int, segment: ExtendedCopyPlan.Segment, side: CopySide, cscdOffset: Int?,
                     limits x: ArrayProfile.ExtendedCopy) -> CopyFailure {
        switch x.unreachableCSCD {
        case .copyAborted0D02:
            return copyAborted(.copyTargetDeviceNotReachable, number: number,
                               pointer: .segmentPointer(inSegmentDescriptor: true, byte: UInt16(side.indexField)), limits: x)
        case .copyAborted0804:
            // CTL: COMMAND-SPECIFIC INFORMATION only.
            return copyAborted(.unreachableCopyTarget, number: number, pointer: nil, limits: x)
        case .invalidParameter:
            return .invalidParameter(byte: cscdOffset ?? segment.offset + side.indexField)
        }
    }

    /// COPY ABORTED as the profile reports it: CTL and SCST style carry the segment number
    /// (COMMAND-SPECIFIC INFORMATION), a segment pointer and an optional residual (INFORMATION);
    /// CTL style also the device's forwarded sense. LIO style is a bare 0D/02 whatever happened.
    func copyAborted(_ asc: AdditionalSense, number: Int, pointer: SenseKeySpecific?, information: UInt64? = nil,
                     forwarded: [ForwardedSense] = [], limits x: ArrayProfile.ExtendedCopy) -> CopyFailure {
        switch x.copyAbortedSense {
        case .lio:
            return CopyFailure(SCSICommandError(key: .copyAborted, additionalSense: .copyTargetDeviceNotReachable))
        case .scst:
            return CopyFailure(SCSICommandError(key: .copyAborted, additionalSense: asc, information: information,
                                                commandSpecificInformation: UInt64(number), senseKeySpecific: pointer))
        case .ctl:
            return CopyFailure(SCSICommandError(key: .copyAborted, additionalSense: asc, information: information,
                                                commandSpecificInformation: UInt64(number), senseKeySpecific: pointer),
                               forwarded: forwarded)
        }
    }

    // MARK: - Running one segment

    /// Byte ranges of a segment after its own checks.
    struct SegmentWork {
        var sourceByte: UInt64
        var destinationByte: UInt64
        var count: UInt64
        var padTail: Bool
        /// Residuals are reported in destination blocks (02h) or bytes (0Ah).
        var residualInBlocks: Bool
    }

    func run(_ r: ResolvedSegment, number: Int, key: CopyListRegistry.Key?,
             limits x: ArrayProfile.ExtendedCopy) throws(CopyFailure) {
        guard let work = try work(for: r, number: number, limits: x) else { return }
        let destination = r.destination.unit

        if destination.options.writeProtected {
            throw ioFailure(.destination, .writeProtected, r, number: number, residual: residual(work.count, work, r), limits: x)
        }
        if let asc = faults.outOfSpace, destination.options.thinProvisioned {
            throw .outOfSpace(asc, segment: x.copyAbortedSense == .lio ? nil : number)
        }
        if faults.segmentMustFail() {
            throw ioFailure(.destination, .writeError, r, number: number, residual: residual(work.count, work, r), limits: x)
        }

        var done: UInt64 = 0
        let copier = SegmentCopier(chunkBytes: chunkBytes)
        let tokens = tokenService
        do {
            try copier.copy(from: r.source.unit.store, sourceByte: work.sourceByte, to: destination.store,
                            destinationByte: work.destinationByte, count: work.count, padTail: work.padTail,
                            beforeWrite: { lba, blocks in tokens?.willModify(destination, lba: lba, count: blocks) },
                            afterChunk: { bytes throws(SegmentCopier.Failure) in
                                done += bytes
                                if let key {
                                    lists.update(key) { $0.bytesTransferred += bytes }
                                    if lists.isAbortRequested(key) { throw .aborted }
                                }
                            })
        } catch {
            let left = residual(work.count - done, work, r)
            switch error {
            case .aborted:
                throw .taskAborted
            case let .read(e):
                throw ioFailure(.source, condition(e, fallback: .readError), r, number: number, residual: left, limits: x)
            case let .write(e):
                throw ioFailure(.destination, condition(e, fallback: .writeError), r, number: number, residual: left, limits: x)
            }
        }
    }

    /// The segment's byte ranges, or nil for a segment that moves nothing; throws for a
    /// granularity violation, an inexact segment or an LBA outside either LU.
    func work(for r: ResolvedSegment, number: Int, limits x: ArrayProfile.ExtendedCopy) throws(CopyFailure) -> SegmentWork? {
        let sbs = UInt64(r.source.blockSize)
        let dbs = UInt64(r.destination.blockSize)
        let lengthPointer = SenseKeySpecific.segmentPointer(inSegmentDescriptor: true, byte: UInt16(r.segment.lengthField))
        let w: SegmentWork
        var exact: Bool
        switch r.segment.descriptor {
        case let .blockToBlock(s):
            let count = UInt64(s.numberOfBlocks) * (s.dc ? dbs : sbs)
            guard count > 0 else { return nil }
            exact = count % sbs == 0 && count % dbs == 0
            try checkGranularity(count, number: number, pointer: lengthPointer, limits: x)
            if !exact { throw copyAborted(.unexpectedInexactSegment, number: number, pointer: lengthPointer, limits: x) }
            try checkRange(.source, r, lba: s.sourceLBA, bytes: count, number: number, limits: x)
            try checkRange(.destination, r, lba: s.destinationLBA, bytes: count, number: number, limits: x)
            w = SegmentWork(sourceByte: s.sourceLBA * sbs, destinationByte: s.destinationLBA * dbs, count: count,
                            padTail: false, residualInBlocks: true)
        case let .blockToBlockWithOffset(s):
            let count = UInt64(s.numberOfBytes)
            guard count > 0 else { return nil }
            try checkGranularity(count, number: number, pointer: lengthPointer, limits: x)
            // Bytes of the last destination block past the copy: padded (PAD) or inexact.
            let tail = (UInt64(s.destinationByteOffset) + count) % dbs
            exact = tail == 0 || r.destination.pad
            if !exact { throw copyAborted(.unexpectedInexactSegment, number: number, pointer: lengthPointer, limits: x) }
            let srcBytes = UInt64(s.sourceByteOffset) + count
            let dstBytes = UInt64(s.destinationByteOffset) + count
            try checkRange(.source, r, lba: s.sourceLBA, bytes: srcBytes, number: number, limits: x)
            try checkRange(.destination, r, lba: s.destinationLBA, bytes: dstBytes, number: number, limits: x)
            w = SegmentWork(sourceByte: s.sourceLBA * sbs + UInt64(s.sourceByteOffset),
                            destinationByte: s.destinationLBA * dbs + UInt64(s.destinationByteOffset), count: count,
                            padTail: r.destination.pad, residualInBlocks: false)
        case .unsupported:
            return nil
        }
        return w
    }

    private func checkGranularity(_ bytes: UInt64, number: Int, pointer: SenseKeySpecific,
                                  limits x: ArrayProfile.ExtendedCopy) throws(CopyFailure) {
        guard x.enforceDataSegmentGranularity, bytes % x.dataSegmentGranularity != 0 else { return }
        throw copyAborted(.copySegmentGranularityViolation, number: number, pointer: pointer, limits: x)
    }

    /// `bytes` from block `lba` must lie inside the side's LU (rounded up to whole blocks).
    private func checkRange(_ side: CopySide, _ r: ResolvedSegment, lba: UInt64, bytes: UInt64, number: Int,
                            limits x: ArrayProfile.ExtendedCopy) throws(CopyFailure) {
        let e = side == .source ? r.source : r.destination
        let bs = UInt64(e.blockSize)
        let blocks = (bytes + bs - 1) / bs
        let capacity = e.unit.blockCount
        let (end, overflow) = lba.addingReportingOverflow(blocks)
        let (_, byteOverflow) = lba.multipliedReportingOverflow(by: bs)
        guard overflow || byteOverflow || end > capacity else { return }
        let bad = Swift.max(lba, capacity)
        throw copyAborted(x.lbaOutOfRangeSense, number: number, pointer: cscdPointer(e),
                          forwarded: [forwarded(side, .lbaOutOfRange(bad))], limits: x)
    }

    /// CTL's segment pointer: the parameter-list offset of the CSCD of the device that failed.
    private func cscdPointer(_ e: Endpoint) -> SenseKeySpecific? {
        e.cscdOffset.map { .segmentPointer(inSegmentDescriptor: false, byte: UInt16(clamping: $0)) }
    }

    private func forwarded(_ side: CopySide, _ condition: DeviceCondition) -> ForwardedSense {
        ForwardedSense(source: side.forwardedSource, status: SCSIStatus.checkCondition.rawValue, senseBytes: condition.senseBytes)
    }

    /// THIRD PARTY DEVICE FAILURE (0D/01): the source or destination failed the internal I/O.
    private func ioFailure(_ side: CopySide, _ condition: DeviceCondition, _ r: ResolvedSegment, number: Int,
                           residual: UInt64, limits x: ArrayProfile.ExtendedCopy) -> CopyFailure {
        copyAborted(.thirdPartyDeviceFailure, number: number, pointer: cscdPointer(side == .source ? r.source : r.destination),
                    information: residual, forwarded: [forwarded(side, condition)], limits: x)
    }

    private func residual(_ bytes: UInt64, _ w: SegmentWork, _ r: ResolvedSegment) -> UInt64 {
        w.residualInBlocks ? (bytes + UInt64(r.destination.blockSize) - 1) / UInt64(r.destination.blockSize) : bytes
    }

    private func condition(_ e: BlockStoreError, fallback: DeviceCondition) -> DeviceCondition {
        if case let .outOfRange(lba, _, _) = e { return .lbaOutOfRange(lba) }
        return fallback
    }
}
