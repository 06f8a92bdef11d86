import ISCSIWire
import Testing

@Suite struct InitiatorPDUTests {
    typealias S = WireTestSupport

    @Test func dispatchesEveryInitiatorOpcode() throws {
        let cases: [(ISCSIPDU, UInt32)] = [
            (NOPOut(initiatorTaskTag: 1, cmdSN: 0, expStatSN: 0).pdu, 1),
            (SCSICommandPDU(initiatorTaskTag: 2, cmdSN: 0, expStatSN: 0, cdb: [0]).pdu, 2),
            (TaskManagementRequest(function: .logicalUnitReset, initiatorTaskTag: 3, cmdSN: 0, expStatSN: 0).pdu, 3),
            (LoginRequest(transit: false, currentStage: .securityNegotiation, nextStage: .operationalNegotiation,
                          isid: ISID(rawValue: 1), initiatorTaskTag: 4, cmdSN: 0).pdu, 4),
            (TextRequest(initiatorTaskTag: 5, cmdSN: 0, expStatSN: 0).pdu, 5),
            (SCSIDataOut(final: true, initiatorTaskTag: 6, expStatSN: 0, dataSN: 0, bufferOffset: 0, data: [1]).pdu, 6),
            (LogoutRequest(initiatorTaskTag: 7, cmdSN: 0, expStatSN: 0).pdu, 7),
            (try ISCSIPDU(parsing: ErrorAndControlPDUTests.snackVector), 0xFFFF_FFFF),
        ]
        for (pdu, itt) in cases {
            let decoded = try InitiatorPDU(pdu: pdu)
            #expect(decoded.initiatorTaskTag == itt)
        }
        if case .scsiCommand = try InitiatorPDU(pdu: cases[1].0) {} else { Issue.record("not a SCSI command") }
    }

    /// Target opcodes and undefined ones are "Command not supported" (RFC 7143 11.17.1).
    @Test func targetAndUnknownOpcodesAreUnsupported() {
        var header = BasicHeaderSegment(opcode: .scsiResponse)
        S.expectWireError({ try InitiatorPDU(pdu: ISCSIPDU(header: header)) }) {
            if case .unsupportedOpcode(0x21, _) = $0 { return $0.rejectReason == .commandNotSupported }
            return false
        }
        header.opcodeCode = 0x1C
        S.expectWireError({ try InitiatorPDU(pdu: ISCSIPDU(header: header)) }) {
            $0.offendingHeader?.opcodeCode == 0x1C
        }
    }
}
