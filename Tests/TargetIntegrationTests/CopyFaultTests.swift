import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// Every fault offload-sim can inject, met by the offload-copy binary over iSCSI: the copy
/// either ends byte-exact (exit 0) or stops with its classified exit code, and the source reads
/// the same before and after. One scenario per test, each on a simulator of its own.
@Suite("offload-copy against offload-sim faults", .serialized)
struct CopyFaultTests {
    func run(_ arguments: [String], faults: [String] = [], size: String = "16M",
             during: (@Sendable (PrivateSim) async throws -> Void)? = nil) async throws -> SimCopyOutcome {
        try await SimCopyOutcome.run(arguments, faults: faults, size: size, during: during)
    }

    @Test("xcopy-fail-segment: COPY ABORTED mid-copy, the host copies the rest from the failing segment on")
    func failedSegmentFallsBack() async throws {
        // 64 MiB: three segments of at most 65535 blocks, the second one fails.
        let o = try await run(["--method", "xcopy"], faults: ["xcopy-fail-segment:n=2"], size: "64M")
        o.expectCopied()
        #expect(o.methods.first == "xcopy" && o.methods.last == "host", "ranges by \(o.methods)")
        #expect(o.fallbacks == 1)
    }

    @Test("xcopy-fail-segment, --strict: stops with the classified error, what it reports copied is in the destination")
    func failedSegmentStrict() async throws {
        let o = try await run(["--method", "xcopy", "--strict"], faults: ["xcopy-fail-segment:n=2"], size: "64M")
        o.expectStopped(68)
    }

    @Test("good-without-copy: sampled verification catches the lie and the host copies it again")
    func goodWithoutCopyRecopied() async throws {
        let o = try await run(["--method", "xcopy"], faults: ["good-without-copy"])
        o.expectCopied()
        #expect(o.warnings.contains { $0.contains("verification failed") }, "warnings: \(o.warnings)")
    }

    @Test("good-without-copy on a terminal: the progress bar lives through the recopy and ends at 100 %")
    func progressBarThroughARecopy() async throws {
        try await PrivateSim.with(luns: ["src:32M", "dst:32M"]) { sim in
            let src = sim.urls[0], dst = sim.urls[1]
            try await LUNData.fill(src, seed: 73)
            let before = try await LUNData.digest(src)
            try await sim.inject("good-without-copy")
            // Small slow chunks keep the bar drawing while the host copies again what the
            // array only claimed; `script` gives offload-copy a terminal.
            try await sim.inject("delay:ms=5")
            let command = [try toolPath("offload-copy"), "--method", "xcopy", "--chunk-size", "262144", src.description, dst.description]
                .map { "'" + $0 + "'" }.joined(separator: " ")
            let (status, terminal, _) = try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"])
            try await sim.clearFaults()
            #expect(status == 0, "exit \(status): \(terminal.suffix(600))")
            #expect(terminal.contains("100%"), "the bar never reached the end: \(terminal.suffix(600))")
            #expect(terminal.contains("recopied through the host"), "\(terminal.suffix(600))")
            #expect(try await LUNData.digest(dst) == before)
        }
    }

    @Test("good-without-copy, --strict: a data error (73), never a success")
    func goodWithoutCopyStrict() async throws {
        let o = try await run(["--method", "xcopy", "--strict"], faults: ["good-without-copy"])
        o.expectStopped(73)
    }

    @Test("wut-partial: every WRITE USING TOKEN stops short, the engine continues from each transfer count")
    func partialWritesContinue() async throws {
        let o = try await run(["--method", "odx", "--strict"], faults: ["wut-partial:blocks=4096"])
        o.expectCopied()
        #expect(o.commands("WRITE USING TOKEN") >= 8, "commands: \(o.report?["commands"] ?? "none")")
    }

    @Test("expire-tokens and revoke-tokens while copying: tokens are populated again, the copy ends byte-exact",
          arguments: ["expire-tokens", "revoke-tokens"])
    func deadTokensPopulatedAgain(_ fault: String) async throws {
        // Slow WRITE USING TOKENs (1 MiB each, 30 ms per command) leave time to kill tokens
        // under a running copy, again and again.
        let o = try await run(["--method", "odx"], faults: ["wut-partial:blocks=2048", "delay:ms=30"]) { sim in
            while (try? await Task.sleep(for: .milliseconds(150))) != nil {
                try await sim.inject(fault)
            }
        }
        o.expectCopied()
        #expect(o.commands("POPULATE TOKEN") >= 2, "no token was populated again: \(o.report?["commands"] ?? "none")")
    }

    @Test("out-of-space: each method stops with 74 and the source untouched", arguments: ["host", "xcopy", "odx"])
    func outOfSpace(_ method: String) async throws {
        let o = try await run(["--method", method], faults: ["out-of-space:asc=27/07"])
        o.expectStopped(74)
    }

    @Test("busy and task-set-full from the first command on: connect, probe and copy ride through them",
          arguments: ["auto", "host"])
    func notRunAnswersRiddenThrough(_ method: String) async throws {
        let o = try await run(["--method", method], faults: ["busy:count=2", "task-set-full:count=2"])
        o.expectCopied()
        #expect(o.pending.isEmpty, "not every answer was given: \(o.pending)")
    }

    @Test("drop-connection under an EXTENDED COPY: libiscsi logs in again, the copy ends byte-exact")
    func droppedDuringExtendedCopy() async throws {
        let o = try await run(["--method", "xcopy"], faults: ["drop-connection:opcode=0x83"])
        o.expectCopied()
        #expect(o.pending.isEmpty, "the connection was not dropped: \(o.pending)")
        // Offloaded: nothing written through the host, and the sampled verification's reads
        // counted as host bytes (both LUNs, a few blocks each).
        #expect(o.methods == ["xcopy"])
        #expect(o.report?["hostBytesWritten"] as? Int == 0)
        let read = o.report?["hostBytesRead"] as? Int ?? 0
        #expect(read > 0 && read < 1 << 20, "hostBytesRead \(read)")
    }
}
