@testable import CopyEngine
import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// The pure parts: chunk sizing, provisioning decisions, the initiator-side CDBs and lists
/// (checked against the simulated target's own parsers), and the landed-prefix ledger.
@Suite struct HostCopyPlanningTests {
    static func limits(mtl: UInt32 = 0, otl: UInt32 = 0) -> BlockLimitsPage {
        BlockLimitsPage(maximumTransferLength: mtl, optimalTransferLength: otl)
    }

    @Test func chunkDefaultsToOneMiB() {
        #expect(HostCopyChunkSizer.chunkBlocks(source: nil, destination: nil, blockSize: 512) == 2048)
        #expect(HostCopyChunkSizer.chunkBlocks(source: nil, destination: nil, blockSize: 4096) == 256)
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(), destination: Self.limits(), blockSize: 512) == 2048)
    }

    @Test func chunkTakesTheSmallerMaximumTransferLength() {
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 1024), destination: Self.limits(mtl: 128), blockSize: 512) == 128)
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 0), destination: Self.limits(mtl: 300), blockSize: 512) == 300)
        // A large maximum does not make the default larger.
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 65535), destination: nil, blockSize: 512) == 2048)
    }

    @Test func saneOptimalTransferLengthIsUsed() {
        // 4 MiB optimal, within the maximum.
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 16384, otl: 8192), destination: nil, blockSize: 512) == 8192)
        // The smaller of two sane ones.
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(otl: 4096), destination: Self.limits(otl: 512), blockSize: 512) == 512)
        // Too small to be a transfer size (a granularity): ignored.
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(otl: 8), destination: nil, blockSize: 512) == 2048)
        // Above the maximum, or absurd: ignored.
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 1024, otl: 4096), destination: nil, blockSize: 512) == 1024)
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(otl: 0xFFFF_FFFF), destination: nil, blockSize: 512) == 2048)
    }

    @Test func neverAboveEightMiB() {
        // LIO on a 4Kn backstore: MAXIMUM TRANSFER LENGTH 8192 "blocks" really means 512-byte
        // sectors (4 MiB), OPTIMAL 8192 likewise. Taken at face value that is 32 MiB: the
        // optimal length is past the 8 MiB cap, so it is not sane, and the default 1 MiB stays.
        let lio = Self.limits(mtl: 8192, otl: 8192)
        #expect(HostCopyChunkSizer.chunkBlocks(source: lio, destination: lio, blockSize: 4096) == 256)
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 8192), destination: nil, blockSize: 4096) == 256)
        // Asking for more than the maximum gets 8 MiB, not 32.
        #expect(HostCopyChunkSizer.chunkBlocks(source: lio, destination: lio, blockSize: 4096, requested: 8192) == 2048)
        #expect(HostCopyChunkSizer.chunkBlocks(source: nil, destination: nil, blockSize: 4096, requested: 100_000) == 2048)
        // A sane optimal length within 8 MiB is still used on 4Kn.
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 8192, otl: 1024), destination: nil, blockSize: 4096) == 1024)
        #expect(HostCopyChunkSizer.chunkBlocks(source: nil, destination: nil, blockSize: 512, requested: 1 << 20) == 16384)
    }

    @Test func requestedChunkIsHonouredWithinTheLimits() {
        #expect(HostCopyChunkSizer.chunkBlocks(source: nil, destination: nil, blockSize: 512, requested: 7) == 7)
        #expect(HostCopyChunkSizer.chunkBlocks(source: Self.limits(mtl: 64), destination: nil, blockSize: 512, requested: 100) == 64)
        #expect(HostCopyChunkSizer.chunkBlocks(source: nil, destination: nil, blockSize: 512, requested: 0) == 1)
    }

    @Test func provisioningFollowsTheReport() async throws {
        let f = try HostCopyFixture()
        try f.makeLU(0, blocks: 64) { $0.maximumUnmapLBACount = 0xFFFF_FFFF; $0.maximumWriteSameLength = 0 }
        try f.makeLU(1, blocks: 64) { $0.thinProvisioned = false }
        try f.makeLU(2, blocks: 64) { $0.maximumUnmapLBACount = 1000; $0.maximumUnmapBlockDescriptorCount = 4; $0.maximumWriteSameLength = 512 }
        var report = try await f.report(0)
        var p = HostCopyDestinationProvisioning(report: report)
        #expect(p.thin && p.readsZeroWhenUnmapped && p.supportsWriteSameUnmap && p.supportsUnmap)
        #expect(p.deallocation == .writeSameUnmap)
        #expect(p.deallocation(after: .writeSameUnmap) == .unmap)
        #expect(p.maximumUnmapBlocks == nil && p.maximumWriteSameBlocks == nil)

        // The page's LBPRZ must agree with READ CAPACITY's.
        report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: true, lbpws: true, lbprz: 0, provisioningType: 2))
        p = HostCopyDestinationProvisioning(report: report)
        #expect(!p.readsZeroWhenUnmapped && p.deallocation == .none)

        report.provisioning = .answered(LogicalBlockProvisioningPage(lbpu: true, lbpws: false, lbprz: 1, provisioningType: 2))
        p = HostCopyDestinationProvisioning(report: report)
        #expect(p.deallocation == .unmap)
        #expect(p.deallocation(after: .unmap) == .none)

        p = HostCopyDestinationProvisioning(report: try await f.report(1))
        #expect(!p.thin && !p.readsZeroWhenUnmapped && p.deallocation == .none)

        p = HostCopyDestinationProvisioning(report: try await f.report(2))
        #expect(p.maximumUnmapBlocks == 1000 && p.maximumUnmapDescriptors == 4 && p.maximumWriteSameBlocks == 512)
    }

    @Test func writeSameCDBParsesOnTheTarget() throws {
        let c = try WriteSame16CDB(parsing: HostCopyWriteSame.cdb(lba: 0x0102_0304_0506_0708, blocks: 0x1234_5678))
        #expect(c.logicalBlockAddress == 0x0102_0304_0506_0708 && c.numberOfBlocks == 0x1234_5678)
        #expect(c.unmap && !c.noDataOutBuffer && !c.anchor && c.wrprotect == 0)
        let pieces = HostCopyWriteSame.pieces(lba: 10, blocks: 100, maximumBlocks: 40)
        #expect(pieces.map(\.lba) == [10, 50, 90] && pieces.map(\.blocks) == [40, 40, 20])
        #expect(HostCopyWriteSame.pieces(lba: 0, blocks: 5, maximumBlocks: nil).map(\.blocks) == [5])
    }

    @Test func unmapListParsesOnTheTarget() throws {
        let ranges = [HostCopyUnmap.Range(lba: 7, blocks: 9), HostCopyUnmap.Range(lba: 0xFFFF_0000_0000, blocks: 0xFFFF_FFFF)]
        let list = HostCopyUnmap.parameterList(ranges)
        #expect(list.count == 40)
        let parsed = try UnmapParameterList(parsing: list)
        #expect(parsed == UnmapParameterList(descriptors: [UnmapBlockDescriptor(logicalBlockAddress: 7, numberOfBlocks: 9),
                                                           UnmapBlockDescriptor(logicalBlockAddress: 0xFFFF_0000_0000, numberOfBlocks: 0xFFFF_FFFF)]))
        let cdb = try UnmapCDB(parsing: HostCopyUnmap.cdb(parameterListLength: 40))
        #expect(cdb.parameterListLength == 40 && !cdb.anchor)
    }

    @Test func unmapSplitsWithinTheLimits() {
        let split = HostCopyUnmap.commands(lba: 100, blocks: 50, maximumBlocks: 16, maximumDescriptors: nil)
        #expect(split.map { $0.map(\.blocks) } == [[16], [16], [16], [2]])
        #expect(split.map { $0[0].lba } == [100, 116, 132, 148])
        #expect(HostCopyUnmap.commands(lba: 0, blocks: 2048, maximumBlocks: nil, maximumDescriptors: 1).map { $0.map(\.blocks) } == [[2048]])
        // A count beyond 32 bits needs two descriptors, which fit one command.
        let huge = HostCopyUnmap.commands(lba: 0, blocks: UInt64(UInt32.max) + 5, maximumBlocks: nil, maximumDescriptors: nil)
        #expect(huge.count == 1 && huge[0].map(\.blocks) == [UInt32.max, 5])
        #expect(HostCopyUnmap.commands(lba: 0, blocks: UInt64(UInt32.max) + 5, maximumBlocks: nil, maximumDescriptors: 1).count == 2)
    }

    @Test func lbaStatusRoundTripsWithTheTarget() throws {
        let cdb = try GetLBAStatusCDB(parsing: HostCopyLBAStatus.cdb(lba: 12345))
        #expect(cdb.startingLBA == 12345 && cdb.allocationLength == HostCopyLBAStatus.allocationLength && cdb.reportType == 0)
        let data = LBAStatusData(descriptors: [
            LBAStatusDescriptor(logicalBlockAddress: 100, numberOfBlocks: 20, provisioningStatus: .deallocated),
            LBAStatusDescriptor(logicalBlockAddress: 120, numberOfBlocks: 10, provisioningStatus: .anchored),
            LBAStatusDescriptor(logicalBlockAddress: 130, numberOfBlocks: 50, provisioningStatus: .mapped),
        ]).encoded()
        let extents = try HostCopyLBAStatus.parse(data)
        #expect(extents.map(\.lba) == [100, 120, 130] && extents.map(\.provisioningStatus) == [1, 2, 0])
        #expect(HostCopyLBAStatus.unmappedEnd(of: extents, from: 100, to: 125) == 125)
        #expect(HostCopyLBAStatus.unmappedEnd(of: extents, from: 105, to: 200) == 130)
        #expect(HostCopyLBAStatus.unmappedEnd(of: extents, from: 130, to: 140) == 130)
        #expect(HostCopyLBAStatus.unmappedEnd(of: extents, from: 90, to: 140) == 90)  // not described
        #expect(HostCopyLBAStatus.unmappedEnd(of: [], from: 0, to: 10) == 0)
        // Truncated to the header: no descriptors; shorter still: an error.
        #expect(try HostCopyLBAStatus.parse(Array(data.prefix(8))).isEmpty)
        #expect(throws: WireError.self) { try HostCopyLBAStatus.parse([0, 0]) }
    }

    @Test func landedPrefixNeverCountsPastAHole() {
        var ledger = HostCopyLandedPrefix(chunkBlocks: [10, 10, 10, 5])
        ledger.land(1)
        ledger.land(3)
        #expect(ledger.prefixBlocks == 0 && ledger.landedBlocks == 15)
        ledger.land(0)
        #expect(ledger.prefixBlocks == 20 && ledger.prefixChunks == 2)
        ledger.land(0)
        #expect(ledger.landedBlocks == 25)
        ledger.land(2)
        #expect(ledger.prefixBlocks == 35 && ledger.isComplete)
    }

    @Test func optionsFromAJob() {
        var job = CopyOptions()
        job.queueDepth = 3
        let o = HostCopyOptions(job)
        #expect(o.queueDepth == 3 && o.chunkBlocks == nil && o.keepDestinationThin && !o.destinationKnownZeroed)
    }
}
