import Foundation
import ISCSIWire
import SCSIWire
import SimArray
import SimTarget
import Testing

/// What offload-sim does with PDUs no good initiator sends: an iSCSI Reject or a closed
/// connection, never a crash, and other sessions carry on.
@Suite("offload-sim under hostile input", .serialized)
struct HostileInputTests {
    @Test("garbage before login: connection closed, the server still serves others")
    func garbageBeforeLogin() async throws {
        let h = try await SimServerHarness.start()
        let bad = try RawInitiator(port: h.server.boundPort)
        bad.send([UInt8](repeating: 0xFF, count: 48))
        #expect(try bad.receive() == nil, "a non-login PDU before login must end the connection")
        let good = try RawInitiator(port: h.server.boundPort)
        let response = try #require(try good.login())
        #expect(response.status.isSuccess, "\(response.status)")
        await h.server.stop()
    }

    @Test("unknown opcode in the full feature phase: Reject echoing the header, session stays usable")
    func unknownOpcode() async throws {
        let h = try await SimServerHarness.start()
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        var header = [UInt8](repeating: 0, count: 48)
        header[0] = 0x1E  // not an iSCSI opcode
        c.send(header)
        let reply = try #require(try c.receive())
        let reject = try RejectPDU(pdu: reply)
        #expect(reject.rejected?.opcodeCode == 0x1E)
        // A NOP-Out afterwards is still answered.
        let ping = NOPOut(immediate: true, initiatorTaskTag: 7, cmdSN: c.cmdSN, expStatSN: c.expStatSN, pingData: [1, 2, 3, 4])
        c.send(try ping.pdu.encoded())
        let pong = try NOPIn(pdu: try #require(try c.receive()))
        #expect(pong.initiatorTaskTag == 7)
        #expect(pong.pingData == [1, 2, 3, 4])
        await h.server.stop()
    }

    @Test("a SCSI command with a truncated CDB and a bad LUN: CHECK CONDITION, not a crash")
    func badCommand() async throws {
        let h = try await SimServerHarness.start()
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        // READ(16) of LBA 2^63 on LUN 0: LBA OUT OF RANGE.
        let read = SCSICommandPDU(final: true, read: true, lun: 0, initiatorTaskTag: 9, expectedDataTransferLength: 512,
                                  cmdSN: c.cmdSN, expStatSN: c.expStatSN, cdb: CDB.read16(lba: 1 << 63, blocks: 1))
        c.send(try read.pdu.encoded())
        let r = try SCSIResponsePDU(pdu: try #require(try c.receive()))
        #expect(r.status == SCSIStatus.checkCondition.rawValue)
        #expect(try SenseData(parsing: r.senseData).additionalSense == .lbaOutOfRange)
        c.cmdSN &+= 1
        // LUN 99 does not exist.
        let tur = SCSICommandPDU(final: true, lun: try ReportLunsData.field(forLUN: 99), initiatorTaskTag: 10, expectedDataTransferLength: 0,
                                 cmdSN: c.cmdSN, expStatSN: c.expStatSN, cdb: CDB.testUnitReady())
        c.send(try tur.pdu.encoded())
        let r2 = try SCSIResponsePDU(pdu: try #require(try c.receive()))
        #expect(r2.status == SCSIStatus.checkCondition.rawValue)
        #expect(try SenseData(parsing: r2.senseData).additionalSense == .logicalUnitNotSupported)
        await h.server.stop()
    }

    @Test("fault busy:count=1 answers the first command BUSY, the next one normally")
    func busyFault() async throws {
        let h = try await SimServerHarness.start(faults: [.busy(count: 1)])
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        for (i, expected) in [SCSIStatus.busy, .good].enumerated() {
            try c.sendTestUnitReady(itt: UInt32(20 + i))
            let r = try SCSIResponsePDU(pdu: try #require(try c.receive()))
            #expect(r.status == expected.rawValue)
        }
        await h.server.stop()
    }
}
