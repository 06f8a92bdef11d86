import CopyEngine
import Foundation
@testable import OffloadProbe
import SCSITransport
import SCSIWire
import SimArray
import Testing

/// How the EXTENDED COPY engine reads a failure: a scripted source device (with the report a
/// real profile's LU gave the prober) answers each command as the test says.
@Suite struct XCopyEngineFailureTests {
    /// Answers by operation code and service action; records what was sent.
    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [String: [SCSIResponse]] = [:]
        private(set) var sent: [SCSICommand] = []

        static func key(_ op: UInt8, _ sa: UInt8) -> String { "\(op)/\(sa)" }

        /// Answers for the next commands of this kind, in order; the last one repeats.
        func on(_ op: UInt8, _ sa: UInt8, _ responses: SCSIResponse...) { lock.withLock { answers[Self.key(op, sa)] = responses } }

        func respond(_ c: SCSICommand) -> SCSIResponse {
            lock.withLock {
                sent.append(c)
                let k = Self.key(c.cdb[0], c.cdb.count > 1 ? c.cdb[1] & 0x1F : 0)
                guard var list = answers[k], !list.isEmpty else { return .invalidOperationCode }
                let r = list.count > 1 ? list.removeFirst() : list[0]
                answers[k] = list
                return r
            }
        }

