@testable import CopyEngine
import Foundation
import Testing

/// GET LBA STATUS answers kept for a copy: found again for any LBA they describe, asked once
/// when many chunks want the same region at the same moment, and never invented.
@Suite struct HostCopyLBAStatusMapTests {
    typealias Extent = HostCopyLBAStatus.Extent

    final class Asked: @unchecked Sendable {
        private let lock = NSLock()
        private var lbas: [UInt64] = []
        func add(_ lba: UInt64) { lock.withLock { lbas.append(lba) } }
        var all: [UInt64] { lock.withLock { lbas } }
    }

    @Test func answersAreFoundForEveryLBATheyDescribe() async throws {
        let map = HostCopyLBAStatusMap()
        let asked = Asked()
        let reply = try await map.describe(100) { lba in
            asked.add(lba)
            return .extents([Extent(lba: 100, blocks: 50, provisioningStatus: 0), Extent(lba: 150, blocks: 1000, provisioningStatus: 1)])
        }
        guard case .extents = reply else { Issue.record("extents expected"); return }
        #expect(await map.extent(containing: 100)?.provisioningStatus == 0)
        #expect(await map.extent(containing: 149)?.provisioningStatus == 0)
        #expect(await map.extent(containing: 150)?.provisioningStatus == 1)
        #expect(await map.extent(containing: 1149)?.provisioningStatus == 1)
        #expect(await map.extent(containing: 1150) == nil, "past the last descriptor nothing is known")
        #expect(await map.extent(containing: 99) == nil, "before the first descriptor nothing is known")
        _ = try await map.describe(600) { lba in asked.add(lba); return .notKnown }
        #expect(asked.all == [100], "an LBA already described is not asked again")
    }

    @Test(.timeLimit(.minutes(1))) func chunksStartingTogetherAskOnce() async throws {
        let map = HostCopyLBAStatusMap()
        let asked = Asked()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in 0..<8 {
                group.addTask {
                    let lba = UInt64(chunk * 64)
                    let r = try await HostCopyLBAStatus.query(lba: lba, blocks: 64, map: map, ask: { at in
                        asked.add(at)
                        try await Task.sleep(for: .milliseconds(20))
                        return .extents([Extent(lba: at, blocks: 4096, provisioningStatus: 1)])
                    })
                    #expect(r == .unmapped)
                }
            }
            try await group.waitForAll()
        }
        #expect(asked.all.count == 1, "asked \(asked.all)")
    }

    @Test func refusalAndDoubtAreNotRemembered() async throws {
        let map = HostCopyLBAStatusMap()
        let asked = Asked()
        _ = try await map.describe(0) { lba in asked.add(lba); return .refused }
        _ = try await map.describe(0) { lba in asked.add(lba); return .notKnown }
        #expect(asked.all == [0, 0])
        #expect(await map.extent(containing: 0) == nil)
    }

    @Test func mappedBlockInsideTheRangeMeansNotKnown() async throws {
        let map = HostCopyLBAStatusMap()
        let r = try await HostCopyLBAStatus.query(lba: 0, blocks: 100, map: map, ask: { _ in
            .extents([Extent(lba: 0, blocks: 60, provisioningStatus: 1), Extent(lba: 60, blocks: 40, provisioningStatus: 0)])
        })
        #expect(r == .notKnown)
    }
}
