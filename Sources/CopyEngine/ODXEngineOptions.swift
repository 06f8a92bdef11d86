import SCSIWire

extension ODXEngine {
    /// How the token engine runs, beyond what the plan and VPD 0x8F decide.
    public struct Options: Sendable {
        /// Send POPULATE TOKEN and WRITE USING TOKEN with IMMED and poll RECEIVE ROD TOKEN
        /// INFORMATION until they finish. VPD 0x8F has no bit saying a copy manager honours
        /// IMMED, so this is configuration; one that ignores it (CTL) simply answers when done,
        /// which the polling sees at once.
        public var immediate: Bool
        /// Bounds on the pause between RRTI polls; within them the array's ESTIMATED STATUS
        /// UPDATE DELAY is followed.
        public var pollDelayBounds: ClosedRange<Duration>
        /// The pause when the array gives no usable estimate (0, FFFFFFFEh, FFFFFFFFh), as ddpt.
        public var defaultPollDelay: Duration
        /// Token deaths (23/04, 23/06, 23/07, 23/08, 23/09) in a row without progress that are
        /// answered by populating again; one more ends the copy with `.transient`.
        public var tokenRetries: Int
        /// Deallocated source ranges are written with the block device zero ROD token instead
        /// of being copied, where the source reports LBPME and LBPRZ and the destination's VPD
        /// 0x8F lists the zero ROD type as TOKEN IN.
        public var zeroToken: Bool
        /// Deallocated runs shorter than this (in blocks) are copied with the data around them
        /// rather than split off for the zero token; nil = 1 MiB worth.
        public var minimumZeroRunBlocks: UInt64?
        /// INACTIVITY TIMEOUT of POPULATE TOKEN in seconds; 0 = the array's default.
        public var inactivityTimeout: UInt32
        /// ROD TYPE asked for with RTV=1 (e.g. `.pointInTimeDefault`); nil = RTV=0, the copy
        /// manager chooses (CTL refuses anything but access upon reference).
        public var rodType: RODType?
        /// Deadline of one WRITE USING TOKEN; nil = a minute plus a second per 16 MiB.
        public var commandTimeout: Duration?
        /// Retries of a command the device did not run (BUSY, TASK SET FULL, UNIT ATTENTION).
        public var busyRetries: Int
        /// Retries with another list identifier after 00/16 OPERATION IN PROGRESS.
        public var operationInProgressRetries: Int
        /// Where list identifiers come from; share one pool between engines on one session.
        public var listIdentifiers: ListIdentifierPool

        public init(immediate: Bool = false,
                    pollDelayBounds: ClosedRange<Duration> = .milliseconds(10) ... .seconds(5),
                    defaultPollDelay: Duration = .milliseconds(500), tokenRetries: Int = 3, zeroToken: Bool = true,
                    minimumZeroRunBlocks: UInt64? = nil, inactivityTimeout: UInt32 = 0, rodType: RODType? = nil,
                    commandTimeout: Duration? = nil, busyRetries: Int = 3, operationInProgressRetries: Int = 8,
                    listIdentifiers: ListIdentifierPool = .lid4()) {
            self.immediate = immediate
            self.pollDelayBounds = pollDelayBounds
            self.defaultPollDelay = defaultPollDelay
            self.tokenRetries = tokenRetries
            self.zeroToken = zeroToken
            self.minimumZeroRunBlocks = minimumZeroRunBlocks
            self.inactivityTimeout = inactivityTimeout
            self.rodType = rodType
            self.commandTimeout = commandTimeout
            self.busyRetries = busyRetries
            self.operationInProgressRetries = operationInProgressRetries
            self.listIdentifiers = listIdentifiers
        }
    }
}
