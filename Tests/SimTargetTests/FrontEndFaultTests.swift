import Foundation
import ISCSIWire
import SCSIWire
import SimArray
import SimTarget
import Testing

/// Faults the iSCSI front end applies: TASK SET FULL, a delayed completion, a connection
/// dropped while a command of a given opcode is in flight.
@Suite("offload-sim front-end faults", .serialized)
struct FrontEndFaultTests {
    static func tur(_ c: RawInitiator, itt: UInt32) throws -> SCSIResponsePDU? {
        try c.sendTestUnitReady(itt: itt)
        return try c.receive().map { try SCSIResponsePDU(pdu: $0) }
    }

    @Test("task-set-full:count=2 answers two commands TASK SET FULL, then GOOD")
    func taskSetFull() async throws {
        let h = try await SimServerHarness.start(faults: [.taskSetFull(count: 2)])
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        let statuses = try (1...3).map { try Self.tur(c, itt: UInt32($0))?.status }
        #expect(statuses == [SCSIStatus.taskSetFull.rawValue, SCSIStatus.taskSetFull.rawValue, SCSIStatus.good.rawValue])
        await h.server.stop()
    }

    @Test("delay:ms=300 holds every completion back")
    func delay() async throws {
        let h = try await SimServerHarness.start(faults: [.delay(milliseconds: 300)])
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        let start = ContinuousClock.now
        #expect(try Self.tur(c, itt: 1)?.status == SCSIStatus.good.rawValue)
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        await h.server.stop()
    }

    @Test("drop-connection:opcode=0x00 closes the connection on TEST UNIT READY only, once")
    func dropConnection() async throws {
        let h = try await SimServerHarness.start(faults: [.dropConnection(opcode: 0x00)])
        let c = try RawInitiator(port: h.server.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        #expect(try Self.tur(c, itt: 1) == nil, "the connection must drop")
        // The fault is spent: a new session works.
        let d = try RawInitiator(port: h.server.boundPort)
        #expect(try d.login()?.status.isSuccess == true)
        #expect(try Self.tur(d, itt: 2)?.status == SCSIStatus.good.rawValue)
        #expect(h.faults.active.isEmpty)
        await h.server.stop()
    }
}
