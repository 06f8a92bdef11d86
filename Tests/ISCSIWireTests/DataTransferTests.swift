import ISCSIWire
import Testing

/// Data-Out, Data-In and R2T vectors hand-built from RFC 7143 11.7 and 11.8.
@Suite struct DataTransferTests {
    typealias S = WireTestSupport

    static let dataOutVector: [UInt8] = [
        0x05, 0x80, 0x00, 0x00,                         // 0: 0x05; 1: F
        0x00, 0x00, 0x00, 0x06,                         // DSL 6
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 1
        0x00, 0x00, 0x00, 0x2A,                         // 16-19: ITT
        0x00, 0x00, 0x01, 0x00,                         // 20-23: TTT (answering an R2T)
        0x00, 0x00, 0x00, 0x00,                         // 24-27: reserved
        0x00, 0x00, 0x00, 0x06,                         // 28-31: ExpStatSN
        0x00, 0x00, 0x00, 0x00,                         // 32-35: reserved
        0x00, 0x00, 0x00, 0x01,                         // 36-39: DataSN
        0x00, 0x00, 0x20, 0x00,                         // 40-43: Buffer Offset 8192
        0x00, 0x00, 0x00, 0x00,                         // 44-47: reserved
        1, 2, 3, 4, 5, 6, 0, 0,                         // data + 2 padding bytes
    ]

    @Test func dataOut() throws {
        let d = SCSIDataOut(final: true, lun: 1 << 48, initiatorTaskTag: 0x2A, targetTransferTag: 0x100, expStatSN: 6, dataSN: 1,
                            bufferOffset: 8192, data: [1, 2, 3, 4, 5, 6])
        try S.checkVector(Self.dataOutVector, d)
        #expect(!d.isUnsolicited)
        #expect(SCSIDataOut(final: false, initiatorTaskTag: 1, expStatSN: 0, dataSN: 0, bufferOffset: 0, data: []).isUnsolicited)
    }

    static let dataInVector: [UInt8] = [
        0x25, 0x83, 0x00, 0x00,                         // 0: 0x25; 1: F + U + S; 3: status GOOD
        0x00, 0x00, 0x00, 0x06,                         // DSL 6
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 1
        0x00, 0x00, 0x00, 0x2B,                         // 16-19: ITT
        0xFF, 0xFF, 0xFF, 0xFF,                         // 20-23: TTT
        0x00, 0x00, 0x00, 0x0A,                         // 24-27: StatSN
        0x00, 0x00, 0x00, 0x07,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x00, 0x27,                         // 32-35: MaxCmdSN
        0x00, 0x00, 0x00, 0x02,                         // 36-39: DataSN
        0x00, 0x00, 0x04, 0x00,                         // 40-43: Buffer Offset 1024
        0x00, 0x00, 0x01, 0xFA,                         // 44-47: Residual Count 506
        9, 8, 7, 6, 5, 4, 0, 0,
    ]

    @Test func dataInWithStatus() throws {
        let d = SCSIDataIn(final: true, lun: 1 << 48, initiatorTaskTag: 0x2B, expCmdSN: 7, maxCmdSN: 0x27, dataSN: 2,
                           bufferOffset: 1024, status: DataInStatus(status: 0, statSN: 10, residual: .underflow(506)),
                           data: [9, 8, 7, 6, 5, 4])
        try S.checkVector(Self.dataInVector, d)
    }

    @Test func dataInWithoutStatusIgnoresReservedFields() throws {
        var v = Self.dataInVector
        v[1] = 0x00  // not final, no S: status, StatSN, residual reserved
        let d = try SCSIDataIn(parsing: v)
        #expect(d.status == nil && !d.final)
        let clean = try d.encoded()
        #expect(clean[3] == 0 && Array(clean[24..<28]) == [0, 0, 0, 0] && Array(clean[44..<48]) == [0, 0, 0, 0])
        #expect(try SCSIDataIn(parsing: clean) == d)
    }

    @Test func dataInFlagRules() throws {
        var sWithoutF = Self.dataInVector
        sWithoutF[1] = 0x01
        S.expectWireError({ try SCSIDataIn(parsing: sWithoutF) }, S.isInvalidField)
        var bothResiduals = Self.dataInVector
        bothResiduals[1] = 0x80 | 0x04 | 0x02 | 0x01
        S.expectWireError({ try SCSIDataIn(parsing: bothResiduals) }, S.isInvalidField)
        // Status forces F on; A is kept.
        let d = SCSIDataIn(final: false, acknowledge: true, initiatorTaskTag: 1, expCmdSN: 1, maxCmdSN: 1, dataSN: 0, bufferOffset: 0,
                           status: DataInStatus(status: 0x02, statSN: 1, residual: .overflow(4)), data: [])
        let b = try d.encoded()
        #expect(b[1] == 0x80 | 0x40 | 0x04 | 0x01 && b[3] == 0x02)
        #expect(try SCSIDataIn(parsing: b).final)
    }

    static let r2tVector: [UInt8] = [
        0x31, 0x80, 0x00, 0x00,                         // 0: 0x31; 1: 1
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 3
        0x00, 0x00, 0x00, 0x2A,                         // 16-19: ITT
        0x00, 0x00, 0x01, 0x00,                         // 20-23: TTT
        0x00, 0x00, 0x00, 0x0B,                         // 24-27: StatSN
        0x00, 0x00, 0x00, 0x07,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x00, 0x27,                         // 32-35: MaxCmdSN
        0x00, 0x00, 0x00, 0x02,                         // 36-39: R2TSN
        0x00, 0x04, 0x00, 0x00,                         // 40-43: Buffer Offset 262144
        0x00, 0x04, 0x00, 0x00,                         // 44-47: Desired Data Transfer Length 262144
    ]

    @Test func readyToTransfer() throws {
        let r = ReadyToTransfer(lun: 3 << 48, initiatorTaskTag: 0x2A, targetTransferTag: 0x100, statSN: 11, expCmdSN: 7,
                                maxCmdSN: 0x27, r2tSN: 2, bufferOffset: 262_144, desiredDataTransferLength: 262_144)
        try S.checkVector(Self.r2tVector, r)
    }
}
