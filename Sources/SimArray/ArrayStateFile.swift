/// The JSON kept in the state directory (`array.json`): one record per file-backed LU, enough
/// to reopen its sparse file and answer exactly as before the restart.
struct ArrayStateFile: Codable, Equatable {
    static let currentFormat = 1

    struct Unit: Codable, Equatable {
        var lun: UInt64
        var blockSize: Int
        var blockCount: UInt64
        /// File name inside the state directory.
        var backingFile: String
        var identity: LogicalUnitIdentity
        var options: LogicalUnitOptions
    }

    var format: Int = ArrayStateFile.currentFormat
    var logicalUnits: [Unit] = []
}
