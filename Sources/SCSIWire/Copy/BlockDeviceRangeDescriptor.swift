/// Block device range descriptor (SBC-3, 16 bytes): one LBA extent of a POPULATE TOKEN or
/// WRITE USING TOKEN list (also the UNMAP layout's shape, but not its field widths).
public struct BlockDeviceRangeDescriptor: Equatable, Hashable, Sendable {
    public static let length = 16

    public var logicalBlockAddress: UInt64
    public var numberOfLogicalBlocks: UInt32

    public init(logicalBlockAddress: UInt64, numberOfLogicalBlocks: UInt32) {
        self.logicalBlockAddress = logicalBlockAddress
        self.numberOfLogicalBlocks = numberOfLogicalBlocks
    }

    /// Reads the descriptor at the start of `bytes`; reserved bytes 12-15 are ignored.
    public init(parsing bytes: [UInt8]) throws {
        try bytes.checkRange(0, BlockDeviceRangeDescriptor.length, "block device range descriptor")
        logicalBlockAddress = try bytes.be64(at: 0)
        numberOfLogicalBlocks = try bytes.be32(at: 8)
    }

    public func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: BlockDeviceRangeDescriptor.length)
        out.setBE64(logicalBlockAddress, at: 0)
        out.setBE32(numberOfLogicalBlocks, at: 8)
        return out
    }

    /// A list of `length` bytes at `offset`: throws `.truncated` if the data ends first and
    /// `.invalidField` if `length` is not a multiple of 16.
    public static func parseList(_ bytes: [UInt8], at offset: Int, length: Int, _ what: String) throws -> [BlockDeviceRangeDescriptor] {
        guard length % BlockDeviceRangeDescriptor.length == 0 else {
            throw WireError.invalidField(what: "\(what) BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH",
                                         detail: "\(length) is not a multiple of 16")
        }
        let list = try bytes.bytes(at: offset, count: length, "\(what) range descriptors")
        return try stride(from: 0, to: length, by: BlockDeviceRangeDescriptor.length).map {
            try BlockDeviceRangeDescriptor(parsing: Array(list[$0..<($0 + BlockDeviceRangeDescriptor.length)]))
        }
    }

    /// Sum of the block counts (UInt64, cannot overflow for 65535 descriptors at most).
    public static func totalBlocks(_ ranges: [BlockDeviceRangeDescriptor]) -> UInt64 {
        ranges.reduce(0) { $0 + UInt64($1.numberOfLogicalBlocks) }
    }
}
