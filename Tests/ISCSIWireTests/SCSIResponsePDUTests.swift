import ISCSIWire
import Testing

@Suite struct SCSIResponsePDUTests {
    typealias S = WireTestSupport

    static let sense: [UInt8] = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0]

    /// CHECK CONDITION with 18 bytes of fixed sense and an underflow of 512, hand-built from
    /// RFC 7143 11.4.
    static let vector: [UInt8] = [
        0x21, 0x82, 0x00, 0x02,                         // 0: opcode; 1: 1 + U; 2: Response 0; 3: Status 0x02
        0x00, 0x00, 0x00, 0x14,                         // DSL 20 (2 + 18)
        0, 0, 0, 0, 0, 0, 0, 0,                         // 8-15: reserved
        0x00, 0x00, 0x00, 0x2A,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x00,                         // 20-23: SNACK Tag
        0x00, 0x00, 0x00, 0x09,                         // 24-27: StatSN
        0x00, 0x00, 0x00, 0x06,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x00, 0x25,                         // 32-35: MaxCmdSN
        0x00, 0x00, 0x00, 0x01,                         // 36-39: ExpDataSN
        0x00, 0x00, 0x00, 0x00,                         // 40-43: bidirectional residual
        0x00, 0x00, 0x02, 0x00,                         // 44-47: residual 512
        0x00, 0x12,                                     // 48: SenseLength 18
    ] + sense

    @Test func checkConditionWithSense() throws {
        let r = SCSIResponsePDU(status: 0x02, residual: .underflow(512), initiatorTaskTag: 0x2A, statSN: 9, expCmdSN: 6,
                                maxCmdSN: 0x25, expDataSN: 1, senseData: Self.sense)
        try S.checkVector(Self.vector, r)
    }

    @Test func goodStatusHasNoData() throws {
        let r = SCSIResponsePDU(status: 0, initiatorTaskTag: 1, statSN: 2, expCmdSN: 3, maxCmdSN: 4)
        let b = try r.encoded()
        #expect(b.count == 48 && b[1] == 0x80 && b[3] == 0)
        #expect(try SCSIResponsePDU(parsing: b) == r)
    }

    @Test func residualFlagsAndResponseData() throws {
        let r = SCSIResponsePDU(response: .targetFailure, status: 0, bidirectionalReadResidual: .overflow(7),
                                residual: .overflow(3), initiatorTaskTag: 1, statSN: 2, expCmdSN: 3, maxCmdSN: 4,
                                responseData: [0xAB])
        let b = try r.encoded()
        #expect(b[1] == 0x80 | 0x10 | 0x04)
        #expect(b[2] == 0x01)
        #expect(Array(b[48..<52]) == [0, 0, 0xAB, 0])  // SenseLength 0, response data, padding
        #expect(try SCSIResponsePDU(parsing: b) == r)
        var bidiUnder = b
        bidiUnder[1] = 0x80 | 0x08 | 0x02
        let parsed = try SCSIResponsePDU(parsing: bidiUnder)
        #expect(parsed.bidirectionalReadResidual == .underflow(7) && parsed.residual == .underflow(3))
    }

    @Test func contradictoryFlagsAndShortSenseAreRefused() throws {
        var both = Self.vector
        both[1] = 0x80 | 0x04 | 0x02
        S.expectWireError({ try SCSIResponsePDU(parsing: both) }, S.isInvalidField)
        var bothBidi = Self.vector
        bothBidi[1] = 0x80 | 0x10 | 0x08
        S.expectWireError({ try SCSIResponsePDU(parsing: bothBidi) }, S.isInvalidField)
        // SenseLength larger than the data segment.
        var long = Self.vector
        long[49] = 0x40
        S.expectWireError({ try SCSIResponsePDU(parsing: long) }) { if case .truncated = $0 { return true }; return false }
    }
}
