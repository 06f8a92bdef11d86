import OffloadProbe
import SCSITransport

/// One side of a copy: the device and what the prober learned about it.
public struct CopyEndpoint: Sendable {
    public var device: any SCSIDevice
    public var report: DeviceReport
    /// The same LU through further sessions (or paths): the host engine spreads its chunks
    /// over `device` and these; offload engines use `device` alone.
    public var moreSessions: [any SCSIDevice]
    public init(device: any SCSIDevice, report: DeviceReport, moreSessions: [any SCSIDevice] = []) {
        self.device = device
        self.report = report
        self.moreSessions = moreSessions
    }
    /// One endpoint per session, each with this LU's report.
    public var sessions: [CopyEndpoint] {
        [CopyEndpoint(device: device, report: report)] + moreSessions.map { CopyEndpoint(device: $0, report: report) }
    }
    public var blockSize: Int { Int(report.capacity.blockLength) }
    public var blockCount: UInt64 { report.capacity.blockCount }
}

/// What an engine did with one extent.
public struct EngineOutcome: Sendable {
    /// Blocks now in the destination (the whole extent on success).
    public var blocks: UInt64
    /// Each offloaded command's extent, for sampled verification (first and last block of
    /// every command). Empty for host copies, which read what they write.
    public var offloadedCommands: [CopyExtent]
    public init(blocks: UInt64, offloadedCommands: [CopyExtent] = []) {
        self.blocks = blocks
        self.offloadedCommands = offloadedCommands
    }
}

/// A way of copying extents from a source LU to a destination LU. Engines never write the
/// source, report progress in blocks as they go, stop between commands when the task is
/// cancelled, and on failure throw `CopyError` with `completedBlocks` counting what is
/// certainly done from the extent's start.
public protocol CopyEngine: Sendable {
    var method: CopyMethod { get }
    func copy(_ extent: CopyExtent, progress: @escaping @Sendable (UInt64) -> Void) async throws -> EngineOutcome
}
