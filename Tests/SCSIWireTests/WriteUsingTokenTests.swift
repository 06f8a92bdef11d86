import Testing
import SCSIWire

@Suite struct WriteUsingTokenTests {
    typealias S = CopyTestSupport

    static var request: WriteUsingToken {
        get throws {
            WriteUsingToken(deleteToken: true, immediate: false, offsetIntoROD: 0x10, rodToken: try RODTokenTests.ctlStyle,
                            ranges: [BlockDeviceRangeDescriptor(logicalBlockAddress: 0x8000, numberOfLogicalBlocks: 0x1FF0)])
        }
    }

    /// Derived from targets.md §11.5 (WRITE USING TOKEN table), not captured.
    static var vector: [UInt8] {
        get throws {
            [0x02, 0x26,                                        // 0-1: data length 550 (total - 2)
             0x02,                                              // 2: DEL_TKN (bit 1), IMMED 0
             0x00, 0x00, 0x00, 0x00, 0x00,                      // 3-7: reserved
             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10]    // 8-15: offset into ROD 16
                + (try RODTokenTests.ctlStyle.encoded())        // 16-527: ROD token
                + [0, 0, 0, 0, 0, 0,                            // 528-533: reserved
                   0x00, 0x10,                                  // 534-535: range list length 16
                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, // 536-543: LBA 0x8000
                   0x00, 0x00, 0x1F, 0xF0, 0x00, 0x00, 0x00, 0x00] // 544-551: 0x1FF0 blocks, reserved
        }
    }

    @Test func cdbVector() throws {
        let cdb = WriteUsingToken.cdb(listIdentifier: 258, parameterListLength: 552)
        #expect(cdb == [0x83, 0x11, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x02, 0x28, 0x00, 0x00])
        let parsed = try WriteUsingToken.CDB(parsing: cdb)
        #expect(parsed.listIdentifier == 258)
        #expect(parsed.parameterListLength == 552)
        #expect(parsed.groupNumber == 0)
        let full = WriteUsingToken.CDB(listIdentifier: 1, parameterListLength: 2, groupNumber: 3, control: 4)
        #expect(try WriteUsingToken.CDB(parsing: full.encoded()) == full)
        var pt = cdb
        pt[1] = 0x10
        S.expectInvalidField { try WriteUsingToken.CDB(parsing: pt) }
        S.expectTruncatedForEveryPrefix(cdb) { try WriteUsingToken.CDB(parsing: $0) }
        S.expectOutOfRange { try WriteUsingToken.CDB(listIdentifier: 0, parameterListLength: 0, groupNumber: 0x20).encoded() }
    }

    @Test func vectorParsesAndEncodes() throws {
        let vector = try Self.vector
        #expect(vector.count == 552)
        let encoded = try Self.request.encoded()
        #expect(encoded == vector)
        #expect(Array(encoded[16..<528]) == (try RODTokenTests.ctlStyle.encoded()))
        let parsed = try WriteUsingToken(parsing: vector)
        #expect(parsed == (try Self.request))
        #expect(parsed.deleteToken)
        #expect(!parsed.immediate)
        #expect(parsed.offsetIntoROD == 16)
        #expect(parsed.ranges == [BlockDeviceRangeDescriptor(logicalBlockAddress: 0x8000, numberOfLogicalBlocks: 0x1FF0)])
    }

    @Test func zeroingWithTheWellKnownToken() throws {
        let zero = WriteUsingToken(immediate: true, rodToken: .blockDeviceZero,
                                   ranges: [BlockDeviceRangeDescriptor(logicalBlockAddress: 0, numberOfLogicalBlocks: 8),
                                            BlockDeviceRangeDescriptor(logicalBlockAddress: 100, numberOfLogicalBlocks: 8)])
        let b = try zero.encoded()
        #expect(b.count == 568)
        #expect(Array(b[0..<2]) == [0x02, 0x36])
        #expect(b[2] == 0x01)
        #expect(Array(b[16..<24]) == [0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x01, 0xF8])
        #expect(Array(b[534..<536]) == [0x00, 0x20])
        #expect(try WriteUsingToken(parsing: b) == zero)
    }

    @Test func malformedListsAreRejected() throws {
        var shortData = try Self.vector
        shortData[1] = 0x16 // data length 534: does not cover the range
        S.expectInvalidField { try WriteUsingToken(parsing: shortData) }
        var oddList = try Self.vector
        oddList[535] = 0x08
        S.expectInvalidField { try WriteUsingToken(parsing: oddList) }
    }

    @Test func roundTrips() throws {
        let request = try Self.request
        #expect(try WriteUsingToken(parsing: request.encoded()) == request)
        let vector = try Self.vector
        #expect(try WriteUsingToken(parsing: vector).encoded() == vector)
    }

    @Test func truncatedInputThrows() throws {
        S.expectTruncatedForEveryPrefix(try Self.vector) { try WriteUsingToken(parsing: $0) }
    }

    @Test func valueOverflowThrows() throws {
        let range = BlockDeviceRangeDescriptor(logicalBlockAddress: 0, numberOfLogicalBlocks: 1)
        let max = WriteUsingToken(rodToken: .blockDeviceZero, ranges: Array(repeating: range, count: WriteUsingToken.maximumRangeCount))
        let b = try max.encoded()
        #expect(Array(b[0..<2]) == [0xFF, 0xF6]) // 534 + 16 * 4062 = 65526
        #expect(Array(b[534..<536]) == [0xFD, 0xE0])
        S.expectOutOfRange { try WriteUsingToken(rodToken: .blockDeviceZero, ranges: Array(repeating: range, count: 4063)).encoded() }
        var badToken = RODToken.blockDeviceZero
        badToken.rodTypeSpecific = [UInt8](repeating: 0, count: 33)
        S.expectOutOfRange { try WriteUsingToken(rodToken: badToken, ranges: [range]).encoded() }
    }
}
