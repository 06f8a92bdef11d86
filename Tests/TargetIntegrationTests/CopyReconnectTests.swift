import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// A connection that drops under a full host-copy pipeline: libiscsi logs in again and sends
/// the commands in flight once more, into and from the very buffers the engine still holds.
/// The copy must finish byte-exact, not fail, hang or corrupt memory.
@Suite("offload-copy across dropped connections", .serialized)
struct CopyReconnectTests {
    @Test("a READ(16) and a WRITE(16) each lose their connection mid-copy: the copy still ends byte-exact")
    func hostCopySurvivesDrops() async throws {
        try await PrivateSim.with(luns: ["src:64M", "dst:64M"],
                                  faults: ["drop-connection:opcode=0x88", "drop-connection:opcode=0x8A"]) { sim in
            let urls = sim.urls
            try await LUNData.fill(urls[0], seed: 23)
            let (status, json, err) = try runCopyJSON(["--method", "host", "--queue-depth", "16", urls[0].description, urls[1].description])
            #expect(status == 0, "offload-copy exited \(status): \(err)")
            #expect(json?["ok"] as? Bool == true)
            let src = try await LUNData.digest(urls[0]), dst = try await LUNData.digest(urls[1])
            #expect(src == dst, "destination differs from source in \(zip(src, dst).filter { $0 != $1 }.count) MiB pieces")
            // Both drops fired: a one-shot fault leaves the list when it fires.
            let faults = try await sim.pendingFaults()
            #expect(faults == [], "faults not fired: \(faults)")
        }
    }
}
