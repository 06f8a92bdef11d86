import Foundation
import SCSIWire
import SimArray
import Testing

@Suite struct SimulatedArrayTests {
    let initiator = Harness.defaultInitiator

    @Test("Identity, options, geometry and data survive a restart")
    func persistenceRoundTrip() throws {
        let dir = try TemporaryDirectory()
        var options = LogicalUnitOptions()
        options.product = "PERSIST"
        options.maximumUnmapBlockDescriptorCount = 7
        let written = pattern(4, blocks: 8, blockSize: 4096)
        let (id0, id5): (LogicalUnitIdentity, LogicalUnitIdentity)
        do {
            let array = try SimulatedArray(stateDirectory: dir.url, companyID: 0x123456)
            let lu0 = try array.createLogicalUnit(lun: 0, blockSize: 4096, blockCount: 1024, options: options)
            let lu5 = try array.createLogicalUnit(lun: 5, blockSize: 512, blockCount: 2048)
            id0 = lu0.identity
            id5 = lu5.identity
            #expect(id0.companyID == 0x123456)
            #expect(array.isPersistent(lun: 0))
            let d = SCSIDispatcher(array: array)
            let r = d.execute(SCSIRequest(lun: 0, cdb: TestCDB.write16(lba: 100, blocks: 8), dataOut: written, initiator: initiator))
            #expect(r.status == .good)
            _ = d.execute(SCSIRequest(lun: 0, cdb: TestCDB.unmap(listLength: 24), dataOut: TestCDB.unmapList([(104, 2)]), initiator: initiator))
        }
        #expect(FileManager.default.fileExists(atPath: dir.path(SimulatedArray.stateFileName)))
        let array = try SimulatedArray(stateDirectory: dir.url)
        #expect(array.luns == [0, 5])
        let lu0 = try #require(array.logicalUnit(lun: 0))
        #expect(lu0.identity == id0)
        #expect(array.logicalUnit(lun: 5)?.identity == id5)
        #expect(lu0.blockSize == 4096 && lu0.blockCount == 1024)
        #expect(lu0.options == options)
        #expect(try lu0.store.read(lba: 100, count: 4) == Array(written[0..<(4 * 4096)]))
        #expect(try lu0.store.read(lba: 104, count: 2) == [UInt8](repeating: 0, count: 8192))
        #expect(try lu0.store.isMapped(lba: 103) && !lu0.store.isMapped(lba: 104) && lu0.store.isMapped(lba: 106))
        // VPD 0x83 after the restart is byte for byte the same designators.
        let h = SCSIDispatcher(array: array)
        let page = h.execute(SCSIRequest(lun: 0, cdb: TestCDB.inquiry(evpd: true, page: 0x83), initiator: initiator))
        #expect(try DeviceIdentificationPage(parsing: page.dataIn).designators == id0.designators)
    }

    @Test func stateFileIsReadableJSON() throws {
        let dir = try TemporaryDirectory()
        let array = try SimulatedArray(stateDirectory: dir.url)
        let lu = try array.createLogicalUnit(lun: 3, blockCount: 16)
        let text = try String(contentsOfFile: dir.path(SimulatedArray.stateFileName), encoding: .utf8)
        #expect(text.contains("\"lun\" : 3"))
        #expect(text.contains(hexString(lu.identity.naa)))
        #expect(FileManager.default.fileExists(atPath: dir.path("naa-\(hexString(lu.identity.naa)).img")))
    }

    @Test func removeDeletesTheImageAndTheRecord() throws {
        let dir = try TemporaryDirectory()
        let array = try SimulatedArray(stateDirectory: dir.url)
        let lu = try array.createLogicalUnit(lun: 1, blockCount: 16)
        let image = dir.path("naa-\(hexString(lu.identity.naa)).img")
        #expect(FileManager.default.fileExists(atPath: image))
        try array.removeLogicalUnit(lun: 1)
        #expect(!FileManager.default.fileExists(atPath: image))
        #expect(try SimulatedArray(stateDirectory: dir.url).luns.isEmpty)
        #expect(throws: SimulatedArrayError.noSuchLUN(1)) { try array.removeLogicalUnit(lun: 1) }
    }

    @Test("Removed with deleteData false, re-created under the same identity: the data is back")
    func recreateKeepsData() throws {
        let dir = try TemporaryDirectory()
        let array = try SimulatedArray(stateDirectory: dir.url)
        let lu = try array.createLogicalUnit(lun: 0, blockCount: 32)
        try lu.store.write(lba: 3, data: pattern(8, blocks: 1))
        try array.removeLogicalUnit(lun: 0, deleteData: false)
        let again = try array.createLogicalUnit(lun: 4, blockCount: 32, identity: lu.identity)
        #expect(try again.store.read(lba: 3, count: 1) == pattern(8, blocks: 1))
    }

    @Test func resizePersists() throws {
        let dir = try TemporaryDirectory()
        do {
            let array = try SimulatedArray(stateDirectory: dir.url)
            try array.createLogicalUnit(lun: 0, blockCount: 100)
            try array.resizeLogicalUnit(lun: 0, blockCount: 300)
            #expect(array.logicalUnit(lun: 0)?.blockCount == 300)
        }
        #expect(try SimulatedArray(stateDirectory: dir.url).logicalUnit(lun: 0)?.blockCount == 300)
    }

