import Foundation
import ISCSITransport
import SCSITransport
import SCSIWire
import Testing

/// Sessions against a tgt instance this suite starts and kills itself (through
/// scripts/tgt-target), to see what a dropped connection and CHAP do to the transport.
@Suite("iSCSI session against a private tgt", .serialized)
struct SessionRecoveryTests {
    /// Runs scripts/tgt-target with arguments; throws with its stderr when it fails.
    @discardableResult
    static func tgt(_ args: [String]) throws -> String { try runScript("tgt-target", args) }

    static func freePort() -> Int {
        // Ports in a range nothing else here uses, randomised so parallel runs rarely collide.
        Int.random(in: 14000..<15000)
    }

    func withTarget<T>(extra: [String] = [], _ body: (String, Int, URL) async throws -> T) async throws -> T {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("tgt-session-\(UUID().uuidString)")
        let port = Self.freePort()
        let out = try Self.tgt(["start", "--state", state.path, "--port", String(port), "--lun", "16M"] + extra)
        defer {
            _ = try? Self.tgt(["stop", "--state", state.path])
            try? FileManager.default.removeItem(at: state)
        }
        let url = try #require(out.split(separator: "\n").first.map(String.init))
        return try await body(url, port, state)
    }

    @Test("a session outlives a target restart: libiscsi logs in again")
    func reconnectAfterTargetRestart() async throws {
        try await withTarget { url, port, state in
            let session = try await ISCSISession.connect(try ISCSIURL(parsing: url))
            let device = session.device(lun: 1)
            let before = try await device.execute(SCSICommand(cdb: CDB.testUnitReady()))
            #expect(before.status == .good)

            try Self.tgt(["stop", "--state", state.path])
            try Self.tgt(["start", "--state", state.path, "--port", String(port), "--lun", "16M"])

            // The first command may meet the dead socket; within a few tries libiscsi must have
            // logged in again, and a unit attention (power on / reset) is an answer too.
            let recovered = try await Self.answersAgain(device, tries: 10, timeout: .seconds(5), pause: .milliseconds(500))
            #expect(recovered, "no answer after the target came back")
            await session.close()
        }
    }

    @Test("CHAP: right secret logs in, wrong or missing secret is a login failure")
    func chap() async throws {
        try await withTarget(extra: ["--chap", "alice:secretsecret12"]) { url, _, _ in
            var u = try ISCSIURL(parsing: url)
            do {
                _ = try await ISCSISession.connect(u)
                Issue.record("login without CHAP succeeded on a CHAP target")
            } catch let e as TransportError {
                guard case .loginFailed = e else { Issue.record("expected loginFailed, got \(e)"); return }
            }
            u.credentials = ChapCredentials(user: "alice", secret: "wrongwrongwrong")
            await #expect(throws: TransportError.self) { _ = try await ISCSISession.connect(u) }
            // Credentials given apart from the URL, as --chap-file and the environment do.
            u.credentials = nil
            let session = try await ISCSISession.connect(u, options: ISCSIOptions(credentials: ChapCredentials(user: "alice", secret: "secretsecret12")))
            let r = try await session.device(lun: 1).execute(SCSICommand(cdb: CDB.testUnitReady()))
            #expect(r.status == .good)
            await session.close()
        }
    }

    @Test("header digest CRC32C negotiated and commands still answered")
    func headerDigest() async throws {
        try await withTarget { url, _, _ in
            let session = try await ISCSISession.connect(try ISCSIURL(parsing: url + "?header_digest=crc32c"))
            let r = try await session.device(lun: 1).execute(SCSICommand(cdb: CDB.inquiry(allocationLength: 96), data: .fromDevice(allocationLength: 96)))
            #expect(r.status == .good)
            #expect(try StandardInquiry(parsing: r.data).vendor == "IET")
            await session.close()
        }
    }

    @Test("a command to a stopped target ends by its timeout, not a hang; the same session answers once the target runs again")
    func commandTimeout() async throws {
        try await withTarget { url, _, state in
            let session = try await ISCSISession.connect(try ISCSIURL(parsing: url))
            // SIGSTOP keeps the socket open but silent: only our deadline can end the wait.
            let pid = try #require(Int32(try String(contentsOf: state.appendingPathComponent("tgtd.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            let start = ContinuousClock.now
            await #expect(throws: TransportError.self) {
                _ = try await session.device(lun: 1).execute(SCSICommand(cdb: CDB.testUnitReady(), timeout: .seconds(2)))
            }
            #expect(ContinuousClock.now - start < .seconds(6))
            kill(pid, SIGCONT)
            // The timeout reset the connection; the new login completes now the target runs.
            let recovered = try await Self.answersAgain(session.device(lun: 1), tries: 10, timeout: .seconds(3), pause: .milliseconds(250))
            #expect(recovered, "the session does not answer after a command timed out and the target came back")
            await session.close()
        }
    }

    /// Whether TEST UNIT READY gets an answer (GOOD, or the unit attention a new login brings)
    /// within `tries` attempts: a session coming back after its connection broke.
    static func answersAgain(_ device: ISCSIDevice, tries: Int, timeout: Duration, pause: Duration) async throws -> Bool {
        for _ in 0..<tries {
            if let r = try? await device.execute(SCSICommand(cdb: CDB.testUnitReady(), timeout: timeout)),
               r.status == .good || r.sense?.key == .unitAttention {
                return true
            }
            try await Task.sleep(for: pause)
        }
        return false
    }
}
