import Foundation
import SimArray
import SimTarget
import Testing

/// What the API changes survives a restart from the same state directory: created LUs with
/// their identity, geometry and data, grown capacities, and deletions.
@Suite("management API: persistence", .serialized)
struct ManagementPersistenceTests {
    @Test("a LU created and grown over the API is back after a restart, same identity, size and data")
    func createdLUSurvives() async throws {
        let dir = ManagementHarness.newStateDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await ManagementHarness.start(stateDirectory: dir, luns: 2)
        let created = try first.request("POST", "/v1/luns", body: #"{"lun": 9, "size": "2M", "blockSize": 4096}"#)
        #expect(created.status == 201)
        let grown = try first.request("PATCH", "/v1/luns/9", body: #"{"size": "3M"}"#).decode(ManagementLUN.self)
        #expect(grown.blocks == 768)
        #expect(try first.request("DELETE", "/v1/luns/1").status == 204)
        let pattern = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try #require(first.array.logicalUnit(lun: 9)).store.write(lba: 700, data: pattern)
        let before = try first.request("GET", "/v1/luns").decode(ManagementLUNList.self)
        await first.stop()

        let second = try await ManagementHarness.start(stateDirectory: dir, luns: 0)
        let after = try second.request("GET", "/v1/luns").decode(ManagementLUNList.self)
        #expect(after.luns.map(\.lun) == [0, 9], "LUN 1 stays deleted")
        let again = try #require(after.luns.first { $0.lun == 9 })
        #expect(again.identity == grown.identity)
        #expect(again.blockSize == 4096 && again.blocks == 768)
        #expect(after.luns.map(\.identity) == before.luns.map(\.identity))
        #expect(try second.request("GET", "/v1/luns/9").decode(ManagementLUN.self).identity.naa == grown.identity.naa)
        #expect(try #require(second.array.logicalUnit(lun: 9)).store.read(lba: 700, count: 1) == pattern)
        let unit = try #require(second.array.logicalUnit(lun: 9))
        #expect(unit.options.vendor == second.profile.inquiry.vendor, "the personality persists too")
        await second.stop()
    }

    @Test("the faults a test posted are not persisted: a restart starts clean")
    func faultsAreRuntimeOnly() async throws {
        let dir = ManagementHarness.newStateDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await ManagementHarness.start(stateDirectory: dir)
        #expect(try first.request("POST", "/v1/faults", body: #"{"fault": "delay:ms=5"}"#).status == 201)
        await first.stop()
        let second = try await ManagementHarness.start(stateDirectory: dir)
        #expect(try second.request("GET", "/v1/faults").decode(ManagementFaultList.self).faults == [])
        await second.stop()
    }
}
