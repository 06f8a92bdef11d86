import Foundation
import SCSIWire
import SimArray
import Testing

/// A dispatcher over memory LUs, and helpers to send CDBs and check sense exactly. CDBs in the
/// tests are written out byte by byte from the SPC/SBC tables (`TestCDB`), not with the
/// module's own builders, so a layout mistake cannot hide behind a symmetric one.
struct Harness {
    let array: SimulatedArray
    let dispatcher: SCSIDispatcher
    var initiator: InitiatorContext

    static let defaultInitiator = InitiatorContext(nexus: "iqn.test:initiator,i,0x1 -> sim,t,0x1", initiatorName: "iqn.test:initiator")

    /// One LU at LUN 0 (and more at `extraLUNs`), memory-backed.
    init(blockCount: UInt64 = 4096, blockSize: Int = 512, options: LogicalUnitOptions = LogicalUnitOptions(),
         extraLUNs: [UInt64] = [], handler: (any ThirdPartyCopyHandler)? = nil,
         initiator: InitiatorContext = Harness.defaultInitiator) throws {
        array = try SimulatedArray()
        try array.createLogicalUnit(lun: 0, blockSize: blockSize, blockCount: blockCount, options: options)
        for lun in extraLUNs {
            try array.createLogicalUnit(lun: lun, blockSize: blockSize, blockCount: blockCount, options: options)
        }
        dispatcher = SCSIDispatcher(array: array, copyHandler: handler)
        self.initiator = initiator
    }

    var unit: LogicalUnit { array.logicalUnit(lun: 0)! }

    @discardableResult
    func run(_ cdb: [UInt8], lun: UInt64 = 0, dataOut: [UInt8] = [], expected: Int = 0) -> SCSIResult {
        dispatcher.execute(SCSIRequest(lun: lun, cdb: cdb, dataOut: dataOut, expectedDataInLength: expected, initiator: initiator))
    }

    /// Runs and requires GOOD; returns the Data-In.
    @discardableResult
    func good(_ cdb: [UInt8], lun: UInt64 = 0, dataOut: [UInt8] = [],
              sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        let r = run(cdb, lun: lun, dataOut: dataOut)
        #expect(r.status == .good, "expected GOOD, got \(r.status) \(r.senseData.map(\.description) ?? "")", sourceLocation: sourceLocation)
        #expect(r.sense.isEmpty, sourceLocation: sourceLocation)
        return r.dataIn
    }

    func write(lba: UInt64, _ data: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        good(TestCDB.write16(lba: lba, blocks: UInt32(data.count / unit.blockSize)), dataOut: data, sourceLocation: sourceLocation)
    }

    func read(lba: UInt64, blocks: UInt32, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        good(TestCDB.read16(lba: lba, blocks: blocks), sourceLocation: sourceLocation)
    }
}

/// Where a field pointer should point.
struct FieldPointer: Equatable, CustomStringConvertible {
    var inCDB: Bool
    var byte: Int
    var bit: UInt8?
    static func cdb(_ byte: Int, bit: UInt8? = nil) -> FieldPointer { FieldPointer(inCDB: true, byte: byte, bit: bit) }
    static func parameter(_ byte: Int, bit: UInt8? = nil) -> FieldPointer { FieldPointer(inCDB: false, byte: byte, bit: bit) }
    var description: String { "\(inCDB ? "CDB" : "parameter list") byte \(byte)\(bit.map { " bit \($0)" } ?? "")" }
}

