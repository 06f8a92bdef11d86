import Foundation
import SCSIWire

/// Why a token can no longer be used, and what WRITE USING TOKEN then answers.
enum TokenDeath: Equatable, Sendable {
    /// Inactivity timeout or lifetime ran out, or the expire-tokens fault.
    case expired
    /// The revoke-tokens fault, or a point-in-time token that could not keep its data.
    case revoked
    /// DEL_TKN.
    case deleted
    /// Its source LU left the array (CTL frees such tokens: unknown afterwards).
    case sourceRemoved

    func sense(_ configuration: TokenManagerConfiguration) -> AdditionalSense {
        switch self {
        case .expired: return configuration.expiredTokenSense
        case .revoked: return .tokenRevoked
        case .deleted: return configuration.deletedTokenSense
        case .sourceRemoved: return .tokenUnknown
        }
    }
}

/// One ROD token this manager created: the 512 bytes handed out, the source extents they stand
/// for and the timing state. Mutable fields belong to the manager's lock.
final class TokenRecord: @unchecked Sendable {
    let token: RODToken
    let source: LogicalUnit
    let blockSize: Int
    let ranges: [BlockDeviceRangeDescriptor]
    let totalBlocks: UInt64
    let createdAt: Double
    let inactivityTimeout: UInt32
    /// Present for point-in-time tokens.
    let snapshot: PointInTimeSnapshot?

    // Guarded by the manager's lock.
    var lastActive: Double
    /// WRITE USING TOKEN commands reading from it now; a token in use never expires (CTL).
    var activeUses = 0
    var death: TokenDeath?

    init(token: RODToken, source: LogicalUnit, ranges: [BlockDeviceRangeDescriptor], createdAt: Double,
         inactivityTimeout: UInt32, pointInTime: Bool) {
        self.token = token
        self.source = source
        self.blockSize = source.blockSize
        self.ranges = ranges.filter { $0.numberOfLogicalBlocks > 0 }
        self.totalBlocks = BlockDeviceRangeDescriptor.totalBlocks(ranges)
        self.createdAt = createdAt
        self.inactivityTimeout = inactivityTimeout
        self.lastActive = createdAt
        self.snapshot = pointInTime ? PointInTimeSnapshot(blockSize: source.blockSize) : nil
    }

    /// Whether the token ran out of time at `now` (never while in use).
    func hasExpired(at now: Double, lifetime: UInt32?) -> Bool {
        guard activeUses == 0 else { return false }
        if now - lastActive > Double(inactivityTimeout) { return true }
        if let lifetime, now - createdAt > Double(lifetime) { return true }
        return false
    }

    /// The source extents holding ROD blocks `offset ..< offset + count` (ROD order).
    func sourceExtents(offset: UInt64, count: UInt64) -> [(lba: UInt64, count: UInt64)] {
        var out: [(UInt64, UInt64)] = []
        var skip = offset
        var wanted = count
        for r in ranges where wanted > 0 {
            let length = UInt64(r.numberOfLogicalBlocks)
            if skip >= length { skip -= length; continue }
            let n = Swift.min(length - skip, wanted)
            out.append((r.logicalBlockAddress + skip, n))
            wanted -= n
            skip = 0
        }
        return out
    }

    /// The parts of `lba ..< lba + count` this token's source ranges cover.
    func overlap(lba: UInt64, count: UInt64) -> [(lba: UInt64, count: UInt64)] {
        let end = lba &+ count
        return ranges.compactMap { r in
            let start = Swift.max(r.logicalBlockAddress, lba)
            let stop = Swift.min(r.logicalBlockAddress + UInt64(r.numberOfLogicalBlocks), end)
            return start < stop ? (start, stop - start) : nil
        }
    }
}

/// The old contents of the source blocks written since a point-in-time token was created
/// (copy-on-write, in memory). Readers and `preserve` serialise on `lock`, so a copy never sees
/// a block between its write and the saving of its old contents.
final class PointInTimeSnapshot: @unchecked Sendable {
    let blockSize: Int
    let lock = NSLock()
    // Guarded by `lock`.
    var saved: [UInt64: [UInt8]] = [:]
    /// The data could not be kept: reads fail with TOKEN REVOKED.
    var revoked = false

    init(blockSize: Int) { self.blockSize = blockSize }

    var savedBytes: Int { saved.count * blockSize }
}

/// Bytes kept by all point-in-time snapshots together, against the configured limit.
final class SnapshotBudget: @unchecked Sendable {
    private let used = Locked(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var bytesInUse: Int { used.current }

    /// Takes `bytes` if they fit.
    func reserve(_ bytes: Int) -> Bool {
        used.withLock { u in
            guard bytes <= limit - u else { return false }
            u += bytes
            return true
        }
    }

    func release(_ bytes: Int) { used.withLock { $0 = Swift.max(0, $0 - bytes) } }
}
