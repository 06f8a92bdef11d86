import Foundation
import SCSIWire
import SimArray
import Testing

/// The shipped profiles, read from the repository's Hardware/profiles.
enum TestProfiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Hardware/profiles")

    static func load(_ name: String) throws -> ArrayProfile { try ArrayProfile.load(named: name, in: directory) }

    /// A shipped profile with some of its XCOPY settings changed.
    static func load(_ name: String, _ change: (inout ArrayProfile.ExtendedCopy) -> Void) throws -> ArrayProfile {
        var p = try load(name)
        change(&p.xcopy!)
        return p
    }
}

/// Parameter lists and CDBs written out byte by byte from SPC-4 (targets.md §11) the way
/// libiscsi's `populate_param_header`, `populate_tgt_desc` and `populate_seg_desc_b2b[_off]`
/// build them, never with the module's own encoders.
enum XCopyBytes {
    static func be(_ v: UInt64, _ n: Int) -> [UInt8] { TestCDB.be(v, n) }

    /// LIST ID USAGE: 0 hold, 2 discard, 3 none (1 reserved).
    static func header(listID: UInt8 = 1, usage: UInt8 = 0, priority: UInt8 = 0, cscdLength: Int, segmentLength: Int,
                       inlineLength: Int = 0) -> [UInt8] {
        [listID, (usage & 3) << 3 | (priority & 7)] + be(UInt64(cscdLength), 2) + [0, 0, 0, 0]
            + be(UInt64(segmentLength), 4) + be(UInt64(inlineLength), 4)
    }

    /// A 0xE4 identification CSCD naming `designator` (its code set, type and value).
    static func cscd(_ d: Designator, blockLength: Int, luIDType: UInt8 = 0, nul: Bool = false, pdt: UInt8 = 0,
                     pad: Bool = false, type: UInt8 = 0xE4) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 32)
        b[0] = type
        b[1] = luIDType << 6 | (nul ? 0x20 : 0) | pdt
        b[4] = d.codeSet.rawValue
        b[5] = d.association.rawValue << 4 | d.type.rawValue
        b[7] = UInt8(d.value.count)
        for (i, v) in d.value.prefix(20).enumerated() { b[8 + i] = v }
        b[28] = pad ? 0x04 : 0
        b[29] = UInt8((blockLength >> 16) & 0xFF)
        b[30] = UInt8((blockLength >> 8) & 0xFF)
        b[31] = UInt8(blockLength & 0xFF)
        return b
    }

    static func cscd(_ unit: LogicalUnit, _ which: KeyPath<LogicalUnitIdentity, Designator> = \.naaDesignator,
                     pad: Bool = false, luIDType: UInt8 = 0, blockLength: Int? = nil) -> [UInt8] {
        cscd(unit.identity[keyPath: which], blockLength: blockLength ?? unit.blockSize, luIDType: luIDType, pad: pad)
    }

    /// Segment 02h, block to block (28 bytes).
    static func b2b(src: UInt16, dst: UInt16, blocks: UInt16, srcLBA: UInt64, dstLBA: UInt64, dc: Bool = false,
                    descriptorLength: UInt16 = 0x18) -> [UInt8] {
        [0x02, dc ? 0x02 : 0] + be(UInt64(descriptorLength), 2) + be(UInt64(src), 2) + be(UInt64(dst), 2) + [0, 0]
            + be(UInt64(blocks), 2) + be(srcLBA, 8) + be(dstLBA, 8)
    }

    /// Segment 0Ah, block with offset to block with offset (32 bytes).
    static func b2bOffset(src: UInt16, dst: UInt16, bytes: UInt32, srcLBA: UInt64, dstLBA: UInt64, srcOffset: UInt16,
                          dstOffset: UInt16) -> [UInt8] {
        [0x0A, 0, 0x00, 0x1C] + be(UInt64(src), 2) + be(UInt64(dst), 2) + be(UInt64(bytes), 4) + be(srcLBA, 8)
            + be(dstLBA, 8) + be(UInt64(srcOffset), 2) + be(UInt64(dstOffset), 2)
    }

    /// A header-only segment of another type (libiscsi's `populate_seg_desc_hdr`).
    static func segmentHeader(type: UInt8, descriptorLength: UInt16, src: UInt16 = 0, dst: UInt16 = 0) -> [UInt8] {
        [type, 0] + be(UInt64(descriptorLength), 2) + be(UInt64(src), 2) + be(UInt64(dst), 2)
            + [UInt8](repeating: 0, count: Int(descriptorLength) - 4)
    }

    static func list(listID: UInt8 = 1, usage: UInt8 = 0, cscds: [[UInt8]], segments: [[UInt8]], inline: [UInt8] = []) -> [UInt8] {
        let c = cscds.flatMap { $0 }
        let s = segments.flatMap { $0 }
        return header(listID: listID, usage: usage, cscdLength: c.count, segmentLength: s.count, inlineLength: inline.count)
            + c + s + inline
    }

    static func extendedCopyCDB(_ length: Int) -> [UInt8] { [0x83, 0x00] + [UInt8](repeating: 0, count: 8) + be(UInt64(length), 4) + [0, 0] }

    /// 84h with a LID1 list identifier at byte 2 and ALLOCATION LENGTH at 10-13.
    static func copyIn(_ sa: UInt8, listID: UInt8 = 0, allocation: UInt32 = 1024) -> [UInt8] {
        [0x84, sa, listID, 0, 0, 0, 0, 0, 0, 0] + be(UInt64(allocation), 4) + [0, 0]
    }

    static func copyOperationAbort(_ listID: UInt32) -> [UInt8] {
        [0x83, 0x1C] + be(UInt64(listID), 4) + [UInt8](repeating: 0, count: 10)
    }
}

