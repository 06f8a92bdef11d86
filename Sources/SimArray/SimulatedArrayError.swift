/// Why the array refused a management request or could not load its state.
public enum SimulatedArrayError: Error, Equatable, Sendable, CustomStringConvertible {
    case lunInUse(UInt64)
    case noSuchLUN(UInt64)
    /// LUNs run 0...16383 (peripheral and flat addressing).
    case lunOutOfRange(UInt64)
    case unsupportedBlockSize(Int)
    case emptyLogicalUnit
    /// Another LU already has this NAA, EUI-64 or serial.
    case duplicateIdentity(String)
    case backingFileMissing(String)
    case stateFile(String)

    public var description: String {
        switch self {
        case let .lunInUse(lun): return "LUN \(lun) is already in use"
        case let .noSuchLUN(lun): return "there is no LUN \(lun)"
        case let .lunOutOfRange(lun): return "LUN \(lun) is outside 0...16383"
        case let .unsupportedBlockSize(size): return "block size \(size) is not one of 512, 1024, 2048, 4096"
        case .emptyLogicalUnit: return "a logical unit needs at least one block"
        case let .duplicateIdentity(what): return "another logical unit already has \(what)"
        case let .backingFileMissing(path): return "backing file \(path) is missing"
        case let .stateFile(detail): return "state file: \(detail)"
        }
    }
}
