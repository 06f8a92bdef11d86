import Foundation
import SCSIWire

/// The array: LUs by LUN, lookup by designator, management (create, add, remove, resize,
/// options) and, with a state directory, persistence — each file-backed LU's identity, options
/// and geometry in `array.json` beside its sparse file, so a restart brings back the same LUs
/// with the same data. Also keeps the per-nexus unit attentions that management changes raise.
///
/// Thread-safe: sessions, the copy manager and the management API use it concurrently.
public final class SimulatedArray: LogicalUnitDirectory, @unchecked Sendable {
    public static let stateFileName = "array.json"
    public static let supportedBlockSizes: Set<Int> = [512, 1024, 2048, 4096]
    public static let maximumLUN: UInt64 = 0x3FFF

    /// Where `array.json` and the LU images live; nil = everything in memory, nothing persisted.
    public let stateDirectory: URL?
    /// IEEE company ID for identities this array generates.
    public let companyID: UInt32

    private struct Entry {
        var unit: LogicalUnit
        /// File name in the state directory; nil for LUs not persisted (memory or foreign stores).
        var backingFile: String?
    }

    private struct State {
        var units: [UInt64: Entry] = [:]
        var attentions = UnitAttentionLedger()
        var reportsPowerOnReset = false
    }

    private let state = Locked(State())

    /// Opens (or creates) the array. With a state directory, every LU recorded in `array.json`
    /// is reopened from its image file.
    public init(stateDirectory: URL? = nil, companyID: UInt32 = LogicalUnitIdentity.defaultCompanyID) throws {
        self.stateDirectory = stateDirectory
        self.companyID = companyID & 0xFF_FFFF
        guard let dir = stateDirectory else { return }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw SimulatedArrayError.stateFile("cannot create \(dir.path): \(error)")
        }
        let file = dir.appendingPathComponent(Self.stateFileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let saved: ArrayStateFile
        do {
            saved = try JSONDecoder().decode(ArrayStateFile.self, from: Data(contentsOf: file))
        } catch {
            throw SimulatedArrayError.stateFile("cannot read \(file.path): \(error)")
        }
        guard saved.format <= ArrayStateFile.currentFormat else {
            throw SimulatedArrayError.stateFile("\(file.path) has format \(saved.format), newer than this program (\(ArrayStateFile.currentFormat))")
        }
        var units: [UInt64: Entry] = [:]
        for record in saved.logicalUnits {
            let path = dir.appendingPathComponent(record.backingFile).path
            guard FileManager.default.fileExists(atPath: path) else { throw SimulatedArrayError.backingFileMissing(path) }
            let store: FileBlockStore
            do {
                store = try FileBlockStore(path: path, blockSize: record.blockSize, blockCount: record.blockCount)
            } catch {
                throw SimulatedArrayError.stateFile("cannot open \(path): \(error)")
            }
            units[record.lun] = Entry(unit: LogicalUnit(identity: record.identity, store: store, options: record.options),
                                      backingFile: record.backingFile)
        }
        state.withLock { $0.units = units }
    }

    // MARK: - Inventory

    /// LUNs in ascending order.
    public var luns: [UInt64] { state.withLock { $0.units.keys.sorted() } }

    public func logicalUnit(lun: UInt64) -> LogicalUnit? { state.withLock { $0.units[lun]?.unit } }

    public func lun(of unit: LogicalUnit) -> UInt64? {
        state.withLock { s in s.units.first { $0.value.unit === unit }?.key }
    }

    public func logicalUnits(matching designator: Designator) -> [LogicalUnit] {
        state.withLock { s in
            s.units.sorted { $0.key < $1.key }.map(\.value.unit).filter { $0.identity.matches(designator) }
        }
    }

    public func isReachable(_ unit: LogicalUnit, from initiator: InitiatorContext) -> Bool {
        guard let lun = lun(of: unit) else { return false }
        return initiator.canReach(lun: lun)
    }

    /// The LUNs `initiator` can address, ascending.
    public func reachableLUNs(for initiator: InitiatorContext) -> [UInt64] {
        luns.filter { initiator.canReach(lun: $0) }
    }

    /// Whether this LU's data and identity survive a restart.
    public func isPersistent(lun: UInt64) -> Bool { state.withLock { $0.units[lun]?.backingFile != nil } }

    // MARK: - Management

