import SCSIWire
import SimArray
import Testing

/// REPORT SUPPORTED OPERATION CODES, with libiscsi's checks (Simple, OneCommand, RCTD, SERVACTV)
/// and the CDB usage data its DpoFua tests read.
@Suite struct ReportSupportedOperationCodesTests {
    func all(_ h: Harness, rctd: Bool = false) throws -> [SupportedCommandDescriptor] {
        try SupportedOperationCodesList(parsing: h.good(TestCDB.reportSupportedOperationCodes(rctd: rctd))).commands
    }

    @Test func listsTheBlockCommandsSorted() throws {
        let commands = try all(try Harness())
        let keys = commands.map { "\(hexString([$0.operationCode]))/\($0.serviceAction.map { hexString([UInt8($0)]) } ?? "-")" }
        #expect(keys == ["00/-", "03/-", "12/-", "1a/-", "25/-", "28/-", "2a/-", "35/-", "42/-", "5a/-", "88/-", "8a/-",
                         "91/-", "93/-", "9e/10", "9e/12", "a0/-", "a3/0c"])
        #expect(commands.first { $0.operationCode == 0x88 }?.cdbLength == 16)
        #expect(commands.first { $0.operationCode == 0x28 }?.cdbLength == 10)
        #expect(commands.allSatisfy { $0.serviceAction != nil || $0.operationCode != 0x9E }, "SERVACTV set where there is an SA")
    }

    @Test func thickLUHasNoUnmap() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        #expect(try !all(try Harness(options: o)).contains { $0.operationCode == 0x42 })
    }

    @Test("RCTD: every descriptor carries a 0Ah-long timeouts descriptor; without it none does")
    func timeouts() throws {
        let h = try Harness()
        #expect(try all(h).allSatisfy { $0.timeouts == nil })
        let with = try all(h, rctd: true)
        #expect(!with.isEmpty && with.allSatisfy { $0.timeouts != nil })
        let raw = h.good(TestCDB.reportSupportedOperationCodes(rctd: true))
        #expect(raw[4 + 5] == 0x02 && Array(raw[12..<14]) == [0x00, 0x0A], "CTDP set; DESCRIPTOR LENGTH 0Ah")
    }

    @Test("One command: READ(10)/WRITE(10)/READ(16)/WRITE(16) usage data has DPO and FUA (libiscsi *.DpoFua)")
    func usageDataHasDpoFua() throws {
        let h = try Harness()
        for op: UInt8 in [0x28, 0x2A, 0x88, 0x8A] {
            let one = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 1, opcode: op)))
            #expect(one.support == 3)
            #expect(one.cdbUsageData[0] == op && one.cdbUsageData[1] & 0x18 == 0x18 && one.cdbUsageData[1] & 0xE0 == 0)
        }
        let r10 = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 1, opcode: 0x28)))
        #expect(r10.cdbUsageData == [0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00])
    }

    @Test("libiscsi OneCommand: options 001b/010b per SERVACTV, and each one-command answer names its opcode")
    func oneCommandLoop() throws {
        let h = try Harness()
        for c in try all(h) {
            let sa = c.serviceAction ?? 0
            if c.serviceAction != nil {
                expectSense(h.run(TestCDB.reportSupportedOperationCodes(options: 1, opcode: c.operationCode, sa: sa)),
                            0x05, 0x24, 0x00)
            } else {
                expectSense(h.run(TestCDB.reportSupportedOperationCodes(options: 2, opcode: c.operationCode, sa: sa)),
                            0x05, 0x24, 0x00)
            }
            let one = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(
                options: c.serviceAction != nil ? 2 : 1, opcode: c.operationCode, sa: sa)))
            #expect(one.cdbUsageData.count == Int(c.cdbLength) && one.cdbUsageData.first == c.operationCode)
            if let s = c.serviceAction { #expect(one.cdbUsageData[1] & 0x1F == UInt8(s)) }
        }
    }

    @Test("Unsupported commands: SUPPORT 001b; option 011b takes either kind; reserved options are invalid")
    func unsupportedAndOptions() throws {
        let h = try Harness()
        let none = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 1, opcode: 0x04)))
        #expect(none.support == 1 && none.cdbUsageData.isEmpty)
        let noSA = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 2, opcode: 0x9E, sa: 0x11)))
        #expect(noSA.support == 1)
        #expect(try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 3, opcode: 0x9E, sa: 0x10))).support == 3)
        #expect(try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 3, opcode: 0x12, sa: 0x55))).support == 3)
        expectSense(h.run(TestCDB.reportSupportedOperationCodes(options: 1, opcode: 0x83)), 0x05, 0x24, 0x00, field: .cdb(3))
        for o: UInt8 in [4, 5, 7] {
            expectSense(h.run(TestCDB.reportSupportedOperationCodes(options: o)), 0x05, 0x24, 0x00, field: .cdb(2, bit: 2))
        }
        let rctdOne = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 1, rctd: true, opcode: 0x00)))
        #expect(rctdOne.timeouts == CommandTimeoutsDescriptor())
    }

    @Test func allocationLengthTruncates() throws {
        let h = try Harness()
        let full = h.good(TestCDB.reportSupportedOperationCodes())
        #expect(h.good(TestCDB.reportSupportedOperationCodes(allocation: 12)) == Array(full.prefix(12)))
        #expect(Int(full[3]) + 4 == full.count)
    }
}
