import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire

/// Copies extents with ODX: POPULATE TOKEN on the source for up to the Block Device ROD Token
/// Limits' range descriptors and transfer size, RECEIVE ROD TOKEN INFORMATION for the 512-byte
/// token (kept verbatim), then WRITE USING TOKEN on the destination with OFFSET INTO ROD, as
/// many as the destination's limits need.
///
/// - Every operation has its own LIST IDENTIFIER (a pool of 4-byte identifiers; 00/16 takes
///   the next one).
/// - A partial WRITE USING TOKEN (COPY ABORTED 0D/04 with INFORMATION = blocks written, or the
///   RRTI transfer count) continues from where it stopped with the offset advanced; the ROD is
///   never asked for more than it represents. A token that died (23/04, 23/06, 23/07, 23/08,
///   23/09) is populated again for the rest, up to `Options.tokenRetries` times in a row
///   without progress, then the copy ends with `.transient`.
/// - DEL_TKN is set on the WRITE USING TOKEN that takes the last of a token's data.
/// - With `Options.immediate`, POPULATE TOKEN and WRITE USING TOKEN carry IMMED and RRTI is
///   polled at the array's ESTIMATED STATUS UPDATE DELAY (bounded).
/// - Deallocated source ranges (GET LBA STATUS) go to the block device zero ROD token where
///   the source reports LBPME and LBPRZ and the destination takes the zero token.
/// - `tokenSemantics` says whether the array's tokens are point in time; access-upon-reference
///   tokens read the source when written, so the source must be quiesced during the copy.
/// - Cancellation stops between commands; a command in flight gets COPY OPERATION ABORT where
///   VPD 0x8F lists 83h/1Ch.
/// - Statistics count "POPULATE TOKEN", "RECEIVE ROD TOKEN INFORMATION", "WRITE USING TOKEN",
///   "GET LBA STATUS" and "COPY OPERATION ABORT".
public struct ODXEngine: CopyEngine {
    public let method = CopyMethod.odx
    public let source: CopyEndpoint
    public let destination: CopyEndpoint
    public let plan: CopyPlan
    public let statistics: CopyStatistics
    public let options: Options
    let state = ODXEngineState()

    public init(source: CopyEndpoint, destination: CopyEndpoint, plan: CopyPlan, statistics: CopyStatistics,
                options: Options = Options()) {
        self.source = source
        self.destination = destination
        self.plan = plan
        self.statistics = statistics
        self.options = options
    }

    /// Whether the array's tokens freeze the source (point in time) or read it when used.
    public enum TokenSemantics: String, Sendable {
        case pointInTime = "point in time"
        case accessUponReference = "access upon reference"
        case unknown
    }

    // MARK: - Limits

    var sourceLimits: BlockDeviceRODLimits? { source.report.thirdPartyCopy.value?.blockDeviceRODLimits }
    var destinationLimits: BlockDeviceRODLimits? { destination.report.thirdPartyCopy.value?.blockDeviceRODLimits }

    /// Blocks per range descriptor: the plan's, within the 32-bit NUMBER OF LOGICAL BLOCKS.
    public var blocksPerRange: UInt64 { UInt64(min(max(1, plan.blocksPerSegment), Int(UInt32.max))) }

    /// Range descriptors per POPULATE TOKEN: the source's MAXIMUM RANGE DESCRIPTORS (0 = the
    /// plan's), lowered after TOO MANY SEGMENT DESCRIPTORS.
    public var rangesPerToken: Int {
        ranges(sourceLimits, wire: PopulateToken.maximumRangeCount)
    }

    /// Range descriptors per WRITE USING TOKEN, from the destination's limits.
    public var rangesPerWrite: Int {
        ranges(destinationLimits, wire: WriteUsingToken.maximumRangeCount)
    }

    private func ranges(_ limits: BlockDeviceRODLimits?, wire: Int) -> Int {
        var n = Int(limits?.maximumRangeDescriptors ?? 0)
        if n == 0 { n = max(1, plan.segmentsPerCommand) }
        if let learned = state.maximumRanges { n = min(n, learned) }
        return max(1, min(n, wire))
    }

    /// Blocks one token represents at most: the source's MAXIMUM TOKEN TRANSFER SIZE, else the
    /// plan's ranges times blocks per range.
    public var blocksPerToken: UInt64 {
        let reported = sourceLimits?.maximumTokenTransferSize ?? 0
        let byPlan = UInt64(max(1, plan.segmentsPerCommand)) * blocksPerRange
        return min(reported == 0 ? byPlan : reported, UInt64(rangesPerToken) * blocksPerRange)
    }

