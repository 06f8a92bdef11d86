import Foundation
import SCSITransport
import SCSIWire

/// Finds source chunks that need no reading: on a thin source whose unmapped blocks read as
/// zeros (LBPME and LBPRZ), a chunk GET LBA STATUS reports wholly deallocated is zeros. This
/// is what lets the host path of a half-empty volume move half the bytes (qemu-img does the
/// same with block status). Any doubt (refused, unparsable, mapped) means "read it".
final class HostCopySourceHoles: @unchecked Sendable {
    private let usable: Bool
    private let statistics: CopyStatistics
    private let timeout: Duration
    private var refused = false
    private let lock = NSLock()

    init(source: CopyEndpoint, enabled: Bool, statistics: CopyStatistics, timeout: Duration) {
        let p = HostCopyDestinationProvisioning(report: source.report)
        usable = enabled && source.report.capacity.lbpme && p.readsZeroWhenUnmapped
        self.statistics = statistics
        self.timeout = timeout
    }

    /// True when the whole chunk is known to read as zeros without reading it.
    func isHole(lba: UInt64, blocks: UInt64, on device: any SCSIDevice) async -> Bool {
        guard usable, !lock.withLock({ refused }) else { return false }
        let end = lba + blocks
        var position = lba
        for _ in 0..<8 where position < end {
            statistics.count("GET LBA STATUS")
            guard let r = try? await device.execute(SCSICommand(cdb: HostCopyLBAStatus.cdb(lba: position),
                                                                data: .fromDevice(allocationLength: Int(HostCopyLBAStatus.allocationLength)),
                                                                timeout: timeout)) else { return false }
            guard r.status == .good else {
                if r.sense?.key == .illegalRequest { lock.withLock { refused = true } }
                return false
            }
            guard let extents = try? HostCopyLBAStatus.parse(r.data) else { return false }
            let next = HostCopyLBAStatus.unmappedEnd(of: extents, from: position, to: end)
            guard next > position else { return false }
            position = next
        }
        return position >= end
    }
}
