import Foundation
import SCSIWire
import SimArray
import Testing

/// Routes the token service actions to a `TokenManager` the way the copy manager does, so the
/// token tests run through the real dispatcher (CDB usage checks, unit attentions, and the
/// write paths' `willModify`).
final class TokenRouter: ThirdPartyCopyHandler, @unchecked Sendable {
    let tokens: TokenManager
    init(_ tokens: TokenManager) { self.tokens = tokens }

    func thirdPartyCopyPage(for unit: LogicalUnit) -> ThirdPartyCopyPage? {
        ThirdPartyCopyPage(descriptors: [
            .blockDeviceRODLimits(tokens.configuration.blockDeviceRODLimits(blockSize: unit.blockSize)),
            .supportedCommands([SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x10, 0x11, 0x1C]),
                                SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x07])]),
        ])
    }

    func execute(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        let cdb = request.cdb
        switch (cdb[0], cdb[1] & 0x1F) {
        case (0x83, 0x10): return tokens.populateToken(request, on: unit, directory: directory)
        case (0x83, 0x11): return tokens.writeUsingToken(request, on: unit, directory: directory)
        case (0x84, 0x07): return tokens.receiveRODTokenInformation(request, on: unit, directory: directory)
        case (0x83, 0x1C):
            let id = cdb[2..<6].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return tokens.abort(listIdentifier: id, initiator: request.initiator)
                ? .good() : SCSIResult(error: .invalidFieldInCDB(byte: 2), for: request.initiator)
        default:
            return SCSIResult(error: .invalidCommandOperationCode, for: request.initiator)
        }
    }

    func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64) { tokens.willModify(unit, lba: lba, count: count) }
    func logicalUnitRemoved(_ unit: LogicalUnit) { tokens.logicalUnitRemoved(unit) }
}

/// Byte-by-byte builders from the SBC-3/SPC-4 tables (targets.md §11.1, §11.5), independent of
/// the wire module's encoders.
enum TestODX {
    static func be(_ v: UInt64, _ n: Int) -> [UInt8] { TestCDB.be(v, n) }

    static func populateTokenCDB(list: UInt32, length: Int) -> [UInt8] {
        [0x83, 0x10, 0, 0, 0, 0] + be(UInt64(list), 4) + be(UInt64(length), 4) + [0, 0]
    }
    static func writeUsingTokenCDB(list: UInt32, length: Int) -> [UInt8] {
        [0x83, 0x11, 0, 0, 0, 0] + be(UInt64(list), 4) + be(UInt64(length), 4) + [0, 0]
    }
    static func rrtiCDB(list: UInt32, allocation: UInt32 = 1024) -> [UInt8] {
        [0x84, 0x07] + be(UInt64(list), 4) + [0, 0, 0, 0] + be(UInt64(allocation), 4) + [0, 0]
    }
    static func abortCDB(list: UInt32) -> [UInt8] {
        [0x83, 0x1C] + be(UInt64(list), 4) + [UInt8](repeating: 0, count: 10)
    }
    static func range(_ lba: UInt64, _ blocks: UInt32) -> [UInt8] { be(lba, 8) + be(UInt64(blocks), 4) + [0, 0, 0, 0] }

    /// POPULATE TOKEN parameter list: DATA LENGTH, RTV|IMMED, INACTIVITY TIMEOUT, ROD TYPE,
    /// RANGE DESCRIPTOR LIST LENGTH, ranges from byte 16.
    static func populateTokenList(_ ranges: [(UInt64, UInt32)], timeout: UInt32 = 0, rodType: UInt32? = nil,
                                  immediate: Bool = false) -> [UInt8] {
        let n = ranges.count * 16
        return be(UInt64(14 + n), 2) + [(rodType != nil ? 0x02 : 0) | (immediate ? 0x01 : 0), 0] + be(UInt64(timeout), 4)
            + be(UInt64(rodType ?? 0), 4) + [0, 0] + be(UInt64(n), 2) + ranges.flatMap { range($0.0, $0.1) }
    }

    /// WRITE USING TOKEN parameter list: DATA LENGTH, DEL_TKN|IMMED, OFFSET INTO ROD at 8, the
    /// token at 16, RANGE DESCRIPTOR LIST LENGTH at 534, ranges from 536.
    static func writeUsingTokenList(token: [UInt8], _ ranges: [(UInt64, UInt32)], offset: UInt64 = 0,
                                    deleteToken: Bool = false, immediate: Bool = false) -> [UInt8] {
        let n = ranges.count * 16
        return be(UInt64(534 + n), 2) + [(deleteToken ? 0x02 : 0) | (immediate ? 0x01 : 0), 0, 0, 0, 0, 0] + be(offset, 8)
            + token + [0, 0, 0, 0, 0, 0] + be(UInt64(n), 2) + ranges.flatMap { range($0.0, $0.1) }
    }