    /// Blocks one WRITE USING TOKEN writes at most: the destination's MAXIMUM TOKEN TRANSFER
    /// SIZE, else as much as a token holds.
    public var blocksPerWrite: UInt64 {
        let reported = destinationLimits?.maximumTokenTransferSize ?? 0
        let byPlan = UInt64(max(1, plan.segmentsPerCommand)) * blocksPerRange
        return min(reported == 0 ? byPlan : reported, UInt64(rangesPerWrite) * blocksPerRange)
    }

    // MARK: - Capabilities

    /// COPY OPERATION ABORT is listed in VPD 0x8F (of the LU the operation was sent to).
    func abortSupported(on end: CopyEndpoint) -> Bool { end.report.listsCopyOut(.copyOperationAbort) }

    /// The ROD type the source's VPD 0x8F 0108h offers for tokens it creates (TOKEN OUT).
    public var advertisedRODType: RODType? {
        source.report.thirdPartyCopy.value?.supportedRODTypes?.first { $0.tokenOut && $0.rodType != .blockDeviceZero }?.rodType
    }

    /// The ROD type of the last token this engine obtained.
    public var observedRODType: RODType? { state.rodType }

    /// Point in time or access upon reference: from the tokens seen, else what 0x8F
    /// advertises, else the type asked for.
    public var tokenSemantics: TokenSemantics {
        guard let t = observedRODType ?? advertisedRODType ?? options.rodType else { return .unknown }
        if t.isPointInTime { return .pointInTime }
        if t.isAccessUponReference { return .accessUponReference }
        return .unknown
    }

    /// Whether the source must not change during the copy for it to be consistent: true unless
    /// the tokens are known to be point in time.
    public var requiresQuiescedSource: Bool { tokenSemantics != .pointInTime }

    /// Whether deallocated source ranges will be written with the zero ROD token.
    public var usesZeroToken: Bool {
        guard options.zeroToken, source.report.capacity.lbpme else { return false }
        let readsZeros = source.report.capacity.lbprz || (source.report.provisioning.value?.lbprz ?? 0) != 0
        let takesZeros = destination.report.thirdPartyCopy.value?.supportedRODTypes?
            .contains { $0.rodType == .blockDeviceZero && $0.tokenIn } ?? false
        return readsZeros && takesZeros
    }

    /// What the engine learned while copying (lowered limits, zero detection given up), one
    /// line each.
    public var notes: [String] { state.notes }

    var minimumZeroRun: UInt64 {
        options.minimumZeroRunBlocks ?? max(1, UInt64((1 << 20) / max(1, source.blockSize)))
    }

    func sender(_ end: CopyEndpoint) -> ThirdPartyCopySender {
        ThirdPartyCopySender(device: end.device, statistics: statistics, method: .odx, busyRetries: options.busyRetries)
    }
}

/// What an `ODXEngine` (and its copies: it is a struct) learns while running. Thread-safe.
final class ODXEngineState: @unchecked Sendable {
    private let lock = NSLock()
    private var _rodType: RODType?
    private var _maximumRanges: Int?
    private var _notes: [String] = []

    var rodType: RODType? {
        get { lock.withLock { _rodType } }
        set { lock.withLock { _rodType = newValue } }
    }

    var maximumRanges: Int? { lock.withLock { _maximumRanges } }

    /// A command with `refused` range descriptors got 26/08: at most half as many from now on.
    func refused(ranges refused: Int) {
        lock.withLock {
            let lowered = max(1, refused / 2)
            if lowered < (_maximumRanges ?? Int.max) {
                _maximumRanges = lowered
                _notes.append("TOO MANY SEGMENT DESCRIPTORS for \(refused) range descriptors: now at most \(lowered)")
            }
        }
    }

    private var _zeroTokenRefused = false

    /// The destination refused the zero ROD token: deallocated ranges are copied as data.
    var zeroTokenRefused: Bool { lock.withLock { _zeroTokenRefused } }

    func refuseZeroToken(_ why: String) {
        lock.withLock {
            _zeroTokenRefused = true
            _notes.append(why)
        }
    }

    func note(_ s: String) { lock.withLock { _notes.append(s) } }
    var notes: [String] { lock.withLock { _notes } }
}
