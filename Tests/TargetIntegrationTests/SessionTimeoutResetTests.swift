import Foundation
import ISCSITransport
import SCSITransport
import SCSIWire
import Testing

/// A command that times out while its own PDU is only half written. libiscsi drops a cancelled
/// PDU even then, so the target would read the next PDU as the rest of the old one and never
/// answer again on that connection. The session must reset the connection on a timeout.
@Suite("iSCSI session: a timeout cuts a command PDU in half", .serialized)
struct SessionTimeoutResetTests {
    @Test("writes with immediate data time out against a stopped target; once it runs again, the same session answers")
    func sessionAnswersAfterHalfWrittenCommand() async throws {
        try await PrivateSim.with(luns: ["lun:512M"]) { sim in
            let pidText = try String(contentsOf: sim.state.appendingPathComponent("sim.pid"), encoding: .utf8)
            let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            let url = sim.urls[0]
            let session = try await ISCSISession.connect(url)
            let device = session.device(lun: url.lun)
            _ = try? await device.execute(SCSICommand(cdb: CDB.testUnitReady()))

            // Stopped first, the target reads nothing. Each write is 256 KiB, offload-sim's
            // FirstBurstLength, so all of its data rides in the command PDU as immediate data;
            // 64 of them (16 MiB) are more than the loopback socket buffers hold, so the writer
            // stalls inside one. A session that did not reset its connection on a timeout stayed
            // silent from then on (seen here with these sizes, not with 4 MiB writes).
            kill(pid, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(pid, SIGCONT) } }
            let outcomes = await SessionTaskLifetimeTests.writes(64, of: 256 << 10, timeout: .seconds(2), to: device)
            let timedOut = outcomes.filter { if case .failure(TransportError.timeout) = $0 { true } else { false } }.count
            #expect(timedOut == 64, "writes to a stopped target ended otherwise than by timeout: \(outcomes)")

            kill(pid, SIGCONT)
            resumed = true
            let recovered = try await SessionRecoveryTests.answersAgain(device, tries: 10, timeout: .seconds(3), pause: .milliseconds(250))
            #expect(recovered, "the session stays silent after a timeout cut a command PDU in half")
            if recovered {
                // Written on the new connection, read back: the session is whole, not just alive.
                let pattern = [UInt8](repeating: 0x5A, count: 4096)
                let write = try await device.execute(SCSICommand(cdb: CDB.write16(lba: 0, blocks: 8), data: .toDevice(pattern)))
                #expect(write.status == .good)
                let read = try await device.execute(SCSICommand(cdb: CDB.read16(lba: 0, blocks: 8), data: .fromDevice(allocationLength: 4096)))
                #expect(read.status == .good && read.data == pattern)
            }
            await session.close()
        }
    }
}
