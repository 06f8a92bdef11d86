/// How the host engine copies: pipeline depth, chunk size, and what it does with chunks of zeros.
public struct HostCopyOptions: Sendable {
    /// When the destination chunk is read to find out whether it already holds zeros.
    public enum DestinationReadCheck: String, Sendable {
        case never
        /// On a thin destination that cannot deallocate (no LBPWS/LBPU with LBPRZ): a read
        /// then avoids allocating blocks that already read as zeros.
        case whenThinWithoutDeallocation
        case always
    }

    /// Chunks (or runs of zero chunks) in flight, each with one command outstanding (two while
    /// a zeroed range is read back) and at most one buffer: this bounds the commands in flight
    /// and the chunks held in memory at once. At least 1.
    public var queueDepth: Int
    /// Blocks per READ/WRITE (units of the larger block size between two block sizes); nil =
    /// from the block limits (`HostCopyChunkSizer`). Capped by both MAXIMUM TRANSFER LENGTHs
    /// and 8 MiB either way.
    public var chunkBlocks: Int?
    /// Keep a thin destination thin: chunks of zeros are not written as data. When false,
    /// every chunk is written as read.
    public var keepDestinationThin: Bool
    /// The caller created the destination empty (reads zeros everywhere): chunks of zeros are
    /// skipped without a command.
    public var destinationKnownZeroed: Bool
    /// Ask GET LBA STATUS (thin destinations with LBPRZ) whether a run of zero chunks (or each
    /// of its chunks) is unmapped already, before deallocating or writing it.
    public var checkLBAStatus: Bool
    public var destinationReadCheck: DestinationReadCheck
    /// Consecutive chunks of zeros put down as one range (`HostCopyZeroRuns`); 1 = chunk by chunk.
    public var zeroRunChunks = 64
    /// Per command.
    public var commandTimeout: Duration
    /// Send a command answered BUSY, TASK SET FULL or UNIT ATTENTION (not run) again until its
    /// deadline (`resendingWhileNotRun`) before that answer fails the copy.
    public var resendNotRun = true
    /// Ask the source's GET LBA STATUS before reading a chunk, and place zeros without reading
    /// where it is deallocated (thin source with LBPRZ). Off by default: one extra command per
    /// chunk, which pays off on sparse volumes (what offload-copy copies).
    public var skipSourceHoles = false

    public init(queueDepth: Int = 8, chunkBlocks: Int? = nil, keepDestinationThin: Bool = true,
                destinationKnownZeroed: Bool = false, checkLBAStatus: Bool = true,
                destinationReadCheck: DestinationReadCheck = .whenThinWithoutDeallocation,
                commandTimeout: Duration = .seconds(60)) {
        self.queueDepth = queueDepth
        self.chunkBlocks = chunkBlocks
        self.keepDestinationThin = keepDestinationThin
        self.destinationKnownZeroed = destinationKnownZeroed
        self.checkLBAStatus = checkLBAStatus
        self.destinationReadCheck = destinationReadCheck
        self.commandTimeout = commandTimeout
    }

    /// The host-copy part of a job's options (queue depth, command deadline); the rest stays
    /// at its default.
    public init(_ options: CopyOptions) {
        self.init(queueDepth: options.queueDepth, commandTimeout: options.commandTimeout)
    }
}
