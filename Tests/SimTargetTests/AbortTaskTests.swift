import Foundation
import ISCSIWire
import SCSIWire
import SimArray
import SimTarget
import Testing

/// ABORT TASK against offload-sim (RFC 7143 11.5.1): a task still running is aborted and its
/// status never sent; a task already answered does not exist. libiscsi's AbortTaskSimpleAsync
/// failed now and then while the simulator said "Function complete" for both and answered the
/// write as well.
@Suite("offload-sim ABORT TASK", .serialized)
struct AbortTaskTests {
    static func abort(_ c: RawInitiator, itt: UInt32, referenced: UInt32, refCmdSN: UInt32) throws -> TaskManagementResponse? {
        let tmf = TaskManagementRequest(function: .abortTask, lun: 0, initiatorTaskTag: itt, referencedTaskTag: referenced,
                                        cmdSN: c.cmdSN, expStatSN: c.expStatSN, refCmdSN: refCmdSN)
        c.send(try tmf.pdu.encoded())
        return try c.receive().map { try TaskManagementResponse(pdu: $0) }
    }

    @Test("a task still running: Function complete, and its status is never sent")
    func runningTaskIsAborted() async throws {
        // Every completion is held back 300 ms: the TEST UNIT READY is still on its way back.
        let h = try await SimServerHarness.start(faults: [.delay(milliseconds: 300)])
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        let sn = try c.sendTestUnitReady(itt: 1)
        let answer = try #require(try Self.abort(c, itt: 2, referenced: 1, refCmdSN: sn))
        #expect(answer.response == .functionComplete)
        #expect(answer.initiatorTaskTag == 2)
        // The next PDU is the answer to a later command, not the aborted one's.
        try c.sendTestUnitReady(itt: 3)
        let next = try #require(try c.receive().map { try SCSIResponsePDU(pdu: $0) })
        #expect(next.initiatorTaskTag == 3, "the aborted task (ITT 1) was answered")
        await h.server.stop()
    }

    @Test("a task already answered: Task does not exist")
    func answeredTaskDoesNotExist() async throws {
        let h = try await SimServerHarness.start()
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        let sn = try c.sendTestUnitReady(itt: 1)
        let done = try #require(try c.receive().map { try SCSIResponsePDU(pdu: $0) })
        #expect(done.initiatorTaskTag == 1)
        let answer = try #require(try Self.abort(c, itt: 2, referenced: 1, refCmdSN: sn))
        #expect(answer.response == .taskDoesNotExist)
        await h.server.stop()
    }

    @Test("a CmdSN inside the window never received counts as received and aborted: Function complete")
    func neverReceivedIsComplete() async throws {
        let h = try await SimServerHarness.start()
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        // Refer to the CmdSN the next command would have, and send the TMF with the one after.
        let missing = c.cmdSN
        c.cmdSN &+= 1
        let answer = try #require(try Self.abort(c, itt: 2, referenced: 7, refCmdSN: missing))
        #expect(answer.response == .functionComplete)
        await h.server.stop()
    }
}