/// An array of memory LUs behind a dispatcher with a `CopyManager` for `profile`.
struct XCopyHarness {
    let array: SimulatedArray
    let dispatcher: SCSIDispatcher
    let manager: CopyManager
    var initiator: InitiatorContext

    static let descriptorInitiator = InitiatorContext(nexus: "iqn.test:xcopy,i,0x2 -> sim,t,0x1", initiatorName: "iqn.test:xcopy",
                                                      descriptorSense: true)

    /// LUs `luns` of `blockCount` blocks (block size per LUN from `blockSizes`, else
    /// `blockSize`); thin unless listed in `thick`.
    init(profile: ArrayProfile, luns: [UInt64] = [0, 1], blockSize: Int = 512, blockSizes: [UInt64: Int] = [:],
         blockCount: UInt64 = 4096, thick: Set<UInt64> = [], faults: FaultInjector = FaultInjector(),
         tokenService: (any TokenCopyService)? = nil, chunkBytes: Int = 4096,
         initiator: InitiatorContext = Harness.defaultInitiator, now: @escaping @Sendable () -> Date = { Date() }) throws {
        array = try SimulatedArray()
        for lun in luns {
            var options = LogicalUnitOptions()
            options.thinProvisioned = !thick.contains(lun)
            try profile.createLogicalUnit(in: array, lun: lun, blockSize: blockSizes[lun] ?? blockSize, blockCount: blockCount,
                                          options: options)
        }
        manager = CopyManager(profile: profile, faults: faults, tokenService: tokenService, chunkBytes: chunkBytes, now: now)
        dispatcher = SCSIDispatcher(array: array, copyHandler: manager)
        self.initiator = initiator
    }

    func unit(_ lun: UInt64) -> LogicalUnit { array.logicalUnit(lun: lun)! }

    @discardableResult
    func run(_ cdb: [UInt8], lun: UInt64 = 0, dataOut: [UInt8] = []) -> SCSIResult {
        dispatcher.execute(SCSIRequest(lun: lun, cdb: cdb, dataOut: dataOut, initiator: initiator))
    }

    /// EXTENDED COPY(LID1) with `list` as parameter data, CDB length = list length.
    @discardableResult
    func xcopy(_ list: [UInt8], lun: UInt64 = 0) -> SCSIResult {
        run(XCopyBytes.extendedCopyCDB(list.count), lun: lun, dataOut: list)
    }

    func fill(_ lun: UInt64, lba: UInt64 = 0, _ data: [UInt8]) throws { try unit(lun).store.write(lba: lba, data: data) }

    func bytes(_ lun: UInt64, lba: UInt64 = 0, blocks: Int) throws -> [UInt8] { try unit(lun).store.read(lba: lba, count: blocks) }

    /// Every block of a LU, for before/after comparisons.
    func checksum(_ lun: UInt64) throws -> [UInt8] {
        let u = unit(lun)
        var h = Hasher()
        h.combine(try u.store.read(lba: 0, count: Int(u.blockCount)))
        let v = UInt64(bitPattern: Int64(h.finalize()))
        return TestCDB.be(v, 8)
    }
}

