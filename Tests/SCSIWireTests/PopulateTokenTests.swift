import Testing
import SCSIWire

@Suite struct PopulateTokenTests {
    typealias S = CopyTestSupport

    /// Derived from targets.md §11.5 (POPULATE TOKEN table), not captured: RTV with AUR,
    /// IMMED, 60 s inactivity timeout, two ranges.
    static let vector: [UInt8] = [
        0x00, 0x2E,                                     // 0-1: data length 46 (total - 2)
        0x03,                                           // 2: RTV (bit 1), IMMED (bit 0)
        0x00,                                           // 3: reserved
        0x00, 0x00, 0x00, 0x3C,                         // 4-7: inactivity timeout 60 s
        0x00, 0x01, 0x00, 0x00,                         // 8-11: ROD type AUR
        0x00, 0x00,                                     // 12-13: reserved
        0x00, 0x20,                                     // 14-15: range descriptor list length 32
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, // 16-23: LBA 0x1000
        0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, // 24-31: 0x2000 blocks, reserved
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // 32-39: LBA 0x1_0000_0000
        0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, // 40-47: 8 blocks, reserved
    ]

    static let token = PopulateToken(
        rodType: .accessUponReference, immediate: true, inactivityTimeout: 60,
        ranges: [BlockDeviceRangeDescriptor(logicalBlockAddress: 0x1000, numberOfLogicalBlocks: 0x2000),
                 BlockDeviceRangeDescriptor(logicalBlockAddress: 0x1_0000_0000, numberOfLogicalBlocks: 8)])

    @Test func cdbVector() throws {
        // ddpt do_pop_tok: 83 10, list ID 6-9, parameter list length 10-13, group 14.
        let cdb = PopulateToken.cdb(listIdentifier: 257, parameterListLength: 48)
        #expect(cdb == [0x83, 0x10, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00])
        let full = PopulateToken.CDB(listIdentifier: 0xA1B2_C3D4, parameterListLength: 0x0102_0304, groupNumber: 0x1F, control: 0x04)
        let b = try full.encoded()
        #expect(Array(b[2..<6]) == [0, 0, 0, 0])
        #expect(Array(b[6..<10]) == [0xA1, 0xB2, 0xC3, 0xD4])
        #expect(Array(b[10..<14]) == [1, 2, 3, 4])
        #expect(b[14] == 0x1F && b[15] == 0x04)
        #expect(try PopulateToken.CDB(parsing: b) == full)
        var wut = b
        wut[1] = 0x11
        S.expectInvalidField { try PopulateToken.CDB(parsing: wut) }
        S.expectTruncatedForEveryPrefix(b) { try PopulateToken.CDB(parsing: $0) }
        S.expectOutOfRange { try PopulateToken.CDB(listIdentifier: 0, parameterListLength: 0, groupNumber: 0x20).encoded() }
    }

    @Test func vectorParsesAndEncodes() throws {
        let parsed = try PopulateToken(parsing: Self.vector)
        #expect(parsed == Self.token)
        #expect(parsed.rodType == .accessUponReference)
        #expect(parsed.immediate)
        #expect(parsed.inactivityTimeout == 60)
        #expect(parsed.ranges.count == 2)
        #expect(try Self.token.encoded() == Self.vector)
    }

    @Test func withoutRTVTheRODTypeFieldIsZeroAndIgnored() throws {
        let plain = PopulateToken(ranges: [BlockDeviceRangeDescriptor(logicalBlockAddress: 0, numberOfLogicalBlocks: 1)])
        let b = try plain.encoded()
        #expect(b.count == 32)
        #expect(Array(b[0..<2]) == [0x00, 0x1E])
        #expect(b[2] == 0x00)
        #expect(Array(b[8..<12]) == [0, 0, 0, 0])
        var noisy = b
        noisy[8] = 0x00; noisy[9] = 0x80 // a ROD type without RTV
        #expect(try PopulateToken(parsing: noisy).rodType == nil)
    }

    @Test func ddptOneByteEarlyRangesParseAsTheTargetSeesThem() throws {
        // initiators.md §2.5: ddpt >= 0.96 writes each descriptor starting at byte 15, so bytes
        // 16-31 hold it shifted by one and {LBA 0x1000, 0x2000 blocks} reaches the target as
        // {LBA 0x100000, 0x200000 blocks}. (Byte 15, the list length's low byte, is assumed intact.)
        let intended = BlockDeviceRangeDescriptor(logicalBlockAddress: 0x1000, numberOfLogicalBlocks: 0x2000)
        let header: [UInt8] = [0x00, 0x1E, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x10]
        let shifted = header + Array(intended.encoded().dropFirst()) + [0x00]
        let parsed = try PopulateToken(parsing: shifted)
        #expect(parsed.ranges == [BlockDeviceRangeDescriptor(logicalBlockAddress: 0x10_0000, numberOfLogicalBlocks: 0x20_0000)])
    }

    @Test func malformedListsAreRejected() {
        var shortData = Self.vector
        shortData[1] = 0x1E // data length covers only one range
        S.expectInvalidField { try PopulateToken(parsing: shortData) }
        var oddList = Self.vector
        oddList[15] = 0x18
        S.expectInvalidField { try PopulateToken(parsing: oddList) }
        var pastData = Self.vector
        pastData[15] = 0x30
        pastData[1] = 0x3E
        S.expectTruncatedForEveryPrefix(pastData + [UInt8](repeating: 0, count: 15), upTo: 64) { try PopulateToken(parsing: $0) }
    }

    @Test func roundTrips() throws {
        #expect(try PopulateToken(parsing: Self.token.encoded()) == Self.token)
        #expect(try PopulateToken(parsing: Self.vector).encoded() == Self.vector)
        let empty = PopulateToken(rodType: .pointInTimeAny, ranges: [])
        #expect(try PopulateToken(parsing: empty.encoded()) == empty)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.vector) { try PopulateToken(parsing: $0) }
    }

    @Test func valueOverflowThrows() throws {
        let range = BlockDeviceRangeDescriptor(logicalBlockAddress: 0, numberOfLogicalBlocks: 1)
        let max = PopulateToken(ranges: Array(repeating: range, count: PopulateToken.maximumRangeCount))
        let b = try max.encoded()
        #expect(Array(b[0..<2]) == [0xFF, 0xFE])
        #expect(Array(b[14..<16]) == [0xFF, 0xF0])
        S.expectOutOfRange { try PopulateToken(ranges: Array(repeating: range, count: 4096)).encoded() }
    }
}
