/// What the user asked of a copy.
public struct CopyOptions: Sendable {
    public enum MethodChoice: String, Sendable, CaseIterable { case auto, odx, xcopy, host }

    public var method: MethodChoice = .auto
    /// Never fall back: the first failure of the chosen method ends the copy with its
    /// classified error (the storage contract forbids silent fallback).
    public var strict = false
    /// Offloaded ranges are always sample-verified; `.full` compares every block.
    public var verify: Verifier.Mode = .sampled
    /// Byte offset and length within the source (and the same offset in the destination).
    public var offset: UInt64 = 0
    public var length: UInt64?
    /// Host copy commands in flight. 8, as qemu-img keeps: a real array has CPUs of its own
    /// and latency to hide. (On this project's 2-core machine, where offload-sim shares the
    /// cores with the copy, 2 to 4 can be faster; `--queue-depth` sets it.)
    public var queueDepth = 8
    /// Bytes per host READ/WRITE; nil = from the LUs' block limits (`HostCopyChunkSizer`),
    /// which caps any choice at both MAXIMUM TRANSFER LENGTHs and 8 MiB.
    public var chunkBytes: Int?
    /// How often a transient offload failure is retried before falling back (or failing).
    public var transientRetries = 3
    /// The pause before the first retry; it doubles for each further one.
    public var transientRetryPause: Duration = .milliseconds(200)
    /// After a transient failure outlasts its retries, this much goes through the host and
    /// then offload is tried again, as VAAI tries hardware acceleration again on later
    /// requests: an array BUSY for a second must not send a terabyte through the host.
    /// 0: the host copies the rest.
    public var hostSliceAfterTransientBytes: UInt64 = 256 << 20
    /// How many times one copy goes back to offload that way.
    public var offloadResumptions = 4
    /// Send POPULATE TOKEN and WRITE USING TOKEN with IMMED and poll RECEIVE ROD TOKEN
    /// INFORMATION at the delay the array suggests: for arrays that copy in the background
    /// (VPD 0x8F cannot say so; an array that ignores IMMED just answers when done).
    public var odxImmediate = false
    /// Deadline of each host READ/WRITE (and zeroing command) and each verification read.
    /// Offload commands keep their own deadlines, which grow with the bytes they move.
    public var commandTimeout: Duration = .seconds(60)

    public init() {}
}
