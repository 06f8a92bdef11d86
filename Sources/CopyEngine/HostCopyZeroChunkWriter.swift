import Foundation
import SCSITransport
import SCSIWire

/// What became of a range of zeros on the destination.
public enum HostCopyZeroOutcome: String, Sendable, Equatable {
    /// The caller said the destination was created empty.
    case skippedKnownZeroed
    /// GET LBA STATUS showed it unmapped on an LU with LBPRZ.
    case skippedUnmapped
    /// Reading the destination found zeros there.
    case skippedReadZeros
    /// WRITE SAME(16) with UNMAP and a zero block.
    case writeSameUnmap
    case unmap
    /// WRITE SAME(16) without UNMAP: the array writes the zeros, one block crosses the wire.
    case writeSameZeros
    /// Written as data: nothing cheaper was possible.
    case wroteZeros
}

/// Puts a range of zeros (a run of zero chunks) on the destination at the least cost, so a thin
/// destination stays thin: nothing when it is known to read zeros there already (caller's word,
/// GET LBA STATUS with LBPRZ, or a read of the destination, per the options); otherwise
/// deallocation where the LU makes that read as zeros (WRITE SAME(16) UNMAP, else UNMAP, within
/// the unmap limits); otherwise zeros written by the array (WRITE SAME(16) without UNMAP: tried
/// even where the block limits do not report a WRITE SAME length, as LIO without thin
/// provisioning does not, since a refusal costs one command); otherwise zeros written as data.
///
/// A command refused as unsupported (ILLEGAL REQUEST: invalid operation code, field in CDB or
/// parameter list) is not an error: that way of zeroing is dropped for the rest of the copy and
/// the next one is used (a WRITE SAME longer than one chunk refused with INVALID FIELD IN CDB
/// is first tried again one chunk long: the array may enforce a length it did not report). Nor
/// is GOOD taken on trust: after the array zeroed a range itself (WRITE SAME, UNMAP), the first
/// and last block each command covered are read back; a block that is not zero drops that way
/// of zeroing too (with a warning in the report) and the range is written as data. Every
/// command is counted in the statistics (by name: "GET LBA STATUS", "WRITE SAME(16)", "UNMAP",
/// and READ(16)/WRITE(16) through `BlockIO`); the zero block a WRITE SAME carries counts as
/// host bytes written, a destination read as host bytes read; GET LBA STATUS and UNMAP
/// parameter data are not payload and are not counted.
final class HostCopyZeroChunkWriter: @unchecked Sendable {
    let provisioning: HostCopyDestinationProvisioning
    let options: HostCopyOptions
    let blockSize: Int
    let statistics: CopyStatistics
    let pool: HostCopyBufferPool
    /// Most blocks read or written as data by one command (the engine's chunk).
    let pieceBlocks: Int

    private let lock = NSLock()
    private var deallocation: HostCopyDestinationProvisioning.Deallocation
    private var lbaStatusUsable: Bool
    private var writeSameZerosUsable = true
    /// Longest WRITE SAME: the reported MAXIMUM WRITE SAME LENGTH, lowered to one chunk after
    /// a longer one was refused.
    private var writeSameLimit: UInt64?
    private let map = HostCopyLBAStatusMap()
    /// Zeros to write from, shared by every chunk (only ever read), made on first need.
    private var zeroBuffer: SCSIBuffer?

    init(provisioning: HostCopyDestinationProvisioning, options: HostCopyOptions, blockSize: Int,
         statistics: CopyStatistics, pool: HostCopyBufferPool, pieceBlocks: Int) {
        self.pieceBlocks = Swift.max(1, pieceBlocks)
        self.provisioning = provisioning
        self.options = options
        self.blockSize = blockSize
        self.statistics = statistics
        self.pool = pool
        deallocation = provisioning.deallocation
        writeSameLimit = provisioning.maximumWriteSameBlocks
        lbaStatusUsable = options.checkLBAStatus && provisioning.thin && provisioning.readsZeroWhenUnmapped
    }

    /// The deallocation now in use (after any refusals).
    var currentDeallocation: HostCopyDestinationProvisioning.Deallocation { lock.withLock { deallocation } }

