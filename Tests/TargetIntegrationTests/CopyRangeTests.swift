import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// offload-copy's byte range, its size refusal and its sessions option through the binary, on a
/// private offload-sim.
@Suite("offload-copy ranges, sizes and sessions", .serialized)
struct CopyRangeTests {
    @Test("a destination smaller than the source: 66, and nothing written to it")
    func destinationTooSmall() async throws {
        try await PrivateSim.with(luns: ["src:16M", "dst:8M"]) { sim in
            let src = sim.urls[0], dst = sim.urls[1]
            try await LUNData.fill(dst, seed: 5)
            let before = try await LUNData.digest(dst)
            let (status, _, stderr) = try runCopyJSON([src.description, dst.description])
            #expect(status == 66, "exit \(status): \(stderr)")
            #expect(stderr.contains("smaller"), "stderr: \(stderr)")
            #expect(try await LUNData.digest(dst) == before, "a refused copy wrote to the destination")
        }
    }

    @Test("--offset and --length: exactly those bytes land, at the same offset, by each method",
          arguments: ["host", "xcopy", "odx"])
    func byteRange(_ method: String) async throws {
        try await PrivateSim.with(luns: ["src:16M", "dst:16M"]) { sim in
            let src = sim.urls[0], dst = sim.urls[1]
            try await LUNData.fill(src, seed: 6)
            try await LUNData.fill(dst, seed: 7)
            let source = try await LUNData.digest(src), old = try await LUNData.digest(dst)
            // MiB 3 to 8 (5 MiB), in whole MiB so the digests line up.
            let (status, report, stderr) = try runCopyJSON(["--method", method, "--strict", "--offset", String(3 << 20),
                                                            "--length", String(5 << 20), src.description, dst.description])
            #expect(status == 0, "exit \(status): \(stderr)")
            #expect(report?["bytes"] as? Int == 5 << 20)
            let ranges = report?["ranges"] as? [[String: Any]] ?? []
            #expect(ranges.first?["offset"] as? Int == 3 << 20, "ranges \(ranges)")
            let after = try await LUNData.digest(dst)
            for mib in 0..<16 {
                let expected = (3..<8).contains(mib) ? source[mib] : old[mib]
                #expect(after[mib] == expected, "MiB \(mib) is \((3..<8).contains(mib) ? "not copied" : "touched")")
            }
            #expect(try await LUNData.digest(src) == source)
        }
    }

    @Test("--sessions 3: a host copy over three sessions per LUN ends byte-exact; 0 and 9 are refused with 64")
    func severalSessions() async throws {
        let o = try await SimCopyOutcome.run(["--method", "host", "--sessions", "3", "--chunk-size", "262144"])
        o.expectCopied()
        for bad in ["0", "9"] {
            let (status, _, stderr) = try runCopyJSON(["--sessions", bad, "iscsi://127.0.0.1/iqn.2000-01.org.example:x/0",
                                                      "iscsi://127.0.0.1/iqn.2000-01.org.example:x/1"])
            #expect(status == 64, "--sessions \(bad): exit \(status): \(stderr)")
        }
    }
}
