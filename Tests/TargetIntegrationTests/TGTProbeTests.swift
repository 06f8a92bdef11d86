import Foundation
import OffloadProbe
import Testing

/// tgt 1.0.85: a real target with no copy offload at all (3PC=0, 83h/84h invalid opcode).
@Suite("tgt target")
struct TGTProbeTests {
    @Test("no offload, and the report says why")
    func noOffload() async throws {
        let r = try #require(try await RealTarget.tgt.probe([0]).first)
        #expect(!r.inquiry.thirdPartyCopy)
        #expect(r.family?.family == "tgt")
        let x = r.xcopyVerdict
        #expect(!x.supported)
        #expect(x.reason.contains("3PC=0"))
        #expect(!r.odxVerdict.supported)
        // RCOP is asked anyway and refused with INVALID COMMAND OPERATION CODE.
        #expect(r.operatingParameters.absenceReason?.contains("INVALID COMMAND OPERATION CODE") == true)
    }

    @Test("pair on tgt: host copy")
    func pairIsHost() async throws {
        let r = try await RealTarget.tgt.probe([0, 1])
        let v = PairPlanner.decide(source: r[0], destination: r[1])
        #expect(v.method == .host)
        #expect(v.reasons.contains { $0.contains("3PC=0") })
    }

    @Test("4096-byte LUN reports its block size")
    func blockSize4096() async throws {
        let r = try #require(try await RealTarget.tgt.probe([2]).first)
        #expect(r.capacity.blockLength == 4096)
    }

    @Test("offload-probe text report on tgt: exit 0 with the verdict lines")
    func cliText() throws {
        let url = try RealTarget.tgt.urls()[0]
        let (status, out, err) = try runProbe([url.description])
        #expect(status == 0, "\(err)")
        #expect(out.contains("XCOPY: not supported"))
        #expect(out.contains("ODX: not supported"))
    }

    @Test("nothing listening: exit 69, one line, well within the timeout")
    func unreachable() throws {
        let start = Date()
        let (status, _, err) = try runProbe(["--timeout", "5", "iscsi://127.0.0.1:9/iqn.2000-01.org.example:none/0"])
        #expect(status == 69)
        #expect(err.split(separator: "\n").count == 1)
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
