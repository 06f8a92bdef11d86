/// A store in memory: a sparse dictionary from LBA to block. Absent blocks are unmapped and
/// read as zeros; writing any data, zeros included, maps a block (as on a thin LU). WRITE SAME
/// stores one shared buffer for every block it writes, so filling a large range costs the
/// dictionary entries, not the data. For tests and small scratch LUs.
public final class MemoryBlockStore: BlockStore, @unchecked Sendable {
    public let blockSize: Int
    private struct State {
        var blocks: [UInt64: [UInt8]] = [:]
        var blockCount: UInt64
    }
    private let state: Locked<State>

    public init(blockSize: Int = 512, blockCount: UInt64) {
        precondition(blockSize > 0, "block size must be positive")
        self.blockSize = blockSize
        state = Locked(State(blockCount: blockCount))
    }

    public var blockCount: UInt64 { state.withLock { $0.blockCount } }

    /// How many blocks hold data.
    public var mappedBlockCount: Int { state.withLock { $0.blocks.count } }

    public func read(lba: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw BlockStoreError.invalidArgument("negative block count \(count)") }
        return try state.withLock { s in
            try Self.check(lba: lba, count: UInt64(count), capacity: s.blockCount)
            var out = [UInt8]()
            out.reserveCapacity(count * blockSize)
            let zero = [UInt8](repeating: 0, count: blockSize)
            for i in 0..<UInt64(count) { out.append(contentsOf: s.blocks[lba + i] ?? zero) }
            return out
        }
    }

    public func write(lba: UInt64, data: [UInt8]) throws {
        guard data.count % blockSize == 0 else {
            throw BlockStoreError.invalidArgument("write of \(data.count) bytes is not a whole number of \(blockSize)-byte blocks")
        }
        let count = data.count / blockSize
        try state.withLock { s in
            try Self.check(lba: lba, count: UInt64(count), capacity: s.blockCount)
            for i in 0..<count {
                s.blocks[lba + UInt64(i)] = Array(data[(i * blockSize)..<((i + 1) * blockSize)])
            }
        }
    }

    public func writeSame(lba: UInt64, count: UInt64, block: [UInt8]) throws {
        guard block.count == blockSize else {
            throw BlockStoreError.invalidArgument("WRITE SAME block is \(block.count) bytes, the store's blocks are \(blockSize)")
        }
        try state.withLock { s in
            try Self.check(lba: lba, count: count, capacity: s.blockCount)
            for i in 0..<count { s.blocks[lba + i] = block }
        }
    }

    public func unmap(lba: UInt64, count: UInt64) throws {
        try state.withLock { s in
            try Self.check(lba: lba, count: count, capacity: s.blockCount)
            if count <= UInt64(s.blocks.count) {
                for i in 0..<count { s.blocks.removeValue(forKey: lba + i) }
            } else {
                // A huge range over a small map: walk the map, not the range.
                let end = lba + count
                s.blocks = s.blocks.filter { $0.key < lba || $0.key >= end }
            }
        }
    }

    public func isMapped(lba: UInt64) throws -> Bool {
        try state.withLock { s in
            try Self.check(lba: lba, count: 1, capacity: s.blockCount)
            return s.blocks[lba] != nil
        }
    }

    public func provisioningExtent(from lba: UInt64, limit: UInt64) throws -> ProvisioningExtent {
        try state.withLock { s in
            guard lba < s.blockCount, limit > 0 else { return ProvisioningExtent(mapped: false, blockCount: 0) }
            let end = lba + Swift.min(limit, s.blockCount - lba)
            if s.blocks[lba] != nil {
                var next = lba + 1
                while next < end, s.blocks[next] != nil { next += 1 }
                return ProvisioningExtent(mapped: true, blockCount: next - lba)
            }
            // Unmapped up to the lowest mapped block after lba.
            var nextMapped = end
            for key in s.blocks.keys where key > lba && key < nextMapped { nextMapped = key }
            return ProvisioningExtent(mapped: false, blockCount: nextMapped - lba)
        }
    }

    public func flush() throws {}

    public func resize(blockCount newCount: UInt64) throws {
        state.withLock { s in
            if newCount < s.blockCount { s.blocks = s.blocks.filter { $0.key < newCount } }
            s.blockCount = newCount
        }
    }

    private static func check(lba: UInt64, count: UInt64, capacity: UInt64) throws {
        let (end, overflow) = lba.addingReportingOverflow(count)
        guard !overflow, end <= capacity else {
            throw BlockStoreError.outOfRange(lba: lba, count: count, capacity: capacity)
        }
    }
}
