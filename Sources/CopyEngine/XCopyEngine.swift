import OffloadProbe
import SCSITransport
import SCSIWire

/// Copies extents with EXTENDED COPY(LID1): 0xE4 identification CSCDs naming both LUs by
/// their preferred VPD 0x83 designator (DISK BLOCK LENGTH filled in, as SCST checks it), 0x02
/// block-to-block segments, several per command, several commands in flight.
///
/// - Every command goes to the *source* LU's device: the copy manager that receives it must
///   see both LUs in that session (the caller's job to ensure; LIO also wants the receiving LU
///   to take part, which the source does). The source is only ever read by the array.
/// - LIST IDENTIFIER: LIST ID USAGE 11b ("none", identifier 0) when commands run one at a
///   time or the copy manager has no RECEIVE COPY STATUS (VPD 0x8F does not list 84h/00h) and
///   SNLID allows it; otherwise 10b ("discard") with identifiers from a pool, unique among the
///   commands in flight; 00/16 OPERATION IN PROGRESS is retried under another identifier.
/// - TOO MANY SEGMENT DESCRIPTORS (26/08): the same segments are sent again in commands half
///   as long, and the lower limit is remembered (`Options.learned`).
/// - COPY ABORTED: the failing segment (COMMAND-SPECIFIC INFORMATION, or RECEIVE COPY FAILURE
///   DETAILS / STATUS where 0x8F lists them) and, where those exist, the residual of that
///   segment say what the command did; everything before the failing segment is done. The
///   `CopyError` carries the blocks certainly done from the extent's start, never more.
/// - Cancellation stops issuing, sends COPY OPERATION ABORT for the lists in flight (where
///   0x8F lists 83h/1Ch) and throws `CopyError(.cancelled)`.
/// - Statistics count "EXTENDED COPY", "RECEIVE COPY STATUS", "RECEIVE COPY FAILURE DETAILS"
///   and "COPY OPERATION ABORT".
public struct XCopyEngine: CopyEngine {
    public let method = CopyMethod.xcopy
    public let source: CopyEndpoint
    public let destination: CopyEndpoint
    public let plan: CopyPlan
    public let limits: CopyLimits
    public let statistics: CopyStatistics
    public let options: Options

    public init(source: CopyEndpoint, destination: CopyEndpoint, plan: CopyPlan, limits: CopyLimits,
                statistics: CopyStatistics, options: Options = Options()) {
        self.source = source
        self.destination = destination
        self.plan = plan
        self.limits = limits
        self.statistics = statistics
        self.options = options
    }

    // MARK: - What the engine will do

    /// RECEIVE COPY STATUS(LID1) is listed in the source's VPD 0x8F (LIO rejects it).
    public var supportsCopyStatus: Bool { source.report.listsCopyIn(.receiveCopyStatusLID1) }
    /// RECEIVE COPY FAILURE DETAILS(LID1) is listed in the source's VPD 0x8F.
    public var supportsFailureDetails: Bool { source.report.listsCopyIn(.receiveCopyFailureDetailsLID1) }
    /// COPY OPERATION ABORT is listed in the source's VPD 0x8F.
    public var supportsCopyOperationAbort: Bool { source.report.listsCopyOut(.copyOperationAbort) }

    /// Commands in flight at most.
    public var concurrency: Int {
        var n = max(1, plan.concurrency)
        if let cap = options.maximumConcurrency { n = min(n, max(1, cap)) }
        return min(n, options.listIdentifiers.capacity)
    }

    /// Whether commands carry list identifiers (LIST ID USAGE 10b) rather than none (11b).
    public var usesListIdentifiers: Bool {
        // SNLID = 0 in RECEIVE COPY OPERATING PARAMETERS: 11b is not supported.
        let snlid = source.report.operatingParameters.value?.snlid ?? true
        if !snlid { return true }
        return supportsCopyStatus && concurrency > 1
    }

    /// Blocks per segment: the plan's, within the 16-bit field and a multiple of the granularity.
    public var blocksPerSegment: Int {
        let g = max(1, plan.granularityBlocks)
        var n = min(max(1, plan.blocksPerSegment), PairPlanner.maximumBlocksPerB2BSegment)
        if n >= g { n = n / g * g }
        return n
    }

    /// Segment descriptors per command now: the plan's, what the descriptor list length
    /// leaves room for next to two CSCDs, and any lower limit learned.
    public var segmentsPerCommand: Int {
        var n = max(1, plan.segmentsPerCommand)
        if let listLength = limits.maxDescriptorListLength {
            n = min(n, max(1, (listLength - 2 * IdentificationCSCD.length) / BlockToBlockSegment.length))
        }
        if let max = limits.maxSegmentDescriptors { n = min(n, max) }
        if let learned = options.learned.segmentsPerCommand { n = min(n, learned) }
        return max(1, n)
    }

    // MARK: - Copy

    public func copy(_ extent: CopyExtent, progress: @escaping @Sendable (UInt64) -> Void) async throws -> EngineOutcome {
        guard extent.blocks > 0 else { return EngineOutcome(blocks: 0) }
        let cscds = try makeCSCDs()
        let inFlight = OffloadInFlight<XCopyCommand>()
        return try await withTaskCancellationHandler {
            try await run(extent, cscds: cscds, inFlight: inFlight, progress: progress)
        } onCancel: {
            inFlight.cancel()
        }
    }

    /// The two CSCDs: 0 = source, 1 = destination, each LU's preferred copy designator as VPD
    /// 0x83 gives it, with DISK BLOCK LENGTH = the LU's block size.
    func makeCSCDs() throws -> [CSCDDescriptor] {
        try [source, destination].enumerated().map { index, end in
            let side = index == 0 ? "source" : "destination"
            guard let designator = end.report.copyDesignator else {
                throw CopyError(.permanent, method: .xcopy, "the \(side) LU has no designator of at most 20 bytes in VPD 0x83 to name it in a CSCD")
            }
            guard end.blockSize > 0, end.blockSize <= 0xFF_FFFF else {
                throw CopyError(.permanent, method: .xcopy, "the \(side) block size \(end.blockSize) does not fit DISK BLOCK LENGTH")
            }
            return .identification(IdentificationCSCD(logicalUnit: designator, diskBlockLength: UInt32(end.blockSize)))
        }
    }

    /// The extent cut into segments of `blocksPerSegment` (the last may be shorter).
    func segments(of extent: CopyExtent) -> [XCopySegment] {
        let size = UInt64(blocksPerSegment)
        var out: [XCopySegment] = []
        out.reserveCapacity(Int((extent.blocks + size - 1) / size))
        var offset: UInt64 = 0
        while offset < extent.blocks {
            let n = min(size, extent.blocks - offset)
            out.append(XCopySegment(offset: offset, blocks: UInt32(n)))
            offset += n
        }
        return out
    }

    var sender: ThirdPartyCopySender {
        ThirdPartyCopySender(device: source.device, statistics: statistics, method: .xcopy, busyRetries: options.busyRetries)
    }
}
