import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// The target stops answering for longer than `--timeout` in the middle of a host copy (a
/// hung controller). offload-copy must end on its own with the device-error exit code and a
/// report whose ranges the destination really holds, not hang on the silent target or on the
/// connection it was resetting, and never touch the source.
@Suite("offload-copy against a target that stops answering", .serialized)
struct CopyStallTests {
    @Test("the target stalls past --timeout mid-copy: exit 76 within bounds, the reported ranges are in the destination")
    func stalledTargetEndsTheCopy() async throws {
        try await PrivateSim.with(luns: ["src:32M", "dst:32M"], faults: ["delay:ms=40"]) { sim in
            let urls = sim.urls
            let pid = try #require(pid_t(try String(contentsOf: sim.state.appendingPathComponent("sim.pid"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)))
            try await LUNData.fill(urls[0], seed: 31)
            let sourceBefore = try await LUNData.digest(urls[0])
            let running = try await RunningCopy.started(["--method", "host", "--queue-depth", "1", "--chunk-size", "262144", "--timeout", "2"],
                                                        from: urls[0], to: urls[1])
            let copy = running.process
            kill(pid, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(pid, SIGCONT) } }
            let stopped = ContinuousClock.now
            // Read both pipes off this thread: a hang must show as a failed bound, not a stuck test.
            let output = Task.detached { (running.stdout.fileHandleForReading.readDataToEndOfFile(), running.stderr.fileHandleForReading.readDataToEndOfFile()) }
            while copy.isRunning, ContinuousClock.now - stopped < .seconds(60) { try await Task.sleep(for: .milliseconds(100)) }
            let ended = !copy.isRunning
            kill(pid, SIGCONT)
            resumed = true
            #expect(ended, "offload-copy still running 60 s after the target stopped answering (--timeout 2)")
            if !ended { copy.terminate() }
            let (report, errorBytes) = await output.value
            copy.waitUntilExit()
            let message = String(decoding: errorBytes, as: UTF8.self)

            #expect(copy.terminationStatus == 76, "exit \(copy.terminationStatus): \(message)")
            #expect(message.contains("no answer within"), "stderr: \(message)")
            let json = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any], "no JSON report: \(message)")
            #expect(json["ok"] as? Bool == false)
            let bytes = try #require(json["bytes"] as? Int)
            #expect(bytes >= 1 << 20 && bytes < 32 << 20, "reported \(bytes) bytes copied of 32 MiB")
            let claimed = UInt64(bytes / 512)
            let src = try await LUNData.digest(urls[0], blocks: claimed), dst = try await LUNData.digest(urls[1], blocks: claimed)
            #expect(src == dst, "the reported \(bytes) bytes differ from the source")
            #expect(try await LUNData.digest(urls[0]) == sourceBefore, "the source changed")
        }
    }
}
