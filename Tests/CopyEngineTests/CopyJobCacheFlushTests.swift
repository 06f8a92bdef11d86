import CopyEngine
import OffloadProbe
import SCSITransport
import SCSIWire
import Testing

/// A copy is done only once the destination has flushed it from any write cache: the job ends
/// with SYNCHRONIZE CACHE, and a failed flush is a failed copy.
@Suite struct CopyJobCacheFlushTests {
    /// A host copy of blocks 100..<1100 of 4096 onto LUN 1, whose answers `answer` may replace.
    func hostCopy(answer: @escaping @Sendable (SCSICommand) -> SCSIResponse? = { _ in nil }) async throws
        -> (JobFixture, InMemoryDevice, Result<CopyReport, Error>) {
        let f = try JobFixture()
        try f.fill(0, seed: 7)
        let dst = try await f.endpoint(1, answer: answer)
        var o = CopyOptions()
        o.method = .host
        o.offset = 100 * 512
        o.length = 1000 * 512
        let job = CopyJob(source: try await f.endpoint(0), destination: dst, options: o, engines: CopyEngines.make)
        let result: Result<CopyReport, Error>
        do { result = .success(try await job.run()) } catch { result = .failure(error) }
        return (f, try #require(dst.device as? InMemoryDevice), result)
    }

    static func isSynchronizeCache(_ c: SCSICommand) -> Bool { c.cdb.first == 0x91 || c.cdb.first == 0x35 }

    @Test("a finished copy ends with one SYNCHRONIZE CACHE(16) over the copied range, after the last write")
    func flushesTheRangeLast() async throws {
        let (f, device, result) = try await hostCopy()
        let report = try result.get()
        #expect(report.ok)
        #expect(try Array(f.contents(1)[(100 * 512)..<(1100 * 512)]) == Array(f.contents(0)[(100 * 512)..<(1100 * 512)]))
        let flushes = device.commands.filter(Self.isSynchronizeCache)
        #expect(flushes.map(\.cdb) == [CDB.synchronizeCache16(lba: 100, blocks: 1000)])
        let lastWrite = try #require(device.commands.lastIndex { $0.cdb.first == 0x8A || $0.cdb.first == 0x93 || $0.cdb.first == 0x42 })
        let flush = try #require(device.commands.firstIndex(where: Self.isSynchronizeCache))
        #expect(flush > lastWrite)
        #expect(report.commands["SYNCHRONIZE CACHE(16)"] == 1)
        #expect(report.warnings.isEmpty)
    }

    @Test("no SYNCHRONIZE CACHE(16): the 10-byte form over the whole medium; neither: done, with a warning")
    func olderFormsAndNone() async throws {
        let (_, device, result) = try await hostCopy { $0.cdb.first == 0x91 ? .invalidOperationCode : nil }
        #expect(try result.get().ok)
        #expect(device.commands.filter(Self.isSynchronizeCache).map(\.cdb)
                == [CDB.synchronizeCache16(lba: 100, blocks: 1000), CDB.synchronizeCache10(lba: 0, blocks: 0)])

        let (_, _, neither) = try await hostCopy { Self.isSynchronizeCache($0) ? .invalidOperationCode : nil }
        let report = try neither.get()
        #expect(report.ok)
        #expect(report.warnings.contains { $0.contains("SYNCHRONIZE CACHE") }, "warnings: \(report.warnings)")
    }

    @Test("a flush the array fails is a failed copy: a device error, the report not ok")
    func failedFlushFailsTheCopy() async throws {
        let writeError = SenseData(format: .fixed, key: .mediumError, additionalSense: AdditionalSense(code: 0x0C, qualifier: 0x00))
        let (_, _, result) = try await hostCopy { Self.isSynchronizeCache($0) ? .checkCondition(writeError) : nil }
        guard case let .failure(e) = result, let failure = e as? JobError else {
            Issue.record("expected a JobError, got \(result)")
            return
        }
        #expect(failure.error.kind == .transport)
        #expect(failure.error.sense?.key == .mediumError)
        #expect(!failure.report.ok)

        // An ILLEGAL REQUEST other than "unknown command" is the device failing too, not "try another method".
        let (_, _, refused) = try await hostCopy { $0.cdb.first == 0x91 ? .invalidFieldInCDB : nil }
        guard case let .failure(r) = refused, let refusal = r as? JobError else {
            Issue.record("expected a JobError, got \(refused)")
            return
        }
        #expect(refusal.error.kind == .transport)
    }
}
