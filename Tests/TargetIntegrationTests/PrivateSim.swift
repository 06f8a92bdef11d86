import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// An offload-sim a test starts for itself (through scripts/sim-target, with the suite's own
/// binary) when it needs faults the shared targets must not see, and stops again.
struct PrivateSim {
    let state: URL
    let urls: [ISCSIURL]

    static func with<T>(luns: [String], faults: [String] = [], _ body: (PrivateSim) async throws -> T) async throws -> T {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("sim-private-\(UUID().uuidString)")
        var arguments = ["start", "--state", state.path, "--port", String(Int.random(in: 15000..<16000))]
        for lun in luns { arguments += ["--lun", lun] }
        for fault in faults { arguments += ["--fault", fault] }
        // The suite's own offload-sim: left to itself the script would build one, waiting on
        // the build folder this very test run holds.
        let out = try runScript("sim-target", arguments, environment: ["OFFLOAD_SIM_BIN": try toolPath("offload-sim")])
        defer {
            _ = try? runScript("sim-target", ["stop", "--state", state.path])
            try? FileManager.default.removeItem(at: state)
        }
        let urls = try out.split(separator: "\n").map { try ISCSIURL(parsing: String($0)) }
        try #require(urls.count == luns.count, "sim-target printed \(out)")
        return try await body(PrivateSim(state: state, urls: urls))
    }
}