    /// Makes `blocks` blocks from `lba` on `device` read as zeros. The range may be a run of
    /// many chunks. When it is not known to read zeros as a whole, it is looked at piece by
    /// piece (`pieceBlocks`, one chunk): pieces GET LBA STATUS reports unmapped, or that read as
    /// zeros, are skipped and consecutive others go down together. What crosses the wire as
    /// data (a read of the destination, zeros written as data) goes in such pieces, so memory
    /// stays within one chunk.
    func place(lba: UInt64, blocks: UInt64, on device: any SCSIDevice) async throws -> HostCopyZeroOutcome {
        if options.destinationKnownZeroed { return .skippedKnownZeroed }
        let io = BlockIO(device: device, blockSize: blockSize, statistics: statistics, timeout: options.commandTimeout)
        let askStatus = lock.withLock { lbaStatusUsable }
        if askStatus, try await isUnmapped(lba: lba, blocks: blocks, io: io) { return .skippedUnmapped }
        let read = shouldRead()
        guard (askStatus && blocks > UInt64(pieceBlocks)) || read else { return try await putDown(lba: lba, blocks: blocks, io: io) }
        var outcome = read ? HostCopyZeroOutcome.skippedReadZeros : .skippedUnmapped
        var dirty: (lba: UInt64, blocks: UInt64)?
        for piece in HostCopyWriteSame.pieces(lba: lba, blocks: blocks, maximumBlocks: UInt64(pieceBlocks)) {
            var zeros = false
            if askStatus, lock.withLock({ lbaStatusUsable }) {
                zeros = try await isUnmapped(lba: piece.lba, blocks: UInt64(piece.blocks), io: io)  // mostly answered from the map
            }
            if !zeros, read {
                let length = Int(piece.blocks) * blockSize
                let buffer = pool.take(capacity: length)
                zeros = try await pool.using(buffer) {
                    try await io.read(lba: piece.lba, blocks: Int(piece.blocks), into: buffer)
                    return buffer.isAllZero(length)
                }
            }
            if !zeros {
                dirty = (dirty?.lba ?? piece.lba, (dirty?.blocks ?? 0) + UInt64(piece.blocks))
            } else if let d = dirty {
                outcome = try await putDown(lba: d.lba, blocks: d.blocks, io: io)
                dirty = nil
            }
        }
        if let d = dirty { outcome = try await putDown(lba: d.lba, blocks: d.blocks, io: io) }
        return outcome
    }

    /// Zeros the range the cheapest way still trusted: deallocation, the array writing them,
    /// or data.
    private func putDown(lba: UInt64, blocks: UInt64, io: BlockIO) async throws -> HostCopyZeroOutcome {
        while true {
            let way = currentDeallocation
            switch way {
            case .writeSameUnmap:
                if let commands = try await writeSame(lba: lba, blocks: blocks, unmap: true, io: io) {
                    if try await readsZero(commands, io: io, after: "WRITE SAME(16) with UNMAP") { return .writeSameUnmap }
                }
            case .unmap:
                if let commands = try await unmap(lba: lba, blocks: blocks, io: io) {
                    if try await readsZero(commands, io: io, after: "UNMAP") { return .unmap }
                }
            case .none:
                if lock.withLock({ writeSameZerosUsable }) {
                    if let commands = try await writeSame(lba: lba, blocks: blocks, unmap: false, io: io),
                       try await readsZero(commands, io: io, after: "WRITE SAME(16)") {
                        return .writeSameZeros
                    }
                    lock.withLock { writeSameZerosUsable = false }
                }
                for piece in HostCopyWriteSame.pieces(lba: lba, blocks: blocks, maximumBlocks: UInt64(pieceBlocks)) {
                    try await io.write(lba: piece.lba, blocks: Int(piece.blocks), from: zeros(Int(piece.blocks) * blockSize))
                }
                return .wroteZeros
            }
            lock.withLock { if deallocation == way { deallocation = provisioning.deallocation(after: way) } }
        }
    }

    /// Evidence for ranges the array zeroed itself: the first and last block of what each
    /// command covered read back as zeros, two reads at a time. False (with a warning) when one
    /// does not: the caller then stops trusting that way.
    private func readsZero(_ commands: [(lba: UInt64, blocks: UInt64)], io: BlockIO, after command: String) async throws -> Bool {
        let blocks = Set(commands.flatMap { [$0.lba, $0.lba + $0.blocks - 1] }).sorted()
        let allZero = try await withThrowingTaskGroup(of: Bool.self) { group in
            var pending = blocks[...]
            var inFlight = 0, allZero = true
            while true {
                while inFlight < 2, let lba = pending.popFirst() {
                    group.addTask { try await io.read(lba: lba, blocks: 1, method: .host).allSatisfy { $0 == 0 } }
                    inFlight += 1
                }
                guard let zero = try await group.next() else { return allZero }
                inFlight -= 1
                allZero = allZero && zero
            }
        }
        if allZero { return true }
        statistics.warn("the destination answered GOOD to \(command) but did not read zeros afterwards; zeros were written as data instead")
        return false
    }

    /// A buffer of at least `count` zero bytes.
    private func zeros(_ count: Int) -> SCSIBuffer {
        lock.withLock {
            if let z = zeroBuffer, z.capacity >= count { return z }
            let z = SCSIBuffer(capacity: count)
            z.zero(count)
            zeroBuffer = z
            return z
        }
    }

