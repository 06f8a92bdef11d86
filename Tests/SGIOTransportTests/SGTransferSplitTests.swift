import SCSITransport
@testable import SGIOTransport
import Testing

@Suite struct SGTransferSplitTests {
    func read16(lba: UInt64, blocks: UInt32, blockSize: Int) -> SCSICommand {
        var c = [UInt8](repeating: 0, count: 16)
        c[0] = 0x88
        c[1] = 0x08  // FUA, kept in every piece
        for i in 0..<8 { c[2 + i] = UInt8(truncatingIfNeeded: lba >> (56 - 8 * UInt64(i))) }
        for i in 0..<4 { c[10 + i] = UInt8(truncatingIfNeeded: blocks >> (24 - 8 * UInt32(i))) }
        return SCSICommand(cdb: c, data: .fromDevice(allocationLength: Int(blocks) * blockSize), timeout: .seconds(9))
    }

    func fields16(_ c: SCSICommand) -> (UInt64, UInt32) {
        (c.cdb[2...9].reduce(0) { $0 << 8 | UInt64($1) }, c.cdb[10...13].reduce(0) { $0 << 8 | UInt32($1) })
    }

    @Test("a 1 MiB READ(16) against a 256 KiB limit: four pieces, consecutive LBAs, same flags and timeout")
    func read16Pieces() throws {
        let pieces = try #require(SGTransferSplit.pieces(read16(lba: 0x1_0000_0000, blocks: 2048, blockSize: 512), maxBytes: 256 << 10))
        #expect(pieces.count == 4)
        for (i, p) in pieces.enumerated() {
            let (lba, n) = fields16(p)
            #expect(lba == 0x1_0000_0000 + UInt64(i * 512))
            #expect(n == 512)
            #expect(p.cdb[1] == 0x08)
            #expect(p.data == .fromDevice(allocationLength: 512 * 512))
            #expect(p.timeout == .seconds(9))
        }
    }

    @Test("the last piece takes the rest; a limit below one block still moves one block per piece")
    func uneven() throws {
        let pieces = try #require(SGTransferSplit.pieces(read16(lba: 10, blocks: 5, blockSize: 4096), maxBytes: 8192))
        #expect(pieces.map { fields16($0).1 } == [2, 2, 1])
        #expect(pieces.map { fields16($0).0 } == [10, 12, 14])
        let tiny = try #require(SGTransferSplit.pieces(read16(lba: 0, blocks: 3, blockSize: 4096), maxBytes: 1000))
        #expect(tiny.count == 3)
    }

    @Test("WRITE(10): data cut with the blocks")
    func write10() throws {
        let data = (0..<(8 * 512)).map { UInt8(truncatingIfNeeded: $0 / 512) }
        let c = SCSICommand(cdb: [0x2A, 0, 0, 0, 0x01, 0x00, 0, 0, 8, 0], data: .toDevice(data))
        let pieces = try #require(SGTransferSplit.pieces(c, maxBytes: 3 * 512))
        #expect(pieces.count == 3)
        #expect(pieces.map { Int($0.cdb[5]) } == [0, 3, 6])
        #expect(pieces.map { Int($0.cdb[8]) } == [3, 3, 2])
        guard case let .toDevice(last) = pieces[2].data else { Issue.record("data-out expected"); return }
        #expect(last.count == 2 * 512)
        #expect(last.first == 6)
        #expect(last.last == 7)
    }

    @Test("left alone: small enough, other opcodes, mismatched direction, zero blocks, odd sizes")
    func notCut() {
        #expect(SGTransferSplit.pieces(read16(lba: 0, blocks: 8, blockSize: 512), maxBytes: 4096) == nil)
        #expect(SGTransferSplit.pieces(SCSICommand(cdb: [0x12, 0, 0, 0, 255, 0], data: .fromDevice(allocationLength: 255)), maxBytes: 16) == nil)
        #expect(SGTransferSplit.pieces(SCSICommand(cdb: [0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0], data: .toDevice([UInt8](repeating: 0, count: 4096))), maxBytes: 512) == nil)
        #expect(SGTransferSplit.pieces(read16(lba: 0, blocks: 0, blockSize: 512), maxBytes: 0) == nil)
        #expect(SGTransferSplit.pieces(SCSICommand(cdb: [0x28, 0, 0, 0, 0, 0, 0, 0, 3, 0], data: .fromDevice(allocationLength: 1000)), maxBytes: 100) == nil)
        // WRITE SAME and friends carry one block for many: never cut.
        #expect(SGTransferSplit.pieces(SCSICommand(cdb: [0x93] + [UInt8](repeating: 0, count: 15), data: .toDevice([UInt8](repeating: 0, count: 512))), maxBytes: 1) == nil)
    }
}