        var commands: [SCSICommand] { lock.withLock { sent } }
    }

    /// A source endpoint with `profile`'s probed report whose device follows `script`.
    static func endpoints(_ profile: String, script: Script) async throws -> (CopyEndpoint, CopyEndpoint) {
        let t = try SimulatedTarget(profile: profile)
        let s = try await t.endpoint(0), d = try await t.endpoint(1)
        let device = InMemoryDevice(address: s.device.address) { script.respond($0) }
        return (CopyEndpoint(device: device, report: s.report), d)
    }

    static func copyAborted(csi: UInt64?, information: UInt64?, format: SenseData.Format = .descriptor) -> SCSIResponse {
        .checkCondition(SenseData(format: format, key: .copyAborted, additionalSense: .thirdPartyDeviceFailure,
                                  information: information, commandSpecificInformation: csi))
    }

    static func run(_ source: CopyEndpoint, _ destination: CopyEndpoint, concurrency: Int = 2) async -> CopyError? {
        // Segments of 100 blocks, 4 per command: one command for 400 blocks.
        let engine = XCopyEngine(source: source, destination: destination,
                                 plan: SimPlans.plan(blocksPerSegment: 100, segmentsPerCommand: 4, concurrency: concurrency),
                                 limits: source.report.xcopyLimits, statistics: CopyStatistics(),
                                 options: XCopyEngine.Options(statusPollInterval: nil, busyRetries: 2))
        do {
            _ = try await engine.copy(CopyExtent(sourceLBA: 0, destinationLBA: 0, blocks: 400)) { _ in }
            return nil
        } catch let e as CopyError {
            return e
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func failureDetailsSupplyTheSegmentAndResidualTheSenseLacked() async throws {
        let script = Script()
        script.on(0x83, 0x00, Self.copyAborted(csi: nil, information: nil))
        let details = ReceiveCopyFailureDetails(copyCommandStatus: 0x02, senseData: SenseData(
            format: .fixed, key: .copyAborted, additionalSense: .thirdPartyDeviceFailure, information: 10,
            commandSpecificInformation: 1).encoded())
        script.on(0x84, 0x04, .good(try details.encoded()))
        let (s, d) = try await Self.endpoints("ctl", script: script)
        let error = await Self.run(s, d)
        // Segment 0 done, segment 1 failed with 10 of its 100 blocks left.
        #expect(error?.completedBlocks == 190)
        let list = script.commands.first?.extendedCopyList
        #expect(list?.listIDUsage == .discard)
        let fd = script.commands.first { $0.cdb[0] == 0x84 && $0.cdb[1] == 0x04 }
        #expect(fd?.cdb[2] == list?.listIdentifier)
    }

    @Test func copyStatusSuppliesTheSegmentsProcessed() async throws {
        let script = Script()
        script.on(0x83, 0x00, Self.copyAborted(csi: nil, information: nil))
        script.on(0x84, 0x04, .good(try ReceiveCopyFailureDetails(copyCommandStatus: nil).encoded()))
        let status = ReceiveCopyStatusLID1(copyManagerStatus: .completedWithErrors, segmentsProcessed: 2,
                                           transferCountUnits: .bytes, transferCount: 200 * 512)
        script.on(0x84, 0x00, .good(try status.encoded()))
        let (s, d) = try await Self.endpoints("ctl", script: script)
        let error = await Self.run(s, d)
        #expect(error?.completedBlocks == 200)
    }

    @Test func implausibleSegmentNumbersAndResidualsCountForNothing() async throws {
        let script = Script()
        script.on(0x83, 0x00, Self.copyAborted(csi: 7, information: nil))
        let (s, d) = try await Self.endpoints("ctl", script: script)
        #expect(await Self.run(s, d)?.completedBlocks == 0)

        let script2 = Script()
        script2.on(0x83, 0x00, Self.copyAborted(csi: 2, information: 150))
        let (s2, d2) = try await Self.endpoints("ctl", script: script2)
        #expect(await Self.run(s2, d2)?.completedBlocks == 200)
    }

    @Test func residualIsNotTrustedWithoutCopyResultsCommands() async throws {
        // Without VPD 0x8F nothing lists RECEIVE COPY STATUS or FAILURE DETAILS: the failing
        // segment's residual is not counted, the segments before it are.
        let script = Script()
        script.on(0x83, 0x00, Self.copyAborted(csi: 2, information: 10, format: .fixed))
        let (s, d) = try await Self.endpoints("advertise-more", script: script)
        let error = await Self.run(s, d, concurrency: 1)
        #expect(error?.completedBlocks == 200)
        #expect(script.commands.filter { $0.cdb[0] == 0x84 }.isEmpty)
    }

    @Test func operationInProgressIsRetriedUnderAnotherListIdentifier() async throws {
        let script = Script()
        script.on(0x83, 0x00, .checkCondition(SenseData(format: .fixed, key: .illegalRequest, additionalSense: .operationInProgress)),
                  .good())
        let (s, d) = try await Self.endpoints("ctl", script: script)
        #expect(await Self.run(s, d) == nil)
        let ids = script.commands.compactMap(\.extendedCopyList).map(\.listIdentifier)
        #expect(ids.count == 2 && ids[0] != ids[1])
    }

    @Test func busyIsRetried() async throws {
        let script = Script()
        script.on(0x83, 0x00, SCSIResponse(status: .busy), .good())
        let (s, d) = try await Self.endpoints("ctl", script: script)
        #expect(await Self.run(s, d) == nil)
        #expect(script.commands.compactMap(\.extendedCopyList).count == 2)
    }

    @Test func tooManySegmentsWithOneSegmentIsPermanent() async throws {
        let script = Script()
        script.on(0x83, 0x00, .checkCondition(SenseData(format: .fixed, key: .illegalRequest, additionalSense: .tooManySegmentDescriptors)))
        let (s, d) = try await Self.endpoints("ctl", script: script)
        let error = await Self.run(s, d)
        #expect(error?.kind == .permanent)
        // 4 segments, then 2, then 1 refused.
        #expect(script.commands.compactMap(\.extendedCopyList).map(\.segmentDescriptors.count).prefix(3) == [4, 2, 2])
    }

    @Test func transportFailureIsTransportWithNothingDone() async throws {
        let t = try SimulatedTarget(profile: "ctl")
        let s = try await t.endpoint(0), d = try await t.endpoint(1)
        let dead = InMemoryDevice(address: s.device.address) { _ in throw TransportError.connectionLost("sim", reason: "test") }
        let error = await Self.run(CopyEndpoint(device: dead, report: s.report), d)
        #expect(error?.kind == .transport)
        #expect(error?.completedBlocks == 0)
    }
}
