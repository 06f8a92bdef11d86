import Testing
import SCSIWire

@Suite struct BlockDeviceRangeDescriptorTests {
    typealias S = CopyTestSupport

    /// Derived from targets.md §11.5 (range descriptor: LBA 0-7, blocks 8-11, reserved 12-15).
    static let vector: [UInt8] = [
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00, // 0-7: LBA 0x1_0000_1000
        0x00, 0x00, 0x20, 0x00,                         // 8-11: 0x2000 blocks
        0x00, 0x00, 0x00, 0x00,                         // 12-15: reserved
    ]

    @Test func vectorParsesAndEncodes() throws {
        let r = try BlockDeviceRangeDescriptor(parsing: Self.vector)
        #expect(r.logicalBlockAddress == 0x1_0000_1000)
        #expect(r.numberOfLogicalBlocks == 0x2000)
        #expect(r.encoded() == Self.vector)
    }

    @Test func listParsing() throws {
        let second = BlockDeviceRangeDescriptor(logicalBlockAddress: .max, numberOfLogicalBlocks: .max)
        let bytes = [0xAA] + Self.vector + second.encoded()
        let list = try BlockDeviceRangeDescriptor.parseList(bytes, at: 1, length: 32, "test")
        #expect(list == [try BlockDeviceRangeDescriptor(parsing: Self.vector), second])
        #expect(BlockDeviceRangeDescriptor.totalBlocks(list) == 0x2000 + UInt64(UInt32.max))
        #expect(try BlockDeviceRangeDescriptor.parseList(bytes, at: 1, length: 0, "test").isEmpty)
        S.expectInvalidField { try BlockDeviceRangeDescriptor.parseList(bytes, at: 1, length: 20, "test") }
        S.expectTruncatedForEveryPrefix(bytes, upTo: 33) { try BlockDeviceRangeDescriptor.parseList($0, at: 1, length: 32, "test") }
    }

    @Test func roundTrips() throws {
        let r = BlockDeviceRangeDescriptor(logicalBlockAddress: 42, numberOfLogicalBlocks: 7)
        #expect(try BlockDeviceRangeDescriptor(parsing: r.encoded()) == r)
        #expect(try BlockDeviceRangeDescriptor(parsing: Self.vector).encoded() == Self.vector)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.vector) { try BlockDeviceRangeDescriptor(parsing: $0) }
    }
}
