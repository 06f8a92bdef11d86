extension XCopyEngine {
    /// How the EXTENDED COPY engine runs, beyond what the plan and the limits decide.
    public struct Options: Sendable {
        /// Deadline of one EXTENDED COPY; nil = a minute plus a second per 16 MiB it copies.
        public var commandTimeout: Duration?
        /// While commands are in flight, RECEIVE COPY STATUS(LID1) is asked this often for the
        /// segments they processed (progress inside a long command). Only where VPD 0x8F lists
        /// 84h/00h and list identifiers are in use; nil = never.
        public var statusPollInterval: Duration?
        /// Retries of a command the device did not run (BUSY, TASK SET FULL, UNIT ATTENTION).
        public var busyRetries: Int
        /// Retries with another list identifier after 00/16 OPERATION IN PROGRESS.
        public var operationInProgressRetries: Int
        /// Upper bound on commands in flight, below the plan's concurrency (nil = the plan's).
        public var maximumConcurrency: Int?
        /// PRIORITY of the parameter list (0 highest, 7 lowest).
        public var priority: UInt8
        /// Where list identifiers come from; share one pool between engines that use the same
        /// session to the same copy manager.
        public var listIdentifiers: ListIdentifierPool
        /// What the engine learns (segment descriptors per command really accepted); share it
        /// between the engines of one pair so a lowered limit is not found out again.
        public var learned: XCopyLearnedLimits

        public init(commandTimeout: Duration? = nil, statusPollInterval: Duration? = .seconds(2), busyRetries: Int = 3,
                    operationInProgressRetries: Int = 8, maximumConcurrency: Int? = nil, priority: UInt8 = 0,
                    listIdentifiers: ListIdentifierPool = .lid1(), learned: XCopyLearnedLimits = XCopyLearnedLimits()) {
            self.commandTimeout = commandTimeout
            self.statusPollInterval = statusPollInterval
            self.busyRetries = busyRetries
            self.operationInProgressRetries = operationInProgressRetries
            self.maximumConcurrency = maximumConcurrency
            self.priority = priority
            self.listIdentifiers = listIdentifiers
            self.learned = learned
        }
    }
}
