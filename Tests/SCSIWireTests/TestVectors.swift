import Foundation
import Testing

/// Helpers for the vector-driven tests of the non-copy SCSIWire formats (sense, INQUIRY, VPD,
/// READ CAPACITY, REPORT LUNS) and for the sg3_utils oracle. Namespaced so nothing here can
/// collide with helpers of other test files in this target (see `CopyTestSupport`).
///
/// Vectors live in `Hardware/captures/`: `sg3_utils-inhex/*.hex` are byte-identical copies of
/// sg3_utils' synthetic decoder vectors; the `*-sg_inq.txt` / `*-sg_vpd-*.txt` captures of real
/// arrays hold decoded text only (no hex), so tests that use them build a byte image from the
/// decoded values and say so.
enum TestVectors {
    /// The package root: this file is `<root>/Tests/SCSIWireTests/TestVectors.swift`.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SCSIWireTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // root

    static var capturesDirectory: URL { repoRoot.appendingPathComponent("Hardware/captures", isDirectory: true) }
    static var inhexDirectory: URL { capturesDirectory.appendingPathComponent("sg3_utils-inhex", isDirectory: true) }

    enum VectorError: Error, CustomStringConvertible {
        case badHexToken(file: String, line: Int, token: String)
        case missingSection(file: String, title: String)
        var description: String {
            switch self {
            case let .badHexToken(file, line, token): return "\(file):\(line): '\(token)' is not a 1-2 digit hex byte"
            case let .missingSection(file, title): return "\(file): no section '\(title)'"
            }
        }
    }