/// Requires CHECK CONDITION with exactly this key/ASC/ASCQ; `field` also requires that field
/// pointer, `noPointer` requires that there is none.
func expectSense(_ r: SCSIResult, _ key: UInt8, _ asc: UInt8, _ ascq: UInt8, field: FieldPointer? = nil,
                 noPointer: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == .checkCondition, "status \(r.status), expected CHECK CONDITION", sourceLocation: sourceLocation)
    #expect(r.dataIn.isEmpty, "no Data-In with CHECK CONDITION", sourceLocation: sourceLocation)
    guard let s = r.senseData else {
        Issue.record("no parseable sense: \(r.sense)", sourceLocation: sourceLocation)
        return
    }
    #expect(s.key.rawValue == key && s.additionalSense.code == asc && s.additionalSense.qualifier == ascq,
            "sense \(s), expected \(hexString([key]))/\(hexString([asc]))/\(hexString([ascq]))", sourceLocation: sourceLocation)
    if let field {
        guard let sks = s.senseKeySpecific else {
            Issue.record("no field pointer, expected \(field)", sourceLocation: sourceLocation)
            return
        }
        let got = FieldPointer(inCDB: sks.commandData, byte: Int(sks.pointerValue), bit: sks.bitPointer)
        #expect(got == field, "field pointer \(got), expected \(field)", sourceLocation: sourceLocation)
    }
    if noPointer {
        #expect(s.senseKeySpecific == nil, "unexpected field pointer", sourceLocation: sourceLocation)
    }
}

