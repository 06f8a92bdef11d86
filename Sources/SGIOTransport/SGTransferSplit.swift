import SCSITransport

/// READ and WRITE commands larger than the kernel passes in one SG_IO call, cut into pieces
/// that fit. The block layer maps a pass-through buffer onto at most max_segments pages and
/// max_hw_sectors_kb: on tcm_loop 256 pages, on common FC HBAs fewer. A device's Block
/// Limits page knows nothing of this, so engines sized by it would get EINVAL for transfers
/// that iSCSI carries fine. Pieces go out in order, each with its own LBA and length; callers
/// see one answer: GOOD with all the data, or the first piece's failure.
enum SGTransferSplit {
    /// The pieces of `command` when it is a READ/WRITE(10/16) moving more than `maxBytes`;
    /// nil when it needs no cutting or is not a command this knows how to cut.
    static func pieces(_ command: SCSICommand, maxBytes: Int) -> [SCSICommand]? {
        let cdb = command.cdb
        guard let op = cdb.first else { return nil }
        let isRead: Bool
        let wide: Bool
        switch op {
        case 0x28: isRead = true; wide = false      // READ(10)
        case 0x2A: isRead = false; wide = false     // WRITE(10)
        case 0x88: isRead = true; wide = true       // READ(16)
        case 0x8A: isRead = false; wide = true      // WRITE(16)
        default: return nil
        }
        guard cdb.count == (wide ? 16 : 10) else { return nil }
        let bytes: Int
        switch (command.data, isRead) {
        case let (.fromDevice(n), true): bytes = n
        case let (.toDevice(d), false): bytes = d.count
        default: return nil
        }
        let lba = wide ? be(cdb[2...9]) : be(cdb[2...5])
        let blocks = Int(wide ? be(cdb[10...13]) : be(cdb[7...8]))
        guard blocks > 0, bytes > maxBytes, bytes % blocks == 0 else { return nil }
        let blockSize = bytes / blocks
        let perPiece = max(1, maxBytes / blockSize)
        guard perPiece < blocks else { return nil }

        var result: [SCSICommand] = []
        var done = 0
        while done < blocks {
            let n = min(perPiece, blocks - done)
            var c = cdb
            if wide {
                put(&c, 2, 8, lba + UInt64(done))
                put(&c, 10, 4, UInt64(n))
            } else {
                put(&c, 2, 4, lba + UInt64(done))
                put(&c, 7, 2, UInt64(n))
            }
            let data: SCSICommand.Data
            if case let .toDevice(d) = command.data {
                data = .toDevice(Array(d[(done * blockSize)..<((done + n) * blockSize)]))
            } else {
                data = .fromDevice(allocationLength: n * blockSize)
            }
            result.append(SCSICommand(cdb: c, data: data, timeout: command.timeout))
            done += n
        }
        return result
    }

    private static func be(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func put(_ cdb: inout [UInt8], _ at: Int, _ count: Int, _ value: UInt64) {
        for i in 0..<count { cdb[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - i))) }
    }
}
