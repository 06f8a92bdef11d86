import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// One offload-copy run against a private offload-sim and what it left behind: the exit code,
/// the JSON report, the source's checksums before and after, the destination's. Every scenario
/// checks it the same way.
struct SimCopyOutcome {
    let status: Int32
    let report: [String: Any]?
    let stderr: String
    let sourceBefore: [UInt64]
    let sourceAfter: [UInt64]
    let destination: [UInt64]
    /// Faults still pending when the copy ended (a one-shot fault leaves when it fires).
    let pending: [String]

    var methods: [String] { (report?["ranges"] as? [[String: Any]] ?? []).compactMap { $0["method"] as? String } }
    var fallbacks: Int { (report?["fallbacks"] as? [Any])?.count ?? 0 }
    var warnings: [String] { report?["warnings"] as? [String] ?? [] }
    func commands(_ name: String) -> Int { (report?["commands"] as? [String: Any])?[name] as? Int ?? 0 }

    /// Exit 0, `ok`, destination equal to the source, source untouched.
    func expectCopied(_ comment: Comment? = nil) {
        #expect(status == 0, "offload-copy exited \(status): \(stderr)")
        #expect(report?["ok"] as? Bool == true)
        #expect(report?["seconds"] as? Double != nil, "seconds is not a JSON number")
        #expect(destination == sourceBefore, "destination differs in \(zip(destination, sourceBefore).filter { $0 != $1 }.count) MiB pieces")
        #expect(sourceAfter == sourceBefore, "the source changed")
    }

    /// The classified exit code, `ok` false, the source untouched, and every range the
    /// report claims really in the destination.
    func expectStopped(_ code: Int32) {
        #expect(status == code, "offload-copy exited \(status), not \(code): \(stderr)")
        #expect(report?["ok"] as? Bool == false)
        #expect(sourceAfter == sourceBefore, "the source changed")
        for range in report?["ranges"] as? [[String: Any]] ?? [] {
            let offset = range["offset"] as? Int ?? 0, length = range["length"] as? Int ?? 0
            // Whole MiB pieces inside the claimed range must match.
            for piece in ((offset + (1 << 20) - 1) >> 20)..<((offset + length) >> 20) {
                #expect(destination[piece] == sourceBefore[piece], "reported copied, but MiB \(piece) differs")
            }
        }
    }

    /// A source of seeded data, a destination of old data, then the faults (injected once both
    /// are filled, so they meet only offload-copy), one run, and both LUNs read back.
    static func run(_ arguments: [String], profile: String? = nil, faults: [String] = [], size: String = "16M",
                    during: (@Sendable (PrivateSim) async throws -> Void)? = nil) async throws -> SimCopyOutcome {
        try await PrivateSim.with(luns: ["src:" + size, "dst:" + size], profile: profile) { sim in
            let src = sim.urls[0], dst = sim.urls[1]
            try await LUNData.fill(src, seed: 71)
            try await LUNData.fill(dst, seed: 72)
            let before = try await LUNData.digest(src)
            for fault in faults { try await sim.inject(fault) }
            let side = during.map { body in Task { try await body(sim) } }
            let (status, report, stderr) = try runCopyJSON(arguments + [src.description, dst.description])
            side?.cancel()
            try await side?.value
            let pending = try await sim.pendingFaults()
            try await sim.clearFaults()
            return SimCopyOutcome(status: status, report: report, stderr: stderr, sourceBefore: before,
                                  sourceAfter: try await LUNData.digest(src), destination: try await LUNData.digest(dst), pending: pending)
        }
    }
}
