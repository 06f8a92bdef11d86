import ISCSIWire
import Testing

@Suite struct ISCSIOpcodeTests {
    /// RFC 7143 10.2.1.2: initiator opcodes are 0x00-0x1F, target opcodes 0x20-0x3F.
    @Test func directionFollowsTheOpcodeRanges() {
        for op in ISCSIOpcode.allCases {
            #expect(op.isInitiatorOpcode == (op.rawValue < 0x20), "\(op)")
        }
        #expect(ISCSIOpcode(rawValue: 0x01) == .scsiCommand)
        #expect(ISCSIOpcode(rawValue: 0x31) == .readyToTransfer)
        #expect(ISCSIOpcode(rawValue: 0x07) == nil)
    }

    /// Every typed view declares the opcode it encodes.
    @Test func viewsCarryTheirOpcode() {
        #expect(NOPOut.opcode == .nopOut && NOPIn.opcode == .nopIn)
        #expect(SCSICommandPDU.opcode == .scsiCommand && SCSIResponsePDU.opcode == .scsiResponse)
        #expect(TaskManagementRequest.opcode == .taskManagementRequest && TaskManagementResponse.opcode == .taskManagementResponse)
        #expect(LoginRequest.opcode == .loginRequest && LoginResponse.opcode == .loginResponse)
        #expect(TextRequest.opcode == .textRequest && TextResponse.opcode == .textResponse)
        #expect(SCSIDataOut.opcode == .dataOut && SCSIDataIn.opcode == .dataIn)
        #expect(LogoutRequest.opcode == .logoutRequest && LogoutResponse.opcode == .logoutResponse)
        #expect(SNACKRequest.opcode == .snackRequest && ReadyToTransfer.opcode == .readyToTransfer)
        #expect(AsyncMessage.opcode == .asyncMessage && RejectPDU.opcode == .reject)
    }
}