/// CDBs written out from the SPC-4/SBC-4 tables.
enum TestCDB {
    static func be(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64(n - 1 - $0))) } }

    static func testUnitReady() -> [UInt8] { [0x00, 0, 0, 0, 0, 0] }
    static func requestSense(desc: Bool = false, allocation: UInt8 = 252) -> [UInt8] { [0x03, desc ? 1 : 0, 0, 0, allocation, 0] }
    static func inquiry(evpd: Bool = false, page: UInt8 = 0, allocation: UInt16 = 255) -> [UInt8] {
        [0x12, evpd ? 1 : 0, page] + be(UInt64(allocation), 2) + [0]
    }
    static func readCapacity10(lba: UInt32 = 0, pmi: Bool = false) -> [UInt8] {
        [0x25, 0] + be(UInt64(lba), 4) + [0, 0, pmi ? 1 : 0, 0]
    }
    static func readCapacity16(allocation: UInt32 = 32) -> [UInt8] { [0x9E, 0x10] + be(0, 8) + be(UInt64(allocation), 4) + [0, 0] }
    /// READ(10)/WRITE(10): byte 1 = PROTECT<<5 | DPO<<4 | FUA<<3.
    static func rw10(_ op: UInt8, lba: UInt32, blocks: UInt16, protect: UInt8 = 0, dpo: Bool = false, fua: Bool = false,
                     group: UInt8 = 0, control: UInt8 = 0) -> [UInt8] {
        [op, protect << 5 | (dpo ? 0x10 : 0) | (fua ? 0x08 : 0)] + be(UInt64(lba), 4) + [group] + be(UInt64(blocks), 2) + [control]
    }
    static func rw16(_ op: UInt8, lba: UInt64, blocks: UInt32, protect: UInt8 = 0, dpo: Bool = false, fua: Bool = false,
                     group: UInt8 = 0, control: UInt8 = 0) -> [UInt8] {
        [op, protect << 5 | (dpo ? 0x10 : 0) | (fua ? 0x08 : 0)] + be(lba, 8) + be(UInt64(blocks), 4) + [group, control]
    }
    static func read10(lba: UInt32, blocks: UInt16, protect: UInt8 = 0, dpo: Bool = false, fua: Bool = false) -> [UInt8] {
        rw10(0x28, lba: lba, blocks: blocks, protect: protect, dpo: dpo, fua: fua)
    }
    static func write10(lba: UInt32, blocks: UInt16, protect: UInt8 = 0, dpo: Bool = false, fua: Bool = false) -> [UInt8] {
        rw10(0x2A, lba: lba, blocks: blocks, protect: protect, dpo: dpo, fua: fua)
    }
    static func read16(lba: UInt64, blocks: UInt32, protect: UInt8 = 0, dpo: Bool = false, fua: Bool = false) -> [UInt8] {
        rw16(0x88, lba: lba, blocks: blocks, protect: protect, dpo: dpo, fua: fua)
    }
    static func write16(lba: UInt64, blocks: UInt32, protect: UInt8 = 0, dpo: Bool = false, fua: Bool = false) -> [UInt8] {
        rw16(0x8A, lba: lba, blocks: blocks, protect: protect, dpo: dpo, fua: fua)
    }
    /// WRITE SAME(16): byte 1 = WRPROTECT<<5 | ANCHOR<<4 | UNMAP<<3 | NDOB.
    static func writeSame16(lba: UInt64, blocks: UInt32, unmap: Bool = false, anchor: Bool = false, ndob: Bool = false,
                            protect: UInt8 = 0) -> [UInt8] {
        [0x93, protect << 5 | (anchor ? 0x10 : 0) | (unmap ? 0x08 : 0) | (ndob ? 0x01 : 0)] + be(lba, 8) + be(UInt64(blocks), 4) + [0, 0]
    }
    static func unmap(listLength: UInt16, anchor: Bool = false) -> [UInt8] {
        [0x42, anchor ? 1 : 0, 0, 0, 0, 0, 0] + be(UInt64(listLength), 2) + [0]
    }
    /// An UNMAP parameter list built the way libiscsi's `unmap()` helper does.
    static func unmapList(_ ranges: [(lba: UInt64, blocks: UInt32)]) -> [UInt8] {
        let total = 8 + 16 * ranges.count
        var b = be(UInt64(total - 2), 2) + be(UInt64(total - 8), 2) + [0, 0, 0, 0]
        for r in ranges { b += be(r.lba, 8) + be(UInt64(r.blocks), 4) + [0, 0, 0, 0] }
        return b
    }
    static func synchronizeCache10(lba: UInt32 = 0, blocks: UInt16 = 0, immed: Bool = false) -> [UInt8] {
        [0x35, immed ? 2 : 0] + be(UInt64(lba), 4) + [0] + be(UInt64(blocks), 2) + [0]
    }
    static func synchronizeCache16(lba: UInt64 = 0, blocks: UInt32 = 0) -> [UInt8] {
        [0x91, 0] + be(lba, 8) + be(UInt64(blocks), 4) + [0, 0]
    }
    static func getLBAStatus(lba: UInt64, allocation: UInt32 = 24, reportType: UInt8 = 0) -> [UInt8] {
        [0x9E, 0x12] + be(lba, 8) + be(UInt64(allocation), 4) + [reportType, 0]
    }
    static func reportLuns(select: UInt8 = 0, allocation: UInt32 = 512) -> [UInt8] {
        [0xA0, 0, select, 0, 0, 0] + be(UInt64(allocation), 4) + [0, 0]
    }
    static func reportSupportedOperationCodes(options: UInt8 = 0, rctd: Bool = false, opcode: UInt8 = 0, sa: UInt16 = 0,
                                              allocation: UInt32 = 65535) -> [UInt8] {
        [0xA3, 0x0C, (rctd ? 0x80 : 0) | options, opcode] + be(UInt64(sa), 2) + be(UInt64(allocation), 4) + [0, 0]
    }
    static func modeSense6(page: UInt8 = 0x3F, subpage: UInt8 = 0, pc: UInt8 = 0, dbd: Bool = false, allocation: UInt8 = 255) -> [UInt8] {
        [0x1A, dbd ? 0x08 : 0, pc << 6 | page, subpage, allocation, 0]
    }
    static func modeSense10(page: UInt8 = 0x3F, subpage: UInt8 = 0, pc: UInt8 = 0, dbd: Bool = false, llbaa: Bool = false,
                            allocation: UInt16 = 1024) -> [UInt8] {
        [0x5A, (dbd ? 0x08 : 0) | (llbaa ? 0x10 : 0), pc << 6 | page, subpage, 0, 0, 0] + be(UInt64(allocation), 2) + [0]
    }
}

func pattern(_ seed: UInt8, blocks: Int, blockSize: Int = 512) -> [UInt8] {
    (0..<(blocks * blockSize)).map { UInt8(truncatingIfNeeded: Int(seed) &* 31 &+ $0 &* 7 &+ $0 / blockSize) }
}

/// A temporary directory removed at the end of a test.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("simarray-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A deterministic generator for fuzzing and identity tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
