import Foundation
import ISCSITransport
import OffloadProbe
import SCSITransport
import Testing

/// The real targets scripts/test started, as it announced them in the environment. A missing
/// target is a failure that says why, never a silent skip.
enum RealTarget: String {
    case tgt = "TGT"
    case lio = "LIO"
    case sim = "SIM"
    case simLIO = "SIMLIO"

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The target's LUN URLs in the order the script created them.
    func urls(sourceLocation: SourceLocation = #_sourceLocation) throws -> [ISCSIURL] {
        let env = ProcessInfo.processInfo.environment
        guard let list = env["OFFLOAD_TEST_\(rawValue)_URLS"], !list.isEmpty else {
            let why = env["OFFLOAD_TEST_\(rawValue)_ERROR"] ?? "OFFLOAD_TEST_\(rawValue)_URLS is not set: run the suite through scripts/test, which starts the \(self) target"
            throw Missing(description: why)
        }
        return try list.split(separator: " ").map { try ISCSIURL(parsing: String($0)) }
    }

    /// Probes the LUNs at the given indexes over one session per nexus, as offload-probe does.
    func probe(_ indexes: [Int]) async throws -> [DeviceReport] {
        let all = try urls()
        let prober = Prober(knowledge: try HardwareKnowledge.loadDefault(), timeout: .seconds(30))
        let session = try await ISCSISession.connect(all[indexes[0]])
        defer { Task { await session.close() } }
        var reports: [DeviceReport] = []
        for i in indexes { reports.append(try await prober.probe(session.device(lun: all[i].lun))) }
        await session.close()
        return reports
    }
}

/// Runs one of the project's binaries the suite built (OFFLOAD_PROBE_BIN / OFFLOAD_COPY_BIN /
/// OFFLOAD_SIM_BIN, else next to the test binary) and returns (exit status, stdout, stderr).
func runTool(_ name: String, _ arguments: [String]) throws -> (Int32, String, String) {
    try runProcess(URL(fileURLWithPath: try toolPath(name)), arguments)
}

/// Runs a program to its end and returns (exit status, stdout, stderr).
func runProcess(_ executable: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    p.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Where the suite's build of one of the project's binaries is.
func toolPath(_ name: String) throws -> String {
    let env = ProcessInfo.processInfo.environment
    let key = "OFFLOAD_" + name.replacingOccurrences(of: "offload-", with: "").uppercased() + "_BIN"
    let bin = env[key] ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    guard FileManager.default.isExecutableFile(atPath: bin) else {
        throw RealTarget.Missing(description: "\(name) binary not found at \(bin): build it (scripts/test does)")
    }
    return bin
}

func runProbe(_ arguments: [String]) throws -> (Int32, String, String) { try runTool("offload-probe", arguments) }

func runCopy(_ arguments: [String]) throws -> (Int32, String, String) { try runTool("offload-copy", arguments) }

/// Runs one of the project's scripts (scripts/NAME) and returns its stdout; throws with its
/// stderr when it fails, so a target that cannot start fails the test saying why.
@discardableResult
func runScript(_ name: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let (status, out, err) = try runProcess(root.appendingPathComponent("scripts/\(name)"), arguments, environment: extra)
    guard status == 0 else {
        throw RealTarget.Missing(description: "scripts/\(name) \(arguments.first ?? "") failed (\(status)): \(err)")
    }
    return out
}
