import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// Ctrl-C through the real binary: offload-copy against a private offload-sim whose every
/// command is delayed (so the copy is still running when the signal comes) stops, exits 130,
/// and its report says what was copied, which the destination then really holds.
@Suite("offload-copy interrupted", .serialized)
struct CopyInterruptTests {
    /// A method, its arguments and the faults that make its copy last over 5 s in small steps.
    struct Case: Sendable, CustomTestStringConvertible {
        let method: String
        let arguments: [String]
        let faults: [String]
        var testDescription: String { method }
    }

    static let cases = [
        // One 256 KiB chunk at a time, each READ and WRITE 40 ms late: 128 chunks take over
        // 10 s, so the interrupt lands mid-copy even when a loaded machine (CI runs this among
        // other suites) is slow to notice the first MiB (a 1.6 s copy once finished first).
        Case(method: "host", arguments: ["--method", "host", "--queue-depth", "1", "--chunk-size", "262144"], faults: ["delay:ms=40"]),
        // Each WRITE USING TOKEN stops after 256 KiB and every command is 40 ms late: 128 of
        // them, each followed by the engine's next one.
        Case(method: "odx", arguments: ["--method", "odx", "--strict"], faults: ["delay:ms=40", "wut-partial:blocks=512"]),
    ]

    @Test("Ctrl-C during a copy: exit 130, the report's ranges are in the destination, the rest is not claimed", arguments: cases)
    func interrupted(_ c: Case) async throws {
        try await PrivateSim.with(luns: ["src:32M", "dst:32M"], faults: c.faults) { sim in
            let urls = sim.urls
            try await LUNData.fill(urls[0], seed: 11)
            // Interrupt once the first chunk has landed: the copy is then surely under way.
            let running = try await RunningCopy.started(c.arguments, from: urls[0], to: urls[1])
            let copy = running.process
            copy.interrupt()
            let report = running.stdout.fileHandleForReading.readDataToEndOfFile()
            let message = String(decoding: running.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            copy.waitUntilExit()

            #expect(copy.terminationStatus == 130, "exit \(copy.terminationStatus): \(message)")
            #expect(message.contains("interrupted"), "stderr: \(message)")
            let json = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any], "no JSON report: \(message)")
            #expect(json["ok"] as? Bool == false)
            let bytes = try #require(json["bytes"] as? Int)
            #expect(bytes >= 1 << 20 && bytes < 32 << 20, "reported \(bytes) bytes copied of 32 MiB")
            let ranges = try #require(json["ranges"] as? [[String: Any]])
            #expect(ranges.first?["offset"] as? Int == 0 && ranges.reduce(0) { $0 + ($1["length"] as? Int ?? 0) } == bytes,
                    "ranges \(ranges) do not describe the \(bytes) bytes from the start")
            #expect(ranges.allSatisfy { $0["method"] as? String == c.method }, "ranges \(ranges)")
            // What the report claims is really there.
            let claimed = UInt64(bytes / 512)
            let src = try await LUNData.digest(urls[0], blocks: claimed), dst = try await LUNData.digest(urls[1], blocks: claimed)
            #expect(src == dst, "the reported \(bytes) bytes differ from the source")
        }
    }
}
