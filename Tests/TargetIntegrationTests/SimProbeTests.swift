import Foundation
import OffloadProbe
import Testing

/// The prober against offload-sim's personalities over real iSCSI: the ctl profile must be
/// seen as full XCOPY + ODX, and the lio profile exactly as the real LIO is seen.
@Suite("offload-sim seen by the prober")
struct SimProbeTests {
    @Test("ctl profile: XCOPY with CTL's limits and ODX with AUR tokens; a pair goes odx")
    func ctl() async throws {
        let r = try await RealTarget.sim.probe([0, 1])
        let x = r[0].xcopyVerdict, o = r[0].odxVerdict
        #expect(x.supported, "\(x.reason)")
        #expect(o.supported, "\(o.reason)")
        #expect(r[0].xcopyLimits.maxCSCDDescriptors == 64)
        #expect(r[0].xcopyLimits.maxSegmentDescriptors == 64)
        #expect(r[0].xcopyLimits.maxDescriptorListLength == 8192)
        #expect(r[0].thirdPartyCopy.value?.supportedRODTypes?.contains { $0.rodType == .accessUponReference } == true)
        #expect(PairPlanner.decide(source: r[0], destination: r[1]).method == .odx)
    }

    @Test("ctl profile: 512 -> 4096 is not offloaded by a copy manager that needs equal sizes, or bridged by one that can")
    func ctlMismatch() async throws {
        let r = try await RealTarget.sim.probe([0, 2])
        let v = PairPlanner.decide(source: r[0], destination: r[1])
        #expect(v.reasons.contains { $0.contains("block sizes differ") })
        #expect(v.method != .odx)
    }

    @Test("lio profile: the same verdicts as the real LIO (2/1/1024, no 0x8F, no ODX, xcopy pair, host on 512 -> 4096)")
    func lioProfileMatchesRealLIO() async throws {
        let r = try await RealTarget.simLIO.probe([0, 1, 2])
        let x = r[0].xcopyVerdict
        #expect(x.supported, "\(x.reason)")
        #expect(r[0].thirdPartyCopy.value == nil)
        #expect(!r[0].odxVerdict.supported)
        #expect(r[0].xcopyLimits.maxCSCDDescriptors == 2)
        #expect(r[0].xcopyLimits.maxSegmentDescriptors == 1)
        #expect(r[0].xcopyLimits.maxDescriptorListLength == 1024)
        #expect(r[0].copyDesignator?.type == .naa)
        #expect(PairPlanner.decide(source: r[0], destination: r[1]).method == .xcopy)
        #expect(PairPlanner.decide(source: r[0], destination: r[2]).method == .host)
    }
}
