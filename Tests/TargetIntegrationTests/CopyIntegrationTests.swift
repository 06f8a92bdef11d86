import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// offload-copy end to end against the real targets: the method it picks, and the bytes that
/// end up in the destination, read back independently of the engines.
@Suite("offload-copy on real targets", .serialized)
struct CopyIntegrationTests {
    static func copy(_ src: ISCSIURL, _ dst: ISCSIURL, _ extra: [String] = []) async throws -> [String: Any] {
        let (status, json, err) = try runCopyJSON(extra + [src.description, dst.description])
        #expect(status == 0, "offload-copy exited \(status): \(err)")
        let report = try #require(json, "no JSON report: \(err)")
        // Done means flushed: each of these targets takes the 16-byte SYNCHRONIZE CACHE.
        let commands = report["commands"] as? [String: Int]
        #expect(commands?["SYNCHRONIZE CACHE(16)"] == 1 && commands?["SYNCHRONIZE CACHE(10)"] == nil, "commands: \(commands ?? [:])")
        return report
    }

    static func expectSame(_ a: ISCSIURL, _ b: ISCSIURL) async throws {
        let x = try await LUNData.digest(a), y = try await LUNData.digest(b)
        #expect(x == y, "destination differs from source in \(zip(x, y).filter { $0 != $1 }.count) MiB pieces")
    }

    @Test("LIO, 512-byte LUNs in one session: XCOPY, byte-exact, almost nothing through the host")
    func lioXCopy512() async throws {
        let u = try RealTarget.lio.urls()
        try await LUNData.fill(u[0], seed: 11)
        let r = try await Self.copy(u[0], u[1])
        #expect(r["method"] as? String == "xcopy")
        #expect(r["ok"] as? Bool == true)
        #expect(r["verified"] as? String == "sampled")
        let bytes = try #require(r["bytes"] as? Int)
        let host = (r["hostBytesRead"] as? Int ?? 0) + (r["hostBytesWritten"] as? Int ?? 0)
        #expect(Double(host) < 0.001 * Double(bytes), "offload moved \(host) of \(bytes) bytes through the host")
        try await Self.expectSame(u[0], u[1])
    }

    @Test("LIO, 4096-byte LUNs: XCOPY, byte-exact")
    func lioXCopy4096() async throws {
        let u = try RealTarget.lio.urls()
        try await LUNData.fill(u[2], seed: 12)
        let r = try await Self.copy(u[2], u[3])
        #expect(r["method"] as? String == "xcopy")
        try await Self.expectSame(u[2], u[3])
    }

    @Test("LIO to tgt: no copy manager reaches both, the host copies, byte-exact")
    func crossTargetHost() async throws {
        let lio = try RealTarget.lio.urls(), tgt = try RealTarget.tgt.urls()
        try await LUNData.fill(lio[0], seed: 13)
        let r = try await Self.copy(lio[0], tgt[1])
        #expect(r["method"] as? String == "host")
        try await Self.expectSame(lio[0], tgt[1])
    }

    @Test("tgt, half-empty source onto a thin LUN: host copy keeps the destination thin")
    func tgtThin() async throws {
        let tgt = try RealTarget.tgt.urls()
        guard let state = ProcessInfo.processInfo.environment["OFFLOAD_TEST_TGT_STATE"] else {
            throw RealTarget.Missing(description: "OFFLOAD_TEST_TGT_STATE is not set: run through scripts/test")
        }
        // LUN 1 (source) gets data in its first half; LUN 2 starts empty.
        try await LUNData.fill(tgt[0], seed: 14, fraction: 0.5)
        let r = try await Self.copy(tgt[0], tgt[1])
        #expect(r["method"] as? String == "host")
        try await Self.expectSame(tgt[0], tgt[1])
        // tgt's backing file for LUN 2 must hold about half the LUN, not all of it.
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(state)/lun2.img")
        let size = try #require(attributes[.size] as? Int)
        var st = stat()
        #expect(stat("\(state)/lun2.img", &st) == 0)
        let allocated = Int(st.st_blocks) * 512
        #expect(allocated <= size * 6 / 10, "destination allocated \(allocated) of \(size) bytes: it did not stay thin")
    }

    @Test("offload-sim (CTL): ODX, byte-exact; the lio profile: XCOPY")
    func simProfiles() async throws {
        let ctl = try RealTarget.sim.urls(), lio = try RealTarget.simLIO.urls()
        try await LUNData.fill(ctl[0], seed: 15, fraction: 0.75)
        let r = try await Self.copy(ctl[0], ctl[1])
        #expect(r["method"] as? String == "odx")
        try await Self.expectSame(ctl[0], ctl[1])
        try await LUNData.fill(lio[0], seed: 16)
        let s = try await Self.copy(lio[0], lio[1])
        #expect(s["method"] as? String == "xcopy")
        try await Self.expectSame(lio[0], lio[1])
    }

    @Test("--chunk-size sets the host READ/WRITE size; outside 4 KiB-8 MiB it is refused with 64")
    func chunkSize() async throws {
        let u = try RealTarget.sim.urls()
        try await LUNData.fill(u[0], seed: 17)
        let r = try await Self.copy(u[0], u[1], ["--method", "host", "--chunk-size", "262144"])
        let bytes = try #require(r["bytes"] as? Int)
        let commands = try #require(r["commands"] as? [String: Int])
        #expect(commands["READ(16)"] == (bytes + 262143) / 262144, "\(commands)")
        try await Self.expectSame(u[0], u[1])
        for bad in ["2048", "16777216", "many"] {
            #expect(try runCopy(["--chunk-size", bad, u[0].description, u[1].description]).0 == 64, "--chunk-size \(bad)")
        }
    }

    @Test("LIO, 512 -> 4096-byte LUN: offload cannot bridge the block sizes, the host does, byte-exact")
    func lioBlockSizesBridged() async throws {
        let u = try RealTarget.lio.urls()
        try await LUNData.fill(u[0], seed: 18, fraction: 0.5)
        let r = try await Self.copy(u[0], u[3], ["--verify"])
        #expect(r["method"] as? String == "host")
        #expect(r["verified"] as? String == "full")
        try await Self.expectSame(u[0], u[3])
    }

    @Test("refusals have their own exit codes: same LU 65, block sizes offload cannot bridge 67, unreachable 69")
    func refusals() throws {
        let u = try RealTarget.lio.urls()
        #expect(try runCopy([u[0].description, u[0].description]).0 == 65)
        #expect(try runCopy(["--method", "xcopy", u[0].description, u[2].description]).0 == 67)
        #expect(try runCopy(["--timeout", "5", u[0].description, "iscsi://127.0.0.1:9/iqn.2000-01.org.example:none/0"]).0 == 69)
    }
}
