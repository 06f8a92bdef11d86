/// The data behind one simulated LUN. The dispatcher and copy manager only ever see this, so a
/// test can run on memory and offload-sim on sparse files.
///
/// Every store is thread-safe: the dispatcher serves several sessions at once and the copy
/// manager reads and writes beside them. A store checks ranges itself and throws
/// `BlockStoreError` rather than trapping, but callers are expected to have validated them.
public protocol BlockStore: AnyObject, Sendable {
    var blockSize: Int { get }
    var blockCount: UInt64 { get }
    /// Reads `count` blocks from `lba`; the caller has checked the range.
    func read(lba: UInt64, count: Int) throws -> [UInt8]
    /// Writes whole blocks at `lba`; `data.count` is a multiple of `blockSize`.
    func write(lba: UInt64, data: [UInt8]) throws
    /// Deallocates blocks; they read back as zeros afterwards (LBPRZ=1).
    func unmap(lba: UInt64, count: UInt64) throws
    /// Whether a block is mapped (backs GET LBA STATUS and thin-aware copies).
    func isMapped(lba: UInt64) throws -> Bool
    func flush() throws

    /// Writes `block` (exactly `blockSize` bytes) to `count` blocks from `lba` (WRITE SAME).
    /// The default writes in chunks through `write(lba:data:)`.
    func writeSame(lba: UInt64, count: UInt64, block: [UInt8]) throws
    /// The run of blocks from `lba` that share one provisioning state, at most `limit` blocks
    /// long (GET LBA STATUS). The default asks `isMapped` block by block.
    func provisioningExtent(from lba: UInt64, limit: UInt64) throws -> ProvisioningExtent
    /// Changes the capacity; blocks past a smaller end are discarded, a larger end reads zeros.
    /// The default throws `BlockStoreError.resizeNotSupported`.
    func resize(blockCount: UInt64) throws
    /// The smallest unit, in bytes, the store can deallocate (a file system block for a sparse
    /// file). Unmapping less than this zeroes the data but may leave it mapped. Default: one block.
    var allocationGranularity: Int { get }
}

/// A run of blocks in one provisioning state.
public struct ProvisioningExtent: Equatable, Sendable {
    public var mapped: Bool
    public var blockCount: UInt64
    public init(mapped: Bool, blockCount: UInt64) {
        self.mapped = mapped
        self.blockCount = blockCount
    }
}

/// Why a store could not do what it was asked. Never a trap: a bad range from a buggy caller
/// or a failing disk becomes a sense code, not a crash.
public enum BlockStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case outOfRange(lba: UInt64, count: UInt64, capacity: UInt64)
    case invalidArgument(String)
    /// A system call failed; `errno` is the C error number.
    case io(operation: String, errno: Int32)
    case resizeNotSupported

    public var description: String {
        switch self {
        case let .outOfRange(lba, count, capacity):
            return "blocks \(lba)+\(count) are outside the store (\(capacity) blocks)"
        case let .invalidArgument(what):
            return what
        case let .io(operation, errno):
            return "\(operation) failed (errno \(errno))"
        case .resizeNotSupported:
            return "this store cannot be resized"
        }
    }
}

extension BlockStore {
    public func writeSame(lba: UInt64, count: UInt64, block: [UInt8]) throws {
        guard block.count == blockSize else {
            throw BlockStoreError.invalidArgument("WRITE SAME block is \(block.count) bytes, the store's blocks are \(blockSize)")
        }
        try checkRange(lba: lba, count: count)
        let perChunk = UInt64(Swift.max(1, (1 << 20) / blockSize))
        var chunk: [UInt8] = []
        var done: UInt64 = 0
        while done < count {
            let n = Swift.min(perChunk, count - done)
            if chunk.count != Int(n) * blockSize {
                chunk = [UInt8]()
                chunk.reserveCapacity(Int(n) * blockSize)
                for _ in 0..<n { chunk.append(contentsOf: block) }
            }
            try write(lba: lba + done, data: chunk)
            done += n
        }
    }

    public func provisioningExtent(from lba: UInt64, limit: UInt64) throws -> ProvisioningExtent {
        guard lba < blockCount, limit > 0 else { return ProvisioningExtent(mapped: false, blockCount: 0) }
        let first = try isMapped(lba: lba)
        let end = Swift.min(blockCount, lba + Swift.min(limit, blockCount - lba))
        var next = lba + 1
        while next < end, try isMapped(lba: next) == first { next += 1 }
        return ProvisioningExtent(mapped: first, blockCount: next - lba)
    }

    public func resize(blockCount: UInt64) throws { throw BlockStoreError.resizeNotSupported }

    public var allocationGranularity: Int { blockSize }

    /// Throws `outOfRange` unless `lba ..< lba + count` lies inside the store.
    public func checkRange(lba: UInt64, count: UInt64) throws {
        let (end, overflow) = lba.addingReportingOverflow(count)
        guard !overflow, end <= blockCount else {
            throw BlockStoreError.outOfRange(lba: lba, count: count, capacity: blockCount)
        }
    }
}
