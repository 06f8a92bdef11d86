import Foundation
import SCSIWire
import SimArray
import Testing

/// Hostile input: truncated CDBs for every operation code, random CDBs and parameter lists.
/// The dispatcher must answer every one with GOOD or CHECK CONDITION and well-formed sense.
@Suite struct MalformedCommandTests {
    func check(_ r: SCSIResult, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == .good || r.status == .checkCondition, "\(what()): status \(r.status)", sourceLocation: sourceLocation)
        if r.status == .checkCondition {
            #expect(r.senseData != nil && r.dataIn.isEmpty, "\(what()): sense \(r.sense)", sourceLocation: sourceLocation)
        } else {
            #expect(r.sense.isEmpty, "\(what())", sourceLocation: sourceLocation)
        }
    }

    @Test("Every operation code, every CDB length 0-16, zero-filled and all-ones")
    func truncatedCDBsForEveryOpcode() throws {
        let h = try Harness(blockCount: 64, extraLUNs: [1], handler: ThirdPartyCopyRoutingTests.RecordingHandler(page: ThirdPartyCopyRoutingTests.lid1Page))
        for op in 0...255 {
            for length in 1...16 {
                for fill: UInt8 in [0x00, 0xFF] {
                    var cdb = [UInt8](repeating: fill, count: length)
                    cdb[0] = UInt8(op)
                    check(h.run(cdb, dataOut: [UInt8](repeating: fill, count: 64)), "opcode \(op) length \(length) fill \(fill)")
                    check(h.run(cdb, lun: 9), "opcode \(op) length \(length) to an absent LUN")
                }
            }
        }
    }

    @Test("A CDB shorter than its command: 05/24/00 without a field pointer, for each served command")
    func shortCDBsAreInvalidFields() throws {
        let h = try Harness(blockCount: 64)
        let lengths: [UInt8: Int] = [0x00: 6, 0x03: 6, 0x12: 6, 0x1A: 6, 0x25: 10, 0x28: 10, 0x2A: 10, 0x35: 10, 0x42: 10,
                                     0x5A: 10, 0x88: 16, 0x8A: 16, 0x91: 16, 0x93: 16, 0xA0: 12]
        for (op, length) in lengths {
            for short in 1..<length {
                var cdb = [UInt8](repeating: 0, count: short)
                cdb[0] = op
                expectSense(h.run(cdb), 0x05, 0x24, 0x00, noPointer: true)
            }
        }
        expectSense(h.run([0x9E]), 0x05, 0x24, 0x00)
        expectSense(h.run([0x9E, 0x10, 0, 0]), 0x05, 0x24, 0x00)
        expectSense(h.run([0xA3, 0x0C]), 0x05, 0x24, 0x00)
    }

    @Test("Random CDBs and Data-Out against a thin, a thick and a 4K LU")
    func randomCommands() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        let served: [UInt8] = [0x00, 0x03, 0x12, 0x1A, 0x25, 0x28, 0x2A, 0x35, 0x42, 0x5A, 0x83, 0x84, 0x88, 0x8A, 0x91, 0x93, 0x9E, 0xA0, 0xA3]
        var thick = LogicalUnitOptions()
        thick.thinProvisioned = false
        let harnesses = [try Harness(blockCount: 300, handler: ThirdPartyCopyRoutingTests.RecordingHandler(page: ThirdPartyCopyRoutingTests.lid1Page)),
                         try Harness(blockCount: 300, options: thick),
                         try Harness(blockCount: 40, blockSize: 4096)]
        for i in 0..<30_000 {
            let h = harnesses[i % harnesses.count]
            var cdb = (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { cdb[0] = served.randomElement(using: &rng)! }
            if cdb.count > 1, Bool.random(using: &rng) { cdb[1] = [0x10, 0x12, 0x0C, 0x00, 0x03].randomElement(using: &rng)! }
            // Small lengths and LBAs often, so commands get past the range checks.
            if cdb.count >= 16, Bool.random(using: &rng) {
                for j in 2..<10 { cdb[j] = 0 }
                cdb[9] = UInt8.random(in: 0...255, using: &rng)
                cdb[10] = 0; cdb[11] = 0; cdb[12] = 0
            }
            if cdb.count >= 10, cdb.count < 16, Bool.random(using: &rng) { cdb[2] = 0; cdb[3] = 0; cdb[4] = 0; cdb[7] = 0 }
            let dataOut: [UInt8]
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: dataOut = []
            case 1: dataOut = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 2: dataOut = [UInt8](repeating: 0, count: 512 * Int.random(in: 1...4, using: &rng))
            default:
                // A plausible UNMAP list with random lengths.
                var l = TestCDB.unmapList((0..<Int.random(in: 0...3, using: &rng)).map { _ in
                    (UInt64.random(in: 0...400, using: &rng), UInt32.random(in: 0...50, using: &rng))
                })
                if l.count > 3 { l[Int.random(in: 0...3, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                dataOut = l
            }
            let lun: UInt64 = Int.random(in: 0..<10, using: &rng) == 0 ? 7 : 0
            check(h.run(cdb, lun: lun, dataOut: dataOut), "cdb \(hexString(cdb)) data \(dataOut.count)")
        }
    }

    @Test("Store failures become sense, not crashes")
    func failingStore() throws {
        final class BrokenStore: BlockStore, @unchecked Sendable {
            struct Broken: Error {}
            let blockSize = 512
            let blockCount: UInt64 = 64
            func read(lba: UInt64, count: Int) throws -> [UInt8] { throw Broken() }
            func write(lba: UInt64, data: [UInt8]) throws { throw Broken() }
            func unmap(lba: UInt64, count: UInt64) throws { throw Broken() }
            func isMapped(lba: UInt64) throws -> Bool { throw Broken() }
            func flush() throws { throw Broken() }
        }
        let array = try SimulatedArray()
        try array.add(LogicalUnit(identity: .generate(), store: BrokenStore()), lun: 0)
        let d = SCSIDispatcher(array: array)
        func run(_ cdb: [UInt8], _ data: [UInt8] = []) -> SCSIResult {
            d.execute(SCSIRequest(lun: 0, cdb: cdb, dataOut: data, initiator: Harness.defaultInitiator))
        }
        expectSense(run(TestCDB.read16(lba: 0, blocks: 1)), 0x03, 0x11, 0x00)
        expectSense(run(TestCDB.write16(lba: 0, blocks: 1), pattern(0, blocks: 1)), 0x03, 0x0C, 0x00)
        expectSense(run(TestCDB.synchronizeCache10()), 0x03, 0x0C, 0x00)
        expectSense(run(TestCDB.unmap(listLength: 24), TestCDB.unmapList([(0, 1)])), 0x03, 0x0C, 0x00)
        expectSense(run(TestCDB.writeSame16(lba: 0, blocks: 2), pattern(0, blocks: 1)), 0x03, 0x0C, 0x00)
        expectSense(run(TestCDB.getLBAStatus(lba: 0)), 0x03, 0x11, 0x00)
    }
}