    private func shouldRead() -> Bool {
        switch options.destinationReadCheck {
        case .never: return false
        case .always: return true
        case .whenThinWithoutDeallocation: return provisioning.thin && currentDeallocation == .none
        }
    }

    /// ILLEGAL REQUEST for the command itself: the array does not do this (or not this way).
    private static func isUnsupported(_ r: SCSIResponse) -> Bool {
        guard r.status == .checkCondition, let s = r.sense, s.key == .illegalRequest else { return false }
        return [0x20, 0x24, 0x26].contains(s.additionalSense.code)
    }

    private func run(_ io: BlockIO, _ name: String, _ command: SCSICommand) async throws -> SCSIResponse {
        statistics.count(name)
        return try await io.transport { try await io.device.execute(command) }
    }

    /// Whether GET LBA STATUS shows the whole range deallocated or anchored. Refused as
    /// unsupported: never asked again. Any other answer but GOOD: "not known", for this chunk.
    private func isUnmapped(lba: UInt64, blocks: UInt64, io: BlockIO) async throws -> Bool {
        switch try await HostCopyLBAStatus.query(lba: lba, blocks: blocks, device: io.device, map: map,
                                                 timeout: options.commandTimeout, statistics: statistics) {
        case .unmapped: return true
        case .notKnown: return false
        case .refused:
            lock.withLock { lbaStatusUsable = false }
            return false
        }
    }

    /// WRITE SAME(16) of a zero block over the range (with UNMAP or not), in pieces within
    /// MAXIMUM WRITE SAME LENGTH: the range each command covered, or nil when the array refuses
    /// it as unsupported. INVALID FIELD IN CDB for a piece longer than one chunk (an array may
    /// enforce a length it does not report) lowers the length to one chunk for the rest of the
    /// copy and tries again; only a refusal at that length gives WRITE SAME up. Each command's
    /// deadline grows with the bytes the array writes.
    private func writeSame(lba: UInt64, blocks: UInt64, unmap: Bool, io: BlockIO) async throws -> [(lba: UInt64, blocks: UInt64)]? {
        let zero = [UInt8](repeating: 0, count: blockSize)
        var done: [(lba: UInt64, blocks: UInt64)] = []
        var position = lba
        let end = lba + blocks
        pieces: while position < end {
            let limit = lock.withLock { writeSameLimit }
            for piece in HostCopyWriteSame.pieces(lba: position, blocks: end - position, maximumBlocks: limit) {
                let bytes = UInt64(piece.blocks) * UInt64(blockSize)
                let timeout = Swift.max(options.commandTimeout, scaledTimeout(bytes: bytes, fixed: nil))
                let r = try await run(io, "WRITE SAME(16)", SCSICommand(
                    cdb: HostCopyWriteSame.cdb(lba: piece.lba, blocks: piece.blocks, unmap: unmap), data: .toDevice(zero), timeout: timeout))
                if Self.isUnsupported(r) {
                    // INVALID FIELD IN CDB may be the length; an unknown command is not.
                    guard piece.blocks > pieceBlocks, r.sense?.additionalSense.code == 0x24 else { return nil }
                    lock.withLock { writeSameLimit = Swift.min(writeSameLimit ?? .max, UInt64(pieceBlocks)) }
                    continue pieces
                }
                guard r.status == .good else { throw CopyError.classify(r, method: .host, command: "WRITE SAME(16) at \(piece.lba)") }
                statistics.addWritten(zero.count)
                done.append((piece.lba, UInt64(piece.blocks)))
                position = piece.lba + UInt64(piece.blocks)
            }
        }
        return done
    }

    /// UNMAP over the range within the unmap limits: the (contiguous) range each command
    /// covered, or nil when refused as unsupported.
    private func unmap(lba: UInt64, blocks: UInt64, io: BlockIO) async throws -> [(lba: UInt64, blocks: UInt64)]? {
        let commands = HostCopyUnmap.commands(lba: lba, blocks: blocks, maximumBlocks: provisioning.maximumUnmapBlocks,
                                              maximumDescriptors: provisioning.maximumUnmapDescriptors)
        for ranges in commands {
            let list = HostCopyUnmap.parameterList(ranges)
            let r = try await run(io, "UNMAP", SCSICommand(
                cdb: HostCopyUnmap.cdb(parameterListLength: UInt16(list.count)), data: .toDevice(list), timeout: options.commandTimeout))
            if Self.isUnsupported(r) { return nil }
            guard r.status == .good else { throw CopyError.classify(r, method: .host, command: "UNMAP at \(ranges[0].lba)") }
        }
        return commands.map { ranges in (ranges[0].lba, ranges.reduce(0) { $0 + UInt64($1.blocks) }) }
    }
}
