import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import Testing

/// Pair verdicts from probed personalities, with the addresses real sessions would have.
@Suite("PairPlanner")
struct PairPlannerTests {
    let knowledge: HardwareKnowledge
    init() throws { knowledge = try ProbeTestSupport.knowledge() }

    static let lioTarget = "iscsi://192.0.2.10:3260/iqn.2003-01.org.linux-iscsi.lio:t1"
    static let lioOtherTarget = "iscsi://192.0.2.10:3260/iqn.2003-01.org.linux-iscsi.lio:t2"

    func report(_ p: Personality, _ url: String, knowledge k: HardwareKnowledge? = nil) async throws -> DeviceReport {
        try await Prober(knowledge: k ?? knowledge).probe(p.device(at: url))
    }

    func decide(_ s: Personality, _ su: String, _ d: Personality, _ du: String,
                knowledge k: HardwareKnowledge? = nil) async throws -> PairVerdict {
        PairPlanner.decide(source: try await report(s, su, knowledge: k), destination: try await report(d, du, knowledge: k))
    }

    /// CopyPlan's memberwise initializer is internal; compare its public fields.
    struct Fields: Equatable {
        var blockSize, blocksPerSegment, segmentsPerCommand, concurrency, granularityBlocks: Int
    }

    func fields(_ p: CopyPlan) -> Fields {
        Fields(blockSize: p.blockSize, blocksPerSegment: p.blocksPerSegment, segmentsPerCommand: p.segmentsPerCommand,
               concurrency: p.concurrency, granularityBlocks: p.granularityBlocks)
    }

    func has(_ v: PairVerdict, _ fragment: String) -> Bool { v.reasons.contains { $0.contains(fragment) } }

    // MARK: LIO

    @Test func lioPairInOneSessionUsesXCOPY() async throws {
        let v = try await decide(Personalities.lio(serial: "aaaa0001-0000-4000-8000-000000000001"), Self.lioTarget + "/0",
                                 Personalities.lio(serial: "bbbb0002-0000-4000-8000-000000000002"), Self.lioTarget + "/1")
        #expect(v.method == .xcopy, "\(v.reasons)")
        #expect(fields(v.plan) == Fields(blockSize: 512, blocksPerSegment: 65535, segmentsPerCommand: 1, concurrency: 1, granularityBlocks: 1))
        #expect(has(v, "one session"))
        #expect(has(v, "ODX not used"))
        #expect(!has(v, "block sizes differ"))
        #expect(!has(v, "same logical unit"))
        #expect(!has(v, "smaller"))
    }

    @Test func lio4096PairSegmentStaysWithinSixteenBits() async throws {
        let v = try await decide(Personalities.lio(serial: "aaaa0001", blockSize: 4096, blocks: 262_144), Self.lioTarget + "/0",
                                 Personalities.lio(serial: "bbbb0002", blockSize: 4096, blocks: 262_144), Self.lioTarget + "/1")
        #expect(v.method == .xcopy)
        #expect(v.plan.blockSize == 4096)
        #expect(v.plan.blocksPerSegment == 65535)
        #expect(v.plan.segmentsPerCommand == 1)
    }

    @Test func lioBlockSizeMismatchFallsBackToHost() async throws {
        let v = try await decide(Personalities.lio(serial: "aaaa0001", blockSize: 512, blocks: 2_097_152), Self.lioTarget + "/0",
                                 Personalities.lio(serial: "bbbb0002", blockSize: 4096, blocks: 262_144), Self.lioTarget + "/1")
        #expect(v.method == .host, "\(v.reasons)")
        #expect(has(v, "block sizes differ"))
        #expect(has(v, "source 512, destination 4096"))
        #expect(v.plan.blockSize == 4096, "host chunks are whole blocks on both sides")
    }

    @Test func lioOnDifferentTargetsFallsBackToHost() async throws {
        let v = try await decide(Personalities.lio(serial: "aaaa0001"), Self.lioTarget + "/0",
                                 Personalities.lio(serial: "bbbb0002"), Self.lioOtherTarget + "/0")
        #expect(v.method == .host, "\(v.reasons)")
        #expect(has(v, "different I_T nexuses"))
        #expect(has(v, "not on one copy manager"))
    }

    @Test func lioOnDifferentPortsOfOneTargetFallsBackToHost() async throws {
        let v = try await decide(Personalities.lio(serial: "aaaa0001"), "iscsi://192.0.2.10:3260/iqn.2003-01.org.linux-iscsi.lio:t1/0",
                                 Personalities.lio(serial: "bbbb0002"), "iscsi://192.0.2.10:3261/iqn.2003-01.org.linux-iscsi.lio:t1/1")
        #expect(v.method == .host)
        #expect(has(v, "different I_T nexuses"))
    }

