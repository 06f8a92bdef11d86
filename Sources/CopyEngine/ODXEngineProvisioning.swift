import SCSITransport
import SCSIWire

/// The source's provisioning over an extent, from GET LBA STATUS(16), asked as the copy moves
/// along: which runs are deallocated (read as zeros, so the zero ROD token can stand for them).
/// Only PROVISIONING STATUS 1 (deallocated) counts as zeros; mapped, anchored and unknown runs
/// are copied. An answer that cannot be used turns the map off: everything is data.
struct ODXProvisioningMap {
    struct Run: Equatable {
        var offset: UInt64
        var blocks: UInt64
        var deallocated: Bool
    }

    /// Descriptors asked for per GET LBA STATUS.
    static let descriptorsPerQuery = 64

    let extent: CopyExtent
    let sender: ThirdPartyCopySender
    let state: ODXEngineState
    private(set) var enabled: Bool
    private var runs: [Run] = []

    init(extent: CopyExtent, sender: ThirdPartyCopySender, state: ODXEngineState, enabled: Bool) {
        self.extent = extent
        self.sender = sender
        self.state = state
        self.enabled = enabled
    }

    /// The run that holds `offset` (blocks from the extent's start), from `offset` to its end
    /// (within the extent).
    mutating func run(at offset: UInt64) async throws -> Run {
        let rest = extent.blocks - offset
        guard enabled else { return Run(offset: offset, blocks: rest, deallocated: false) }
        if let r = cached(offset) { return r }
        try await query(from: offset)
        guard enabled, let r = cached(offset) else { return Run(offset: offset, blocks: rest, deallocated: false) }
        return r
    }

    private func cached(_ offset: UInt64) -> Run? {
        guard let r = runs.first(where: { $0.offset <= offset && offset < $0.offset + $0.blocks }) else { return nil }
        return Run(offset: offset, blocks: r.offset + r.blocks - offset, deallocated: r.deallocated)
    }

    private mutating func query(from offset: UInt64) async throws {
        let lba = extent.sourceLBA + offset
        let allocation = 8 + 16 * Self.descriptorsPerQuery
        var cdb = [UInt8](repeating: 0, count: 16)
        cdb[0] = OperationCode.serviceActionIn16.rawValue
        cdb[1] = 0x12
        cdb.setBE64(lba, at: 2)
        cdb.setBE32(UInt32(allocation), at: 10)
        let r = try await sender.send("GET LBA STATUS", cdb: cdb, data: .fromDevice(allocationLength: allocation), timeout: .seconds(30))
        guard r.status == .good else {
            disable("GET LBA STATUS refused (\(r.sense.map(\.description) ?? "\(r.status)")): deallocated ranges are copied as data")
            return
        }
        var found: [Run] = []
        var next = lba
        var at = 8
        let end = extent.sourceLBA + extent.blocks
        while at + 16 <= r.data.count, next < end {
            guard let start = try? r.data.be64(at: at), let count = try? r.data.be32(at: at + 8) else { break }
            let status = r.data[at + 12] & 0x0F
            at += 16
            let stop = start &+ UInt64(count)
            guard stop > next else { continue }
            guard start <= next else { break }  // a gap: ask again from there later
            let upTo = min(stop, end)
            found.append(Run(offset: next - extent.sourceLBA, blocks: upTo - next, deallocated: status == 1))
            next = upTo
        }
        guard !found.isEmpty else {
            disable("GET LBA STATUS did not describe LBA \(lba): deallocated ranges are copied as data")
            return
        }
        runs = found
    }

    private mutating func disable(_ why: String) {
        enabled = false
        runs = []
        state.note(why)
    }
}