    /// The block device zero ROD token as ddpt builds it: type FFFF0001h, length 01F8h, zeros.
    static let zeroToken: [UInt8] = [0xFF, 0xFF, 0x00, 0x01, 0, 0, 0x01, 0xF8] + [UInt8](repeating: 0, count: 504)
}

/// An array with LUs 0 and 1 (and more on request), a token manager behind the dispatcher, a
/// manual clock, a seeded random source and a shared fault injector.
struct TokenHarness {
    let array: SimulatedArray
    let dispatcher: SCSIDispatcher
    let tokens: TokenManager
    let clock: ManualTokenClock
    let faults: FaultInjector
    var initiator: InitiatorContext
    static let seed: UInt64 = 0x0DDC_0FFE

    init(luns: [UInt64] = [0, 1], blockCount: UInt64 = 2048, blockSize: Int = 512,
         options: LogicalUnitOptions = LogicalUnitOptions(), initiator: InitiatorContext = Harness.defaultInitiator,
         configure: (inout TokenManagerConfiguration) -> Void = { _ in }) throws {
        array = try SimulatedArray()
        for lun in luns { try array.createLogicalUnit(lun: lun, blockSize: blockSize, blockCount: blockCount, options: options) }
        let clock = ManualTokenClock()
        var config = TokenManagerConfiguration.ctl
        configure(&config)
        config.clock = .manual(clock)
        config.random = .seeded(Self.seed)
        faults = FaultInjector()
        tokens = TokenManager(configuration: config, faults: faults)
        dispatcher = SCSIDispatcher(array: array, copyHandler: TokenRouter(tokens))
        dispatcher.faults = faults
        self.clock = clock
        self.initiator = initiator
    }

    func unit(_ lun: UInt64) -> LogicalUnit { array.logicalUnit(lun: lun)! }

    @discardableResult
    func run(_ cdb: [UInt8], lun: UInt64 = 0, dataOut: [UInt8] = [], as who: InitiatorContext? = nil) -> SCSIResult {
        dispatcher.execute(SCSIRequest(lun: lun, cdb: cdb, dataOut: dataOut, initiator: who ?? initiator))
    }

    @discardableResult
    func populate(_ ranges: [(UInt64, UInt32)], lun: UInt64 = 0, list: UInt32 = 1, timeout: UInt32 = 0,
                  rodType: UInt32? = nil, as who: InitiatorContext? = nil) -> SCSIResult {
        let data = TestODX.populateTokenList(ranges, timeout: timeout, rodType: rodType)
        return run(TestODX.populateTokenCDB(list: list, length: data.count), lun: lun, dataOut: data, as: who)
    }

    @discardableResult
    func writeUsingToken(_ token: [UInt8], _ ranges: [(UInt64, UInt32)], lun: UInt64 = 1, list: UInt32 = 2,
                         offset: UInt64 = 0, deleteToken: Bool = false, immediate: Bool = false,
                         as who: InitiatorContext? = nil) -> SCSIResult {
        let data = TestODX.writeUsingTokenList(token: token, ranges, offset: offset, deleteToken: deleteToken, immediate: immediate)
        return run(TestODX.writeUsingTokenCDB(list: list, length: data.count), lun: lun, dataOut: data, as: who)
    }

    func rrti(list: UInt32, lun: UInt64 = 0, allocation: UInt32 = 1024, as who: InitiatorContext? = nil) -> SCSIResult {
        run(TestODX.rrtiCDB(list: list, allocation: allocation), lun: lun, as: who)
    }

    /// POPULATE TOKEN then RRTI; the 512 token bytes (at 38..549 of the RRTI response).
    func token(_ ranges: [(UInt64, UInt32)], lun: UInt64 = 0, list: UInt32 = 1, timeout: UInt32 = 0,
               sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        let pt = populate(ranges, lun: lun, list: list, timeout: timeout)
        #expect(pt.status == .good, "POPULATE TOKEN: \(pt.senseData.map(\.description) ?? "\(pt.status)")", sourceLocation: sourceLocation)
        let r = rrti(list: list, lun: lun)
        #expect(r.status == .good && r.dataIn.count == 550, "RRTI: \(r.status) \(r.dataIn.count) bytes", sourceLocation: sourceLocation)
        return r.dataIn.count >= 550 ? Array(r.dataIn[38..<550]) : []
    }