    /// LIO builds the NAA from the first 25 hex digits of the unit serial: two serials that
    /// share them give two LUNs one designator, and a copy would name the same LU twice.
    @Test func sameNAAIsTheSameLogicalUnit() async throws {
        let v = try await decide(Personalities.lio(serial: "0123456789abcdef0123456789"), Self.lioTarget + "/0",
                                 Personalities.lio(serial: "0123456789abcdef012345678f"), Self.lioTarget + "/1")
        #expect(v.method == .host, "\(v.reasons)")
        #expect(has(v, "same logical unit"))
        #expect(has(v, "NAA"))
    }

    /// tcmu-runner refuses every CSCD that is not the receiving device (copyScope "device",
    /// CVE-2021-3139 fix): two LUNs in one session still cannot be joined by one EXTENDED COPY.
    @Test func tcmuRunnerNeverCopiesBetweenTwoDevices() async throws {
        let s = try await report(Personalities.lio(serial: "aaaa0001", product: "TCMU device"), Self.lioTarget + "/0")
        let d = try await report(Personalities.lio(serial: "bbbb0002", product: "TCMU device"), Self.lioTarget + "/1")
        #expect(s.family?.family == "tcmu-runner")
        #expect(s.family?.copyScope == "device")
        let v = PairPlanner.decide(source: s, destination: d)
        #expect(v.method == .host, "\(v.reasons)")
    }

    @Test func smallerDestinationIsAReason() async throws {
        let v = try await decide(Personalities.lio(serial: "aaaa0001", blocks: 2_097_152), Self.lioTarget + "/0",
                                 Personalities.lio(serial: "bbbb0002", blocks: 1_048_576), Self.lioTarget + "/1")
        #expect(has(v, "destination (536870912 bytes) is smaller than source (1073741824 bytes)"), "\(v.reasons)")
    }

    // MARK: FreeBSD CTL, tgt, QNAP