    /// Creates a LU: a sparse file in the state directory (persisted), or memory without one.
    /// The identity is generated under the array's company ID unless given; the image is named
    /// after the NAA, so re-creating a LU removed with `deleteData: false` under its old identity
    /// finds its data again. Later option changes persist through `updateOptions(lun:_:)`.
    @discardableResult
    public func createLogicalUnit(lun: UInt64, blockSize: Int = 512, blockCount: UInt64,
                                  options: LogicalUnitOptions = LogicalUnitOptions(),
                                  identity: LogicalUnitIdentity? = nil) throws -> LogicalUnit {
        try Self.validate(lun: lun, blockSize: blockSize, blockCount: blockCount)
        let identity = identity ?? LogicalUnitIdentity.generate(companyID: companyID)
        guard let dir = stateDirectory else {
            let unit = LogicalUnit(identity: identity, store: MemoryBlockStore(blockSize: blockSize, blockCount: blockCount),
                                   options: options)
            try insert(unit, lun: lun, backingFile: nil)
            return unit
        }
        let fileName = "naa-\(hexString(identity.naa)).img"
        let path = dir.appendingPathComponent(fileName).path
        // Refuse before touching any file, so a duplicate cannot truncate another LU's image.
        try state.withLock { s in
            guard s.units[lun] == nil else { throw SimulatedArrayError.lunInUse(lun) }
            if let clash = Self.identityClash(identity, in: s.units.values.map(\.unit)) { throw clash }
        }
        let existed = FileManager.default.fileExists(atPath: path)
        let store: FileBlockStore
        do {
            store = try FileBlockStore(path: path, blockSize: blockSize, blockCount: blockCount)
        } catch {
            throw SimulatedArrayError.stateFile("cannot create \(path): \(error)")
        }
        let unit = LogicalUnit(identity: identity, store: store, options: options)
        do {
            try insert(unit, lun: lun, backingFile: fileName)
        } catch {
            if !existed { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        return unit
    }

    /// Maps an existing LU (any store) at `lun`. Not persisted: after a restart it is gone.
    public func add(_ unit: LogicalUnit, lun: UInt64) throws {
        try Self.validate(lun: lun, blockSize: unit.blockSize, blockCount: unit.blockCount)
        try insert(unit, lun: lun, backingFile: nil)
    }

    /// Unmaps a LU; with `deleteData` its image file goes too. The copy handler, if any, should
    /// be told by the caller (`SCSIDispatcher.removeLogicalUnit` does both).
    @discardableResult
    public func removeLogicalUnit(lun: UInt64, deleteData: Bool = true) throws -> LogicalUnit {
        let (entry, path): (Entry, String?) = try state.withLock { s in
            guard let entry = s.units.removeValue(forKey: lun) else { throw SimulatedArrayError.noSuchLUN(lun) }
            s.attentions.removeLUN(lun)
            for nexus in s.attentions.nexuses {
                for other in s.units.keys { s.attentions.establish(.reportedLUNsDataHasChanged, nexus: nexus, lun: other) }
            }
            try save(s)
            return (entry, entry.backingFile.flatMap { f in stateDirectory.map { $0.appendingPathComponent(f).path } })
        }
        if deleteData, let path { try? FileManager.default.removeItem(atPath: path) }
        return entry.unit
    }

    /// Changes a LU's capacity; initiators that know it get CAPACITY DATA HAS CHANGED.
    public func resizeLogicalUnit(lun: UInt64, blockCount: UInt64) throws {
        guard blockCount > 0 else { throw SimulatedArrayError.emptyLogicalUnit }
        try state.withLock { s in
            guard let entry = s.units[lun] else { throw SimulatedArrayError.noSuchLUN(lun) }
            do {
                try entry.unit.store.resize(blockCount: blockCount)
            } catch {
                throw SimulatedArrayError.stateFile("cannot resize LUN \(lun): \(error)")
            }
            for nexus in s.attentions.nexuses { s.attentions.establish(.capacityDataHasChanged, nexus: nexus, lun: lun) }
            try save(s)
        }
    }

    /// Changes a LU's options and persists them.
    public func updateOptions(lun: UInt64, _ body: (inout LogicalUnitOptions) -> Void) throws {
        try state.withLock { s in
            guard let entry = s.units[lun] else { throw SimulatedArrayError.noSuchLUN(lun) }
            entry.unit.updateOptions(body)
            try save(s)
        }
    }

    // MARK: - Unit attentions

    /// Whether a nexus' first command is preceded by POWER ON, RESET, OR BUS DEVICE RESET
    /// OCCURRED on every LU it can reach (real targets do; off by default for predictable tests).
    public var reportsPowerOnReset: Bool {
        get { state.withLock { $0.reportsPowerOnReset } }
        set { state.withLock { $0.reportsPowerOnReset = newValue } }
    }

    /// Notes a nexus; the first time, queues the power-on condition if enabled.
    public func register(_ initiator: InitiatorContext) {
        state.withLock { s in
            guard s.attentions.register(initiator.nexus), s.reportsPowerOnReset else { return }
            for lun in s.units.keys where initiator.canReach(lun: lun) {
                s.attentions.establish(.powerOnResetOrBusDeviceReset, nexus: initiator.nexus, lun: lun)
            }
        }
    }

    /// The front end reports the nexus gone (logout, connection loss): its conditions go.
    public func forget(nexus: String) { state.withLock { $0.attentions.forget(nexus) } }

    /// Queues a unit attention for every known nexus on `lun` (nil = every LU).
    public func establishUnitAttention(_ sense: AdditionalSense, lun: UInt64? = nil) {
        state.withLock { s in
            let targets = lun.map { [$0] } ?? Array(s.units.keys)
            for nexus in s.attentions.nexuses {
                for l in targets where s.units[l] != nil { s.attentions.establish(sense, nexus: nexus, lun: l) }
            }
        }
    }

    /// Removes and returns the oldest pending unit attention for this nexus and LU.
    public func takeUnitAttention(nexus: String, lun: UInt64) -> AdditionalSense? {
        state.withLock { $0.attentions.take(nexus: nexus, lun: lun) }
    }

    func clearUnitAttention(_ sense: AdditionalSense, nexus: String) {
        state.withLock { $0.attentions.clear(sense, nexus: nexus) }
    }

    // MARK: - Internals

    private func insert(_ unit: LogicalUnit, lun: UInt64, backingFile: String?) throws {
        try state.withLock { s in
            guard s.units[lun] == nil else { throw SimulatedArrayError.lunInUse(lun) }
            if let clash = Self.identityClash(unit.identity, in: s.units.values.map(\.unit)) { throw clash }
            for nexus in s.attentions.nexuses {
                for other in s.units.keys { s.attentions.establish(.reportedLUNsDataHasChanged, nexus: nexus, lun: other) }
            }
            s.units[lun] = Entry(unit: unit, backingFile: backingFile)
            do {
                try save(s)
            } catch {
                s.units[lun] = nil
                throw error
            }
        }
    }

    private static func validate(lun: UInt64, blockSize: Int, blockCount: UInt64) throws {
        guard lun <= maximumLUN else { throw SimulatedArrayError.lunOutOfRange(lun) }
        guard supportedBlockSizes.contains(blockSize) else { throw SimulatedArrayError.unsupportedBlockSize(blockSize) }
        guard blockCount > 0 else { throw SimulatedArrayError.emptyLogicalUnit }
    }

    private static func identityClash(_ identity: LogicalUnitIdentity, in units: [LogicalUnit]) -> SimulatedArrayError? {
        for other in units.map(\.identity) {
            if other.naa == identity.naa { return .duplicateIdentity("NAA \(hexString(identity.naa))") }
            if other.eui64 == identity.eui64 { return .duplicateIdentity("EUI-64 \(hexString(identity.eui64))") }
            if other.unitSerial == identity.unitSerial { return .duplicateIdentity("serial \(identity.unitSerial)") }
        }
        return nil
    }

    /// Writes `array.json` (atomically) with every file-backed LU. Called with the lock held.
    private func save(_ s: State) throws {
        guard let dir = stateDirectory else { return }
        var file = ArrayStateFile()
        for (lun, entry) in s.units.sorted(by: { $0.key < $1.key }) {
            guard let backing = entry.backingFile else { continue }
            file.logicalUnits.append(ArrayStateFile.Unit(lun: lun, blockSize: entry.unit.blockSize,
                                                         blockCount: entry.unit.blockCount, backingFile: backing,
                                                         identity: entry.unit.identity, options: entry.unit.options))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(file).write(to: dir.appendingPathComponent(Self.stateFileName), options: .atomic)
        } catch {
            throw SimulatedArrayError.stateFile("cannot write \(dir.appendingPathComponent(Self.stateFileName).path): \(error)")
        }
    }
}