    /// Text of a file under `Hardware/captures/` (e.g. "IBM-SVC-2145-sg_inq.txt" or
    /// "sg3_utils-inhex/vpd_tpc.hex").
    static func captureText(_ relativePath: String) throws -> String {
        try String(contentsOf: capturesDirectory.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// Bytes of an sg3_utils `--inhex` vector in `Hardware/captures/sg3_utils-inhex/`.
    static func inhex(_ name: String) throws -> [UInt8] {
        try parseInhex(captureText("sg3_utils-inhex/" + name), source: name)
    }

    /// sg3_utils `--inhex` text: `#` starts a comment to end of line; bytes are 1 or 2 hex digits
    /// separated by whitespace or commas. Anything else is an error (never silently skipped).
    static func parseInhex(_ text: String, source: String = "inhex") throws -> [UInt8] {
        var out: [UInt8] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }) {
                guard (1...2).contains(token.count), let b = UInt8(token, radix: 16) else {
                    throw VectorError.badHexToken(file: source, line: number + 1, token: String(token))
                }
                out.append(b)
            }
        }
        return out
    }

    /// Unadorned hex, 16 bytes a line: what `sg_vpd --inhex` reads back.
    static func inhexText(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            bytes[start..<min(start + 16, bytes.count)].map { String(format: "%02x", $0) }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    /// Bytes from literal hex in test code ("00 8f 01 78 ...").
    static func hex(_ text: String) -> [UInt8] {
        do { return try parseInhex(text, source: "literal") } catch {
            Issue.record("bad hex literal: \(error)")
            return []
        }
    }

    /// Sections of an offset hex dump such as FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt:
    /// a line `=== TITLE ===` starts a section, lines ` 0000  00 8f 01 78 ...` hold its bytes
    /// (the 4-digit offset is checked against the bytes collected so far).
    static func offsetDumpSections(_ text: String, source: String) throws -> [(title: String, bytes: [UInt8])] {
        var sections: [(title: String, bytes: [UInt8])] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("=== "), line.hasSuffix(" ===") {
                sections.append((String(line.dropFirst(4).dropLast(4)), []))
                continue
            }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard !sections.isEmpty, line.hasPrefix(" "), let first = parts.first, first.count == 4,
                  let offset = Int(first, radix: 16), parts.count > 1,
                  parts.dropFirst().allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }) else { continue }
            guard offset == sections[sections.count - 1].bytes.count else {
                throw VectorError.badHexToken(file: source, line: number + 1, token: "offset \(first)")
            }
            sections[sections.count - 1].bytes += parts.dropFirst().map { UInt8($0, radix: 16)! }
        }
        return sections
    }

    /// The three derived (NOT captured) FreeBSD CTL VPD 0x8F pages, keyed "main",
    /// "legacy-ffff", "truenas-early".
    static func ctlDerivedTPCPages() throws -> [String: [UInt8]] {
        let name = "FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt"
        var pages: [String: [UInt8]] = [:]
        for section in try offsetDumpSections(captureText(name), source: name) {
            guard let range = section.title.range(of: "variant=") else { continue }
            let variant = section.title[range.upperBound...].prefix { $0 != "," }
            pages[String(variant)] = section.bytes
        }
        for variant in ["main", "legacy-ffff", "truenas-early"] where pages[variant] == nil {
            throw VectorError.missingSection(file: name, title: "variant=\(variant)")
        }
        return pages
    }

    /// VPD pages stored back to back (sg_vpd -a -HHHH output, e.g. vpd_sdeb.hex), split by their
    /// 4-byte headers. A page whose length runs past the data is clipped. All-zero "pages" after
    /// the first are padding (vpd_nvmei.hex ends in 12 zero bytes), not pages, and are dropped.
    static func splitVPDPages(_ bytes: [UInt8]) -> [[UInt8]] {
        var pages: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let end = min(bytes.count, offset + 4 + length)
            let page = Array(bytes[offset..<end])
            if pages.isEmpty || page.contains(where: { $0 != 0 }) { pages.append(page) }
            offset = end
        }
        return pages
    }

    // MARK: - Processes

    struct ProcessResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Full path of `name` on PATH (plus /usr/bin and /usr/sbin), or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin"] {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments` and returns its exit status and output. Output goes to
    /// temporary files, so a chatty child can never block on a full pipe.
    static func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("scsiwire-tests-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return ProcessResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Writes `bytes` as an inhex file in a fresh temporary directory; the caller removes it.
    static func writeTemporaryInhex(_ bytes: [UInt8], name: String = "page.hex") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("scsiwire-inhex-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try inhexText(bytes).write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func removeTemporary(_ url: URL) {
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
    }

    // MARK: - sg3_utils 1.46 (the oracle)

    static let sgVpdRequiredMessage = "sg_vpd 1.46 from sg3-utils is required: run scripts/setup"

    /// Path of an sg3_utils tool from sg3-utils 1.46, checked by its `--version` text. Fails the
    /// calling test (never skips) when the tool is missing or of another release.
    static func requireSg3Tool(_ tool: String, version: String, required: String? = nil,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let message = required ?? "\(tool) from sg3-utils 1.46 is required: run scripts/setup"
        let path = try #require(which(tool), "\(message) (\(tool) is not on PATH)", sourceLocation: sourceLocation)
        let result = try run(path, ["--version"])
        let text = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(text.contains(version),
                     "\(message) (\(tool) --version printed \"\(text)\", expected \"\(version)\")",
                     sourceLocation: sourceLocation)
        return path
    }

    /// sg_vpd 1.46 prints "1.63 20210328" for --version.
    static func requireSgVpd(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try requireSg3Tool("sg_vpd", version: "1.63 20210328", required: sgVpdRequiredMessage, sourceLocation: sourceLocation)
    }

    /// sg_decode_sense 1.21 from sg3-utils 1.46.
    static func requireSgDecodeSense(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try requireSg3Tool("sg_decode_sense", version: "1.21 20190602", sourceLocation: sourceLocation)
    }

    /// sg_inq 2.10 from sg3-utils 1.46.
    static func requireSgInq(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try requireSg3Tool("sg_inq", version: "2.10 20210328", sourceLocation: sourceLocation)
    }
}
