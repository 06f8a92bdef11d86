import ISCSIWire
import Testing

/// SNACK (parse only), Reject and Async Message, hand-built from RFC 7143 11.16, 11.17, 11.9.
@Suite struct ErrorAndControlPDUTests {
    typealias S = WireTestSupport

    static let snackVector: [UInt8] = [
        0x10, 0x81, 0x00, 0x00,                         // 0: 0x10; 1: 1 + type 1 (Status)
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 1
        0xFF, 0xFF, 0xFF, 0xFF,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x09,                         // 20-23: TTT / SNACK Tag
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x05,                         // 28-31: ExpStatSN
        0, 0, 0, 0, 0, 0, 0, 0,                         // 32-39: reserved
        0x00, 0x00, 0x00, 0x03,                         // 40-43: BegRun
        0x00, 0x00, 0x00, 0x02,                         // 44-47: RunLength
    ]

    @Test func snack() throws {
        let s = try SNACKRequest(parsing: Self.snackVector)
        #expect(s.type == .status)
        #expect(s.lun == 1 << 48 && s.initiatorTaskTag == 0xFFFF_FFFF && s.targetTransferTagOrSNACKTag == 9)
        #expect(s.expStatSN == 5 && s.begRun == 3 && s.runLength == 2)
        S.expectTruncatedForEveryPrefix(Self.snackVector) { try SNACKRequest(parsing: $0) }
        for (type, raw) in [(SNACKType.dataR2T, UInt8(0)), (.status, 1), (.dataAck, 2), (.rData, 3)] {
            var v = Self.snackVector
            v[1] = 0x80 | raw
            #expect(try SNACKRequest(parsing: v).type == type)
        }
    }

    @Test func rejectCarriesTheRejectedHeader() throws {
        let bad = try BasicHeaderSegment(parsing: Self.snackVector)
        let r = RejectPDU(reason: .commandNotSupported, rejecting: bad, statSN: 6, expCmdSN: 7, maxCmdSN: 8)
        let expected: [UInt8] = [
            0x3F, 0x80, 0x05, 0x00,                     // 0: 0x3f; 1: 1; 2: Reason
            0x00, 0x00, 0x00, 0x30,                     // DSL 48
            0, 0, 0, 0, 0, 0, 0, 0,
            0xFF, 0xFF, 0xFF, 0xFF,                     // 16-19: 0xffffffff
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x06,                     // 24-27: StatSN
            0x00, 0x00, 0x00, 0x07,                     // 28-31: ExpCmdSN
            0x00, 0x00, 0x00, 0x08,                     // 32-35: MaxCmdSN
            0x00, 0x00, 0x00, 0x00,                     // 36-39: DataSN/R2TSN
            0, 0, 0, 0, 0, 0, 0, 0,
        ] + Self.snackVector
        try S.checkVector(expected, r)
        #expect(r.rejected == bad)
    }

    /// RFC 7143 11.17.1 / IANA: 0x0b is deprecated, 0x01 reserved.
    @Test func rejectReasonCodes() {
        let table: [(RejectReason, UInt8)] = [
            (.dataDigestError, 0x02), (.snackReject, 0x03), (.protocolError, 0x04), (.commandNotSupported, 0x05),
            (.immediateCommandReject, 0x06), (.taskInProgress, 0x07), (.invalidDataAck, 0x08), (.invalidPDUField, 0x09),
            (.longOperationReject, 0x0A), (.deprecatedNegotiationReset, 0x0B), (.waitingForLogout, 0x0C),
        ]
        for (reason, raw) in table { #expect(reason.rawValue == raw) }
        #expect(RejectReason.protocolError.description == "Protocol Error")
        #expect(RejectReason(rawValue: 0x01).description == "reason 0x01")
    }

    @Test func asyncLogoutRequest() throws {
        let a = AsyncMessage(lun: 0, statSN: 0x20, expCmdSN: 0x30, maxCmdSN: 0x40, event: .logoutRequest, parameter3: 10)
        let expected: [UInt8] = [
            0x32, 0x80, 0x00, 0x00,                     // 0: 0x32; 1: 1
            0x00, 0x00, 0x00, 0x00,
            0, 0, 0, 0, 0, 0, 0, 0,                     // 8-15: LUN
            0xFF, 0xFF, 0xFF, 0xFF,                     // 16-19: 0xffffffff
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x20,                     // 24-27: StatSN
            0x00, 0x00, 0x00, 0x30,                     // 28-31: ExpCmdSN
            0x00, 0x00, 0x00, 0x40,                     // 32-35: MaxCmdSN
            0x01, 0x00,                                 // 36: AsyncEvent; 37: AsyncVCode
            0x00, 0x00, 0x00, 0x00, 0x00, 0x0A,         // 38-43: Parameter1-3
            0, 0, 0, 0,
        ]
        #expect(try a.encoded() == expected)
        #expect(a.pdu.header.opcode == .asyncMessage)
    }

    @Test func asyncSCSIEventCarriesSense() throws {
        let sense: [UInt8] = [0x70, 0, 0x06, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x2A, 0x09, 0, 0, 0, 0]
        let a = AsyncMessage(lun: 1 << 48, statSN: 1, expCmdSN: 1, maxCmdSN: 1, event: .scsiAsyncEvent, senseData: sense)
        let b = try a.encoded()
        #expect(Array(b[5..<8]) == [0, 0, 20])
        #expect(Array(b[48..<50]) == [0x00, 0x12])
        #expect(Array(b[50..<68]) == sense)
        #expect(b.count == 68)
        #expect(AsyncEvent.connectionDrop.rawValue == 2 && AsyncEvent.sessionDrop.rawValue == 3)
        #expect(AsyncEvent.parameterNegotiation.rawValue == 4 && AsyncEvent.vendorSpecific.rawValue == 255)
    }
}
