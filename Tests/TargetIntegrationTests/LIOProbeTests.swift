import Foundation
import OffloadProbe
import SCSIWire
import Testing

/// LIO 6.1 in the QEMU guest: XCOPY LID1 with 2 CSCD / 1 segment / 1024 list length, no 0x8F,
/// no ODX, and copies only between equal block sizes within one session.
@Suite("LIO target")
struct LIOProbeTests {
    @Test("512-byte LUN: XCOPY supported with LIO's limits, ODX not, 0x8F absent")
    func probe512() async throws {
        let r = try #require(try await RealTarget.lio.probe([0]).first)
        #expect(r.inquiry.vendor == "LIO-ORG")
        #expect(r.inquiry.thirdPartyCopy)
        #expect(r.capacity.blockLength == 512)
        #expect(r.family?.family == "lio")
        #expect(r.thirdPartyCopy.value == nil)
        #expect(r.copyDesignator?.type == .naa)
        #expect(r.copyDesignator?.value.count == 16)
        let x = r.xcopyVerdict
        #expect(x.supported, "\(x.reason)")
        let l = r.xcopyLimits
        #expect(l.maxCSCDDescriptors == 2)
        #expect(l.maxSegmentDescriptors == 1)
        #expect(l.maxDescriptorListLength == 1024)
        #expect(l.implementedDescriptors == [0x02, 0xE4])
        #expect(!r.odxVerdict.supported)
        #expect(r.odxVerdict.reason.contains("0x8F"))
    }

    @Test("4096-byte LUN: same verdicts, 4096-byte blocks")
    func probe4096() async throws {
        let r = try #require(try await RealTarget.lio.probe([2]).first)
        #expect(r.capacity.blockLength == 4096)
        #expect(r.xcopyVerdict.supported)
        #expect(r.xcopyLimits.maxSegmentDescriptors == 1)
        #expect(!r.odxVerdict.supported)
    }

    @Test("every LUN has its own NAA designator")
    func distinctDesignators() async throws {
        let reports = try await RealTarget.lio.probe([0, 1, 2, 3])
        let naas = Set(reports.compactMap { $0.copyDesignator?.value })
        #expect(naas.count == 4)
    }

    @Test("pair of 512-byte LUNs in one session: xcopy, one 65535-block segment per command")
    func pair512() async throws {
        let r = try await RealTarget.lio.probe([0, 1])
        let v = PairPlanner.decide(source: r[0], destination: r[1])
        #expect(v.method == .xcopy, "\(v.reasons)")
        #expect(v.plan.blocksPerSegment == 65535)
        #expect(v.plan.segmentsPerCommand == 1)
        #expect(v.plan.concurrency == 1)
    }

    @Test("pair of 4096-byte LUNs: xcopy")
    func pair4096() async throws {
        let r = try await RealTarget.lio.probe([2, 3])
        let v = PairPlanner.decide(source: r[0], destination: r[1])
        #expect(v.method == .xcopy, "\(v.reasons)")
        #expect(v.plan.blockSize == 4096)
    }

    @Test("512 -> 4096: host, because LIO refuses mismatched block sizes")
    func pairMismatch() async throws {
        let r = try await RealTarget.lio.probe([0, 2])
        let v = PairPlanner.decide(source: r[0], destination: r[1])
        #expect(v.method == .host)
        #expect(v.reasons.contains { $0.contains("block sizes differ") })
    }

    @Test("offload-probe --json on a pair prints the documented keys")
    func cliJSON() throws {
        let urls = try RealTarget.lio.urls()
        let (status, out, err) = try runProbe(["--json", urls[0].description, urls[1].description])
        #expect(status == 0, "\(err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(json["method"] as? String == "xcopy")
        #expect((json["reasons"] as? [String])?.isEmpty == false)
        let plan = try #require(json["plan"] as? [String: Any])
        #expect(plan["blocksPerSegment"] as? Int == 65535)
        let src = try #require(json["source"] as? [String: Any])
        let xcopy = try #require(src["xcopy"] as? [String: Any])
        let limits = try #require(xcopy["limits"] as? [String: Any])
        #expect(limits["maxCSCDDescriptors"] as? Int == 2)
        #expect(limits["maxSegmentDescriptors"] as? Int == 1)
        #expect(limits["maxDescriptorListLength"] as? Int == 1024)
    }

    @Test("a LUN the target does not have: exit 69 and one line")
    func missingLUN() throws {
        var url = try RealTarget.lio.urls()[0]
        url.lun = 9
        let (status, out, err) = try runProbe([url.description])
        #expect(status == 69)
        #expect(out.isEmpty)
        #expect(err.split(separator: "\n").count == 1)
        #expect(err.contains("no such LUN"))
    }

    @Test("an unknown target name: login refused, exit 69")
    func unknownTarget() throws {
        let url = try RealTarget.lio.urls()[0]
        let (status, _, err) = try runProbe(["iscsi://\(url.portal)/iqn.2000-01.org.example:nobody/0"])
        #expect(status == 69)
        #expect(err.contains("login"))
    }
}
