import Foundation
import SCSITransport
import SCSIWire

/// Finds source chunks that need no reading: on a thin source whose unmapped blocks read as
/// zeros (LBPME and LBPRZ), a chunk GET LBA STATUS reports wholly deallocated is zeros. This
/// is what lets the host path of a half-empty volume move half the bytes (qemu-img does the
/// same with block status). One answer serves every chunk it describes. Any doubt (refused,
/// unparsable, mapped) means "read it".
final class HostCopySourceHoles: @unchecked Sendable {
    private let usable: Bool
    private let statistics: CopyStatistics
    private let timeout: Duration
    private var refused = false
    private let lock = NSLock()
    private let map = HostCopyLBAStatusMap()

    init(source: CopyEndpoint, enabled: Bool, statistics: CopyStatistics, timeout: Duration) {
        let p = HostCopyDestinationProvisioning(report: source.report)
        usable = enabled && source.report.capacity.lbpme && p.readsZeroWhenUnmapped
        self.statistics = statistics
        self.timeout = timeout
    }

    /// Asks about the start of the copy before any chunk does: chunks start together and in no
    /// fixed order, and a later chunk asking first gets an answer that begins after the first
    /// ones, which then ask again.
    func prime(lba: UInt64, on device: any SCSIDevice) async {
        _ = await isHole(lba: lba, blocks: 1, on: device)
    }

    /// True when the whole chunk is known to read as zeros without reading it.
    func isHole(lba: UInt64, blocks: UInt64, on device: any SCSIDevice) async -> Bool {
        guard usable, !lock.withLock({ refused }) else { return false }
        // No answer at all: read the chunk; the read will meet the same failure and report it.
        switch (try? await HostCopyLBAStatus.query(lba: lba, blocks: blocks, device: device, map: map, timeout: timeout,
                                                    statistics: statistics)) ?? .notKnown {
        case .unmapped: return true
        case .notKnown: return false
        case .refused:
            lock.withLock { refused = true }
            return false
        }
    }
}
