import Foundation
#if os(Linux)
import CMalloc
#endif
import ISCSITransport
import SCSITransport
import SCSIWire
import Testing

/// Writes given up on while libiscsi still holds their PDUs. A Data-Out PDU keeps a raw
/// pointer to its task and sends from the task's buffer; when the target reads again after
/// the writes timed out, those PDUs still go out. The session must keep task and buffer alive
/// until libiscsi lets go; freed early, glibc's perturbed free memory (M_PERTURB) turns the
/// stale pointers into a crash of this test process.
@Suite("iSCSI session: commands given up on while libiscsi holds their PDUs", .serialized)
struct SessionTaskLifetimeTests {
    @Test("writes time out with their solicited Data-Out queued (the target stopped), the target resumes: nothing crashes, the session answers again")
    func timedOutWritesWithQueuedDataOut() async throws {
        try await PrivateSim.with(luns: ["lun:512M"]) { sim in
            let pidText = try String(contentsOf: sim.state.appendingPathComponent("sim.pid"), encoding: .utf8)
            let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #if os(Linux)
            _ = mallopt(M_PERTURB, 0xA5)
            defer { _ = mallopt(M_PERTURB, 0) }
            #endif
            let url = sim.urls[0]
            let session = try await ISCSISession.connect(url)
            let device = session.device(lun: url.lun)
            _ = try? await device.execute(SCSICommand(cdb: CDB.testUnitReady()))

            // 64 writes of 4 MiB: the first 256 KiB of each goes with the command, the rest
            // once the target asks for it (R2T). Stopped while those answers are being sent,
            // the target leaves libiscsi's queue full of Data-Out for commands about to time out.
            // On a loaded machine the writes may all be done before the stop: then again, with
            // the stop sooner.
            let writeBytes = 4 << 20
            var resumed = true
            defer { if !resumed { kill(pid, SIGCONT) } }
            var timedOut = 0
            for stopAfter in [60, 20, 0] where timedOut == 0 {
                if !resumed {
                    kill(pid, SIGCONT)
                    resumed = true
                }
                let outcomes = await Self.writes(64, of: writeBytes, timeout: .seconds(3), to: device) {
                    try? await Task.sleep(for: .milliseconds(stopAfter))
                    kill(pid, SIGSTOP)
                    resumed = false
                }
                for outcome in outcomes {
                    switch outcome {
                    case .failure(TransportError.timeout): timedOut += 1
                    case .success(let r) where r.status == .good: break
                    default: Issue.record("a write ended \(outcome), neither GOOD nor a timeout")
                    }
                }
            }
            #expect(timedOut > 0, "every write finished before the target stopped: the case under test did not arise")

            kill(pid, SIGCONT)
            resumed = true
            // The timeouts reset the connection: the half-written PDU and the stale Data-Out go
            // with the old one, and the same session answers on the new one, then logs out.
            let recovered = try await SessionRecoveryTests.answersAgain(device, tries: 10, timeout: .seconds(3), pause: .milliseconds(250))
            #expect(recovered, "the session does not answer after its writes timed out and the target resumed")
            await session.close()
            // The process is still here, and so is the target.
            let fresh = try await ISCSISession.connect(url)
            let answered = try await SessionRecoveryTests.answersAgain(fresh.device(lun: url.lun), tries: 10, timeout: .seconds(3),
                                                                       pause: .milliseconds(250))
            #expect(answered, "the target does not answer a new session")
            await fresh.close()
        }
    }

    /// `count` concurrent WRITE(16)s of `bytes` each (write i fills its blocks with i + 1), side
    /// by side from LBA 0; `whileInFlight` runs once they are submitted. Returns every outcome.
    static func writes(_ count: Int, of bytes: Int, timeout: Duration, to device: ISCSIDevice,
                       whileInFlight: () async -> Void = {}) async -> [Result<SCSIResponse, Error>] {
        let blocks = UInt32(bytes / 512)
        return await withTaskGroup(of: Result<SCSIResponse, Error>.self) { group in
            for i in 0..<count {
                group.addTask {
                    let buffer = SCSIBuffer(capacity: bytes)
                    memset(buffer.pointer, Int32(i + 1), bytes)
                    let write = SCSIBufferedCommand(cdb: CDB.write16(lba: UInt64(i) * UInt64(blocks), blocks: blocks),
                                                    direction: .toDevice, buffer: buffer, length: bytes, timeout: timeout)
                    do { return .success(try await device.execute(write)) } catch { return .failure(error) }
                }
            }
            await whileInFlight()
            var all: [Result<SCSIResponse, Error>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
    }
}
