/// The data behind one simulated LUN. The dispatcher and copy manager only ever see this, so a
/// test can run on memory and offload-sim on sparse files.
public protocol BlockStore: AnyObject, Sendable {
    var blockSize: Int { get }
    var blockCount: UInt64 { get }
    /// Reads `count` blocks from `lba`; the caller has checked the range.
    func read(lba: UInt64, count: Int) throws -> [UInt8]
    /// Writes whole blocks at `lba`; `data.count` is a multiple of `blockSize`.
    func write(lba: UInt64, data: [UInt8]) throws
    /// Deallocates blocks; they read back as zeros afterwards (LBPRZ=1).
    func unmap(lba: UInt64, count: UInt64) throws
    /// Whether a block is mapped (backs GET LBA STATUS and thin-aware copies).
    func isMapped(lba: UInt64) throws -> Bool
    func flush() throws
}
