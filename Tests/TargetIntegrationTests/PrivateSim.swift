import Foundation
import ISCSITransport
import SCSITransport
import Testing

/// An offload-sim a test starts for itself (through scripts/sim-target, with the suite's own
/// binary) when it needs faults the shared targets must not see, and stops again.
struct PrivateSim {
    let state: URL
    let urls: [ISCSIURL]

    static func with<T>(luns: [String], profile: String? = nil, faults: [String] = [],
                        _ body: (PrivateSim) async throws -> T) async throws -> T {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("sim-private-\(UUID().uuidString)")
        var arguments = ["start", "--state", state.path, "--port", String(Int.random(in: 15000..<16000))]
        if let profile { arguments += ["--profile", profile] }
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

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The private simulator's management API (docs/management-api.md): faults while it runs.
extension PrivateSim {
    private func request(_ path: String, body: String? = nil) throws -> URLRequest {
        let api = try String(contentsOf: state.appendingPathComponent("management"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let token = try String(contentsOf: state.appendingPathComponent("data/management.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var request = URLRequest(url: try #require(URL(string: api + path)))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
        }
        return request
    }

    /// Injects a fault now, as `--fault SPEC` would at start.
    func inject(_ spec: String) async throws {
        let (_, response) = try await URLSession.shared.data(for: try request("/v1/faults", body: #"{"fault": "\#(spec)"}"#))
        try #require((response as? HTTPURLResponse)?.statusCode == 201, "fault \(spec) refused")
    }

    /// Removes every pending fault, so reading the LUNs back meets none.
    func clearFaults() async throws {
        var r = try request("/v1/faults")
        r.httpMethod = "DELETE"
        let (_, response) = try await URLSession.shared.data(for: r)
        try #require((response as? HTTPURLResponse).map { (200..<300).contains($0.statusCode) } == true, "faults not cleared")
    }

    /// The faults still pending (a one-shot fault leaves the list when it fires).
    func pendingFaults() async throws -> [String] {
        let (body, _) = try await URLSession.shared.data(for: try request("/v1/faults"))
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])["faults"] as? [String] ?? []
    }
}