    @Test func ctlPairUsesODX() async throws {
        let ctl = "iscsi://192.0.2.30/iqn.2005-10.org.freenas.ctl:test1"
        let v = try await decide(try Personalities.freebsdCTL(naaValue: ProbeTestSupport.hex("6e 58 9c fc 00 00 00 0a 1b 2c 3d 4e 5f 60 71 01")), ctl + "/0",
                                 try Personalities.freebsdCTL(naaValue: ProbeTestSupport.hex("6e 58 9c fc 00 00 00 0a 1b 2c 3d 4e 5f 60 71 02")), ctl + "/1")
        #expect(v.method == .odx, "\(v.reasons)")
        #expect(has(v, "ODX: source and destination advertise token copy"))
        // 64 ranges, no token size reported: 256 MiB per token split over the ranges.
        #expect(fields(v.plan) == Fields(blockSize: 512, blocksPerSegment: (256 << 20) / 512 / 64, segmentsPerCommand: 64,
                                         concurrency: 1, granularityBlocks: 1))
    }

    @Test func qnapPairUsesODXWithItsTokenLimits() async throws {
        let q = "iscsi://192.0.2.40/iqn.2004-04.com.qnap:ts-453:iscsi.lun0.abcdef"
        let v = try await decide(Personalities.qnap(serial: "c0ffee01-0000-0000-0000-000000000001"), q + "/0",
                                 Personalities.qnap(serial: "c0ffee02-0000-0000-0000-000000000002"), q + "/1")
        #expect(v.method == .odx, "\(v.reasons)")
        // 512 MiB per token in 512-byte blocks over 8 ranges.
        #expect(v.plan.segmentsPerCommand == 8)
        #expect(v.plan.blocksPerSegment == (512 << 20) / 512 / 8)
    }

    @Test func tgtPairCopiesOnTheHost() async throws {
        let t = "iscsi://192.0.2.20/iqn.2024-01.test.tgt:disk0"
        let v = try await decide(Personalities.tgt(lun: 1), t + "/1", Personalities.tgt(lun: 2), t + "/2")
        #expect(v.method == .host)
        #expect(has(v, "3PC=0"))
        #expect(v.plan.blockSize == 512)
        #expect(v.plan.blocksPerSegment == PairPlanner.defaultHostChunkBytes / 512)
        #expect(v.plan.segmentsPerCommand == 1)
    }

    @Test func hostPlanRespectsTheSmallerMaximumTransferLength() async throws {
        let t = "iscsi://192.0.2.20/iqn.2024-01.test.tgt:disk0"
        var small = Personalities.tgt(lun: 2)
        small.vpd[0xB0] = BlockLimitsPage(maximumTransferLength: 128).encoded()
        let v = try await decide(Personalities.tgt(lun: 1), t + "/1", small, t + "/2")
        #expect(v.method == .host)
        #expect(v.plan.blocksPerSegment == 128)
    }

    /// CTL copies between different block sizes when one is a multiple of the other, but the
    /// offload engines here address both ends in one block size: the verdict must not promise
    /// an XCOPY that offload-copy would then refuse (exit 67); it picks the host, which
    /// bridges them, and says what the array could do. The
    /// XCOPY plan, should it be forced, still moves whole destination blocks per segment (26/0A
    /// UNEXPECTED INEXACT SEGMENT otherwise: NUMBER OF BLOCKS counts source blocks).
    @Test func ctlMixedBlockSizesAreNotPromisedAsXCopy() async throws {
        let ctl = "iscsi://192.0.2.30/iqn.2005-10.org.freenas.ctl:test1"
        let s = try Personalities.freebsdCTL(naaValue: ProbeTestSupport.hex("6e 58 9c fc 00 00 00 0a 1b 2c 3d 4e 5f 60 71 01"),
                                             blockSize: 512, blocks: 4_194_304)
        let d = try Personalities.freebsdCTL(naaValue: ProbeTestSupport.hex("6e 58 9c fc 00 00 00 0a 1b 2c 3d 4e 5f 60 71 02"),
                                             blockSize: 4096, blocks: 524_288)
        let v = try await decide(s, ctl + "/0", d, ctl + "/1")
        #expect(v.method == .host, "\(v.reasons)")
        #expect(has(v, "could bridge the block sizes with XCOPY, but the offload engines here copy only between equal block sizes"))
        #expect(has(v, "block sizes differ: source 512, destination 4096 (the host path copies between them; offload here does not)"))
        #expect(has(v, "XCOPY not used: block sizes differ"))
        let sr = try await report(s, ctl + "/0"), dr = try await report(d, ctl + "/1")
        let plan = PairPlanner.plan(for: .xcopy, source: sr, destination: dr)
        #expect(plan.blocksPerSegment * plan.blockSize % 4096 == 0,
                "a \(plan.blocksPerSegment)-block segment of \(plan.blockSize)-byte blocks is not a whole number of 4096-byte destination blocks")
        #expect(plan.granularityBlocks * plan.blockSize % 4096 == 0,
                "granularity \(plan.granularityBlocks) source blocks does not cover a destination block")
    }

    // MARK: knowledge: advertised versus enforced

    static let pureA = "iscsi://192.0.2.50/iqn.2010-06.com.purestorage:flasharray.1234567890abcdef"
    static let pureB = "iscsi://192.0.2.51/iqn.2010-06.com.purestorage:flasharray.1234567890abcdef"

    @Test func pureAdvertises32SegmentsButKnowledgeLimitsTo2() async throws {
        let v = try await decide(Personalities.pureLike(serial: 1), Self.pureA + "/1", Personalities.pureLike(serial: 2), Self.pureA + "/2")
        #expect(v.method == .xcopy, "\(v.reasons)")
        #expect(v.plan.segmentsPerCommand == 2)
        #expect(v.plan.blocksPerSegment == (16 << 20) / 512)
        #expect(v.plan.concurrency == 4)
    }

    @Test func withoutKnowledgeTheAdvertisedSegmentCountIsUsed() async throws {
        let v = try await decide(Personalities.pureLike(serial: 1), Self.pureA + "/1", Personalities.pureLike(serial: 2), Self.pureA + "/2",
                                 knowledge: .empty)
        #expect(v.method == .xcopy)
        #expect(v.plan.segmentsPerCommand == 32)
    }

    @Test func arrayScopedFamilyCopiesAcrossPortals() async throws {
        let v = try await decide(Personalities.pureLike(serial: 1), Self.pureA + "/1", Personalities.pureLike(serial: 2), Self.pureB + "/2")
        #expect(v.method == .xcopy, "\(v.reasons)")
        #expect(has(v, "different I_T nexuses"))
        #expect(has(v, "copies across targets of one array"))
    }

    @Test func unknownFamilyAcrossPortalsIsNotAssumedReachable() async throws {
        let v = try await decide(Personalities.pureLike(serial: 1), Self.pureA + "/1", Personalities.pureLike(serial: 2), Self.pureB + "/2",
                                 knowledge: .empty)
        #expect(v.method == .host)
    }
}
