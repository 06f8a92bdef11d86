import Testing
import SCSIWire

@Suite struct ReceiveCopyStatusLID1Tests {
    typealias S = CopyTestSupport

    /// Derived from targets.md §11.4 (Status(LID1) table), not captured: held data discarded,
    /// completed without errors, 3 segments, 4096 KiB (SCST reports KiB).
    static let vector: [UInt8] = [
        0x00, 0x00, 0x00, 0x08,     // 0-3: available data 8
        0x81,                       // 4: HDD (bit 7), copy manager status 01h
        0x00, 0x03,                 // 5-6: segments processed
        0x01,                       // 7: transfer count units: KiB
        0x00, 0x00, 0x10, 0x00,     // 8-11: transfer count 4096
    ]

    @Test func vectorParsesAndEncodes() throws {
        let s = try ReceiveCopyStatusLID1(parsing: Self.vector)
        #expect(s.heldDataDiscarded)
        #expect(s.copyManagerStatus == .completedWithoutErrors)
        #expect(!s.copyManagerStatus.isInProgress)
        #expect(s.segmentsProcessed == 3)
        #expect(s.transferCountUnits == .kibibytes)
        #expect(s.transferCount == 4096)
        #expect(s.transferredBytes() == 4 << 20)
        #expect(try s.encoded() == Self.vector)
    }

    @Test func ctlStyleMiBAboveFourGiB() throws {
        // CTL switches to MiB when the byte count exceeds UInt32: 5 GiB = 5120 MiB.
        let s = ReceiveCopyStatusLID1(copyManagerStatus: .inProgress, segmentsProcessed: 1,
                                      transferCountUnits: .mebibytes, transferCount: 5120)
        let b = try s.encoded()
        #expect(b == [0, 0, 0, 8, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x14, 0x00])
        #expect(s.transferredBytes() == 5 << 30)
        #expect(try ReceiveCopyStatusLID1(parsing: b) == s)
    }

    @Test func statusNames() {
        #expect(CopyManagerStatus.inProgress.isInProgress)
        #expect(CopyManagerStatus.completedWithErrors.description == "completed with errors")
        #expect(CopyManagerStatus(rawValue: 0x05).description == "copy manager status 0x05")
    }

    @Test func transferCountUnitsConvertAndSaturate() {
        #expect(TransferCountUnits.bytes.bytes(count: 123) == 123)
        #expect(TransferCountUnits.kibibytes.bytes(count: 3) == 3072)
        #expect(TransferCountUnits.gibibytes.bytes(count: 2) == 2 << 30)
        #expect(TransferCountUnits.tebibytes.bytes(count: 1) == 1 << 40)
        #expect(TransferCountUnits.pebibytes.bytes(count: 1) == 1 << 50)
        #expect(TransferCountUnits.exbibytes.bytes(count: 15) == 15 << 60)
        #expect(TransferCountUnits.exbibytes.bytes(count: 16) == UInt64.max)
        #expect(TransferCountUnits.mebibytes.bytes(count: UInt64.max) == UInt64.max)
        #expect(TransferCountUnits.logicalBlocks.bytes(count: 8, logicalBlockLength: 4096) == 32768)
        #expect(TransferCountUnits.logicalBlocks.bytes(count: UInt64.max / 2, logicalBlockLength: 512) == UInt64.max)
        #expect(TransferCountUnits.logicalBlocks.bytes(count: 8) == nil)
        #expect(TransferCountUnits(rawValue: 0x07).bytes(count: 1) == nil)
        #expect(TransferCountUnits.logicalBlocks.rawValue == 0xF1)
        #expect(TransferCountUnits.logicalBlocks.description == "logical blocks")
    }

    @Test func roundTrips() throws {
        let s = ReceiveCopyStatusLID1(heldDataDiscarded: false, copyManagerStatus: .completedWithErrors,
                                      segmentsProcessed: .max, transferCountUnits: .logicalBlocks, transferCount: .max)
        #expect(try ReceiveCopyStatusLID1(parsing: s.encoded()) == s)
        #expect(try ReceiveCopyStatusLID1(parsing: Self.vector).encoded() == Self.vector)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.vector) { try ReceiveCopyStatusLID1(parsing: $0) }
    }

    @Test func valueOverflowThrows() {
        let s = ReceiveCopyStatusLID1(copyManagerStatus: CopyManagerStatus(rawValue: 0x80), segmentsProcessed: 0,
                                      transferCountUnits: .bytes, transferCount: 0)
        S.expectOutOfRange { try s.encoded() }
    }
}