    func write(_ data: [UInt8], lun: UInt64, lba: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        let r = run(TestCDB.write16(lba: lba, blocks: UInt32(data.count / unit(lun).blockSize)), lun: lun, dataOut: data)
        #expect(r.status == .good, "WRITE: \(r.senseData.map(\.description) ?? "\(r.status)")", sourceLocation: sourceLocation)
    }

    func read(lun: UInt64, lba: UInt64, blocks: UInt64) -> [UInt8] {
        (try? unit(lun).store.read(lba: lba, count: Int(blocks))) ?? []
    }

    /// Fills a LU with a recognisable pattern (each block differs).
    func fill(lun: UInt64, seed: UInt8) {
        let u = unit(lun)
        try? u.store.write(lba: 0, data: pattern(seed, blocks: Int(u.blockCount), blockSize: u.blockSize))
    }

    /// A digest of the whole LU (FNV-1a), to prove a copy never wrote its source.
    func checksum(lun: UInt64) -> UInt64 {
        let data = read(lun: lun, lba: 0, blocks: unit(lun).blockCount)
        return data.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    /// The blocks a ROD made of these source ranges holds, in order.
    func rod(lun: UInt64 = 0, _ ranges: [(UInt64, UInt32)]) -> [UInt8] {
        ranges.flatMap { read(lun: lun, lba: $0.0, blocks: UInt64($0.1)) }
    }
}

/// RRTI response fields by offset (targets.md §11.4), read by hand.
struct RRTIView {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func be(_ at: Int, _ n: Int) -> UInt64 { bytes[at..<(at + n)].reduce(0) { $0 << 8 | UInt64($1) } }
    var availableData: UInt64 { be(0, 4) }
    var responseToServiceAction: UInt8 { bytes[4] & 0x1F }
    var copyOperationStatus: UInt8 { bytes[5] & 0x7F }
    var operationCounter: UInt64 { be(6, 2) }
    var estimatedStatusUpdateDelay: UInt64 { be(8, 4) }
    var completionStatus: UInt8 { bytes[12] }
    var senseFieldLength: Int { Int(bytes[13]) }
    var senseLength: Int { Int(bytes[14]) }
    var units: UInt8 { bytes[15] }
    var transferCount: UInt64 { be(16, 8) }
    var segmentsProcessed: UInt64 { be(24, 2) }
    var sense: [UInt8] { Array(bytes[32..<(32 + senseLength)]) }
    var tokenDescriptorsLength: UInt64 { be(32 + senseFieldLength, 4) }
}

@Suite struct TokenHarnessTests {
    @Test("The test router lists PT, WUT, COPY OPERATION ABORT and RRTI and the limits in VPD 0x8F")
    func routerAdvertises() throws {
        let h = try TokenHarness()
        let page = try ThirdPartyCopyPage(parsing: h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)).dataIn)
        #expect(page.blockDeviceRODLimits == BlockDeviceRODLimits(maximumRangeDescriptors: 64, maximumInactivityTimeout: 600,
                                                                  defaultInactivityTimeout: 60, maximumTokenTransferSize: 0,
                                                                  optimalTransferCount: 0))
        #expect(page.lists(.thirdPartyCopyOut, serviceAction: 0x10) && page.lists(.thirdPartyCopyIn, serviceAction: 0x07))
    }

    @Test("The hand-built lists parse with the wire module to the same values")
    func builtListsAgreeWithWire() throws {
        let pt = try PopulateToken(parsing: TestODX.populateTokenList([(5, 7), (100, 1)], timeout: 33, rodType: 0x0080_0000, immediate: true))
        #expect(pt == PopulateToken(rodType: .pointInTimeDefault, immediate: true, inactivityTimeout: 33,
                                    ranges: [BlockDeviceRangeDescriptor(logicalBlockAddress: 5, numberOfLogicalBlocks: 7),
                                             BlockDeviceRangeDescriptor(logicalBlockAddress: 100, numberOfLogicalBlocks: 1)]))
        let wut = try WriteUsingToken(parsing: TestODX.writeUsingTokenList(token: TestODX.zeroToken, [(9, 3)], offset: 77,
                                                                         deleteToken: true, immediate: false))
        #expect(wut == WriteUsingToken(deleteToken: true, offsetIntoROD: 77, rodToken: .blockDeviceZero,
                                       ranges: [BlockDeviceRangeDescriptor(logicalBlockAddress: 9, numberOfLogicalBlocks: 3)]))
    }
}
