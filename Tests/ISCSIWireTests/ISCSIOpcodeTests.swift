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
}
