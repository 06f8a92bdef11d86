import SCSITransport
import SCSIWire

/// SYNCHRONIZE CACHE on the destination once a copy is complete. Until then what was copied,
/// by the host or by the array itself, may sit only in a volatile write cache, and a copy
/// reported done must survive the array losing power. Sent without reading the caching mode
/// page first: where nothing is cached it costs one round trip. The 16-byte form
/// covers the range; a device without it gets the 10-byte form over the whole medium. A
/// device that has neither has no cache this could flush.
enum DestinationCacheFlush {
    enum Outcome: Equatable { case flushed, notSupported }

    /// Flushes `blocks` blocks from `lba` of the LU behind `io`, counting the commands sent.
    static func run(lba: UInt64, blocks: UInt64, io: BlockIO) async throws -> Outcome {
        // A count past 32 bits is sent as 0: to the end of the medium, beyond the range.
        let sixteen = CDB.synchronizeCache16(lba: lba, blocks: blocks > UInt64(UInt32.max) ? 0 : UInt32(blocks))
        if try await send("SYNCHRONIZE CACHE(16)", sixteen, io) { return .flushed }
        return try await send("SYNCHRONIZE CACHE(10)", CDB.synchronizeCache10(lba: 0, blocks: 0), io) ? .flushed : .notSupported
    }

    /// True for GOOD, false when the device does not know the command; any other answer fails.
    private static func send(_ name: String, _ cdb: [UInt8], _ io: BlockIO) async throws -> Bool {
        io.statistics.count(name)
        let r = try await io.transport { try await io.device.execute(SCSICommand(cdb: cdb, timeout: io.timeout)) }
        if r.status == .good { return true }
        if let sense = r.sense, sense.key == .illegalRequest, sense.additionalSense == .invalidCommandOperationCode { return false }
        var e = CopyError.classify(r, method: nil, command: "\(name) of the destination")
        // Not known to be durable: out of space and "try again" stay as classified; anything
        // else is the device failing, never "this method is not possible" (which asks for another).
        if e.kind != .space && e.kind != .transient { e.kind = .transport }
        throw e
    }
}