    @Test func optionUpdatesPersist() throws {
        let dir = try TemporaryDirectory()
        do {
            let array = try SimulatedArray(stateDirectory: dir.url)
            try array.createLogicalUnit(lun: 0, blockCount: 100)
            try array.updateOptions(lun: 0) { $0.thirdPartyCopy = false; $0.vendor = "CHANGED" }
        }
        let lu = try #require(try SimulatedArray(stateDirectory: dir.url).logicalUnit(lun: 0))
        #expect(!lu.options.thirdPartyCopy && lu.options.vendor == "CHANGED")
    }

    @Test func aMissingImageIsReportedNotRecreated() throws {
        let dir = try TemporaryDirectory()
        let lu = try SimulatedArray(stateDirectory: dir.url).createLogicalUnit(lun: 0, blockCount: 10)
        try FileManager.default.removeItem(atPath: dir.path("naa-\(hexString(lu.identity.naa)).img"))
        #expect(throws: SimulatedArrayError.self) { try SimulatedArray(stateDirectory: dir.url) }
    }

    @Test func aCorruptStateFileIsAnError() throws {
        let dir = try TemporaryDirectory()
        try Data("{not json".utf8).write(to: dir.url.appendingPathComponent(SimulatedArray.stateFileName))
        #expect(throws: SimulatedArrayError.self) { try SimulatedArray(stateDirectory: dir.url) }
    }

    @Test func managementRefusesBadRequests() throws {
        let array = try SimulatedArray()
        let lu = try array.createLogicalUnit(lun: 0, blockCount: 10)
        #expect(throws: SimulatedArrayError.lunInUse(0)) { try array.createLogicalUnit(lun: 0, blockCount: 10) }
        #expect(throws: SimulatedArrayError.unsupportedBlockSize(520)) { try array.createLogicalUnit(lun: 1, blockSize: 520, blockCount: 10) }
        #expect(throws: SimulatedArrayError.emptyLogicalUnit) { try array.createLogicalUnit(lun: 1, blockCount: 0) }
        #expect(throws: SimulatedArrayError.lunOutOfRange(16384)) { try array.createLogicalUnit(lun: 16384, blockCount: 10) }
        #expect(throws: SimulatedArrayError.self) { try array.createLogicalUnit(lun: 2, blockCount: 10, identity: lu.identity) }
        #expect(throws: SimulatedArrayError.noSuchLUN(9)) { try array.resizeLogicalUnit(lun: 9, blockCount: 10) }
        #expect(throws: SimulatedArrayError.emptyLogicalUnit) { try array.resizeLogicalUnit(lun: 0, blockCount: 0) }
        #expect(array.luns == [0])
    }

    @Test func aDuplicateIdentityDoesNotTouchTheOtherImage() throws {
        let dir = try TemporaryDirectory()
        let array = try SimulatedArray(stateDirectory: dir.url)
        let lu = try array.createLogicalUnit(lun: 0, blockCount: 64)
        try lu.store.write(lba: 63, data: pattern(1, blocks: 1))
        #expect(throws: SimulatedArrayError.self) { try array.createLogicalUnit(lun: 1, blockCount: 8, identity: lu.identity) }
        #expect(lu.blockCount == 64)
        #expect(try lu.store.read(lba: 63, count: 1) == pattern(1, blocks: 1))
    }

    @Test("Lookup by NAA, EUI-64 and T10 designator; hidden designators do not match")
    func lookupByDesignator() throws {
        let array = try SimulatedArray()
        let a = try array.createLogicalUnit(lun: 0, blockCount: 8)
        let b = try array.createLogicalUnit(lun: 7, blockCount: 8,
                                            identity: LogicalUnitIdentity.generate(exposing: [.eui64]))
        #expect(array.logicalUnits(matching: a.identity.naaDesignator).map(\.identity) == [a.identity])
        #expect(array.logicalUnits(matching: a.identity.t10Designator).count == 1)
        #expect(array.logicalUnits(matching: b.identity.eui64Designator).first === b)
        #expect(array.logicalUnits(matching: b.identity.naaDesignator).isEmpty)
        #expect(array.lun(of: b) == 7)
        #expect(array.lun(of: LogicalUnit(identity: .generate(), store: MemoryBlockStore(blockCount: 1))) == nil)
    }

    @Test func reachabilityFollowsTheInitiatorsLUNSet() throws {
        let array = try SimulatedArray()
        let a = try array.createLogicalUnit(lun: 0, blockCount: 8)
        let b = try array.createLogicalUnit(lun: 1, blockCount: 8)
        let masked = InitiatorContext(nexus: "n", reachableLUNs: [1])
        #expect(!array.isReachable(a, from: masked) && array.isReachable(b, from: masked))
        #expect(array.isReachable(a, from: initiator))
        #expect(array.reachableLUNs(for: masked) == [1])
    }

    @Test func foreignStoresCanBeAddedButAreNotPersisted() throws {
        let dir = try TemporaryDirectory()
        do {
            let array = try SimulatedArray(stateDirectory: dir.url)
            try array.add(LogicalUnit(identity: .generate(), store: MemoryBlockStore(blockCount: 8)), lun: 2)
            #expect(array.luns == [2] && !array.isPersistent(lun: 2))
        }
        #expect(try SimulatedArray(stateDirectory: dir.url).luns.isEmpty)
    }

    @Test func withoutAStateDirectoryNothingIsWritten() throws {
        let array = try SimulatedArray()
        let lu = try array.createLogicalUnit(lun: 0, blockCount: 8)
        #expect(lu.store is MemoryBlockStore)
        #expect(!array.isPersistent(lun: 0))
    }
}