/// Requires COPY ABORTED with this ASC/ASCQ and, when given, COMMAND-SPECIFIC INFORMATION (the
/// failing segment) and segment pointer (SD bit, byte); `noExtras` requires neither (LIO).
func expectCopyAborted(_ r: SCSIResult, _ asc: UInt8, _ ascq: UInt8, csi: UInt64? = nil, pointer: (sd: Bool, byte: Int)? = nil,
                       noPointer: Bool = false, noExtras: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
    expectSense(r, 0x0A, asc, ascq, sourceLocation: sourceLocation)
    guard let s = r.senseData else { return }
    if let csi {
        #expect(s.commandSpecificInformation == csi, "CSI \(String(describing: s.commandSpecificInformation)), expected \(csi)",
                sourceLocation: sourceLocation)
    }
    if let pointer {
        guard let sks = s.senseKeySpecific else {
            Issue.record("no segment pointer, expected SD=\(pointer.sd) byte \(pointer.byte)", sourceLocation: sourceLocation)
            return
        }
        #expect(sks.segmentDescriptor == pointer.sd && Int(sks.pointerValue) == pointer.byte,
                "segment pointer SD=\(sks.segmentDescriptor) byte \(sks.pointerValue), expected SD=\(pointer.sd) byte \(pointer.byte)",
                sourceLocation: sourceLocation)
    }
    if noPointer || noExtras { #expect(s.senseKeySpecific == nil, "unexpected segment pointer", sourceLocation: sourceLocation) }
    if noExtras {
        #expect((s.commandSpecificInformation ?? 0) == 0, "unexpected CSI", sourceLocation: sourceLocation)
        #expect(s.information == nil && s.forwarded.isEmpty, "unexpected residual or forwarded sense", sourceLocation: sourceLocation)
    }
}

/// A token service that records what it is asked and answers as told.
final class FakeTokenService: TokenCopyService, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls: [String] = []
    private var _removed: [ObjectIdentifier] = []
    private var _modified: [(ObjectIdentifier, UInt64, UInt64)] = []
    let knownAbortIDs: Set<UInt32>

    init(knownAbortIDs: Set<UInt32> = []) { self.knownAbortIDs = knownAbortIDs }

    var calls: [String] { lock.withLock { _calls } }
    var removed: [ObjectIdentifier] { lock.withLock { _removed } }
    var modifiedBlocks: UInt64 { lock.withLock { _modified.reduce(0) { $0 + $1.2 } } }

    private func note(_ s: String) { lock.withLock { _calls.append(s) } }

    func populateToken(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        note("PT"); return .good()
    }
    func writeUsingToken(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        note("WUT"); return .good()
    }
    func receiveRODTokenInformation(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        note("RRTI"); return .good([0x52])
    }
    func abort(listIdentifier: UInt32, initiator: InitiatorContext) -> Bool {
        note("ABORT \(listIdentifier)"); return knownAbortIDs.contains(listIdentifier)
    }
    func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64) {
        lock.withLock { _modified.append((ObjectIdentifier(unit), lba, count)) }
    }
    func logicalUnitRemoved(_ unit: LogicalUnit) { lock.withLock { _removed.append(ObjectIdentifier(unit)) } }
}

/// A memory store that records the largest read and write and every write's LBA, and can hold
/// a read until released (to catch a copy in flight).
final class InstrumentedStore: BlockStore, @unchecked Sendable {
    let inner: MemoryBlockStore
    private let lock = NSLock()
    private var _maxReadBlocks = 0
    private var _maxWriteBytes = 0
    private var _writes = 0
    private var gateAfterReads: Int?
    private var reads = 0
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    init(blockSize: Int = 512, blockCount: UInt64) { inner = MemoryBlockStore(blockSize: blockSize, blockCount: blockCount) }

    var blockSize: Int { inner.blockSize }
    var blockCount: UInt64 { inner.blockCount }
    var maxReadBlocks: Int { lock.withLock { _maxReadBlocks } }
    var maxWriteBytes: Int { lock.withLock { _maxWriteBytes } }
    var writes: Int { lock.withLock { _writes } }

    /// The read after `reads` more reads blocks until `release` is signalled (once).
    func hold(afterReads n: Int) { lock.withLock { gateAfterReads = reads + n } }

    func read(lba: UInt64, count: Int) throws -> [UInt8] {
        let wait: Bool = lock.withLock {
            _maxReadBlocks = Swift.max(_maxReadBlocks, count)
            reads += 1
            if let g = gateAfterReads, reads > g { gateAfterReads = nil; return true }
            return false
        }
        if wait {
            entered.signal()
            release.wait()
        }
        return try inner.read(lba: lba, count: count)
    }

    func write(lba: UInt64, data: [UInt8]) throws {
        lock.withLock { _maxWriteBytes = Swift.max(_maxWriteBytes, data.count); _writes += 1 }
        try inner.write(lba: lba, data: data)
    }

    func unmap(lba: UInt64, count: UInt64) throws { try inner.unmap(lba: lba, count: count) }
    func isMapped(lba: UInt64) throws -> Bool { try inner.isMapped(lba: lba) }
    func flush() throws {}
}

/// A value handed back from another thread.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.withLock { value = v } }
    var get: T? { lock.withLock { value } }
}
