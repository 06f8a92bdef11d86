import SCSITransport
import SCSIWire
import Testing

/// Caller-owned buffers: page-aligned, the zero scan exact at every position, and the default
/// buffered path (transports without one of their own) moving the same bytes as the array path.
@Suite struct SCSIBufferTests {
    @Test func pageAligned() {
        for n in [0, 1, 4096, 1 << 20] {
            #expect(UInt(bitPattern: SCSIBuffer(capacity: n).pointer) % 4096 == 0)
        }
    }

    @Test func zeroScanFindsAnyNonZeroByte() {
        let b = SCSIBuffer(capacity: 4099)
        b.zero(4099)
        #expect(b.isAllZero(0))
        #expect(b.isAllZero(4099))
        for i in [0, 63, 64, 4000, 4098] {
            b.zero(4099)
            b.bytes(4099)[i] = 1
            #expect(!b.isAllZero(4099), "byte \(i)")
            #expect(b.isAllZero(i), "the bytes before \(i) are zeros")
        }
    }

    @Test func defaultPathReadsIntoTheBuffer() async throws {
        let device = InMemoryDevice { _ in .good((0..<100).map { UInt8($0) }) }
        let b = SCSIBuffer(capacity: 64)
        let r = try await device.execute(SCSIBufferedCommand(cdb: CDB.read16(lba: 0, blocks: 1), direction: .fromDevice, buffer: b, length: 64))
        #expect(r.status == .good && r.data.isEmpty)
        #expect(r.bufferedBytes == 64)
        #expect(b.array(64) == (0..<64).map { UInt8($0) })
    }

    @Test func defaultPathSendsTheBuffer() async throws {
        let device = InMemoryDevice { _ in .good() }
        let b = SCSIBuffer(capacity: 32)
        b.fill(with: [UInt8](repeating: 7, count: 32))
        let r = try await device.execute(SCSIBufferedCommand(cdb: CDB.write16(lba: 0, blocks: 1), direction: .toDevice, buffer: b, length: 16))
        #expect(r.bufferedBytes == 16)
        #expect(device.commands.first?.data == .toDevice([UInt8](repeating: 7, count: 16)))
    }

    @Test func defaultPathShortReadCountsWhatCame() async throws {
        let device = InMemoryDevice { _ in .good([1, 2, 3]) }
        let b = SCSIBuffer(capacity: 8)
        let r = try await device.execute(SCSIBufferedCommand(cdb: CDB.read16(lba: 0, blocks: 1), direction: .fromDevice, buffer: b, length: 8))
        #expect(r.bufferedBytes == 3)
    }

    @Test func checkConditionMovesNothing() async throws {
        let device = InMemoryDevice { _ in .invalidFieldInCDB }
        let b = SCSIBuffer(capacity: 8)
        let w = try await device.execute(SCSIBufferedCommand(cdb: CDB.write16(lba: 0, blocks: 1), direction: .toDevice, buffer: b, length: 8))
        #expect(w.status == .checkCondition && w.bufferedBytes == 0 && w.sense?.key == .illegalRequest)
    }
}
