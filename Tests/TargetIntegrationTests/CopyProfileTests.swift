import Foundation
import Testing

/// offload-copy on every offload-sim personality (Hardware/profiles), over iSCSI: auto picks
/// the method the array's pages allow, each forced method copies byte-exact or is refused with
/// 68, and the report tells point-in-time tokens from access-upon-reference ones.
@Suite("offload-copy on each offload-sim profile", .serialized)
struct CopyProfileTests {
    /// A profile, the method auto must pick, and the methods that must be refused when forced.
    struct Case: Sendable, CustomTestStringConvertible {
        let profile: String
        let auto: String
        let refused: Set<String>
        /// ROD token semantics the report must name when ODX copied.
        let tokens: String?
        var testDescription: String { profile }
    }

    static let cases = [
        Case(profile: "ctl", auto: "odx", refused: [], tokens: "access upon reference"),
        Case(profile: "lio", auto: "xcopy", refused: ["odx"], tokens: nil),
        Case(profile: "qnap", auto: "odx", refused: [], tokens: "point in time"),
        Case(profile: "scst", auto: "xcopy", refused: ["odx"], tokens: nil),
        Case(profile: "advertise-more", auto: "xcopy", refused: ["odx"], tokens: nil),
        Case(profile: "plain", auto: "host", refused: ["xcopy", "odx"], tokens: nil),
    ]

    @Test("auto and every forced method", arguments: cases)
    func profile(_ c: Case) async throws {
        for method in ["auto", "xcopy", "odx", "host"] {
            let o = try await SimCopyOutcome.run(["--method", method, "--strict"], profile: c.profile)
            if c.refused.contains(method) {
                #expect(o.status == 68, "\(c.profile) \(method): exited \(o.status), not 68: \(o.stderr)")
                #expect(o.sourceAfter == o.sourceBefore)
                continue
            }
            o.expectCopied()
            let expected = method == "auto" ? c.auto : method
            #expect(o.methods == [expected], "\(c.profile) \(method): ranges by \(o.methods)")
            let tokens = o.report?["rodTokens"] as? String
            if expected == "odx" {
                #expect(tokens == c.tokens, "\(c.profile): rodTokens \(tokens ?? "null")")
                #expect(o.warnings.contains { $0.contains("not point-in-time") } == (c.tokens != "point in time"))
            } else {
                #expect(tokens == nil)
            }
        }
    }

    @Test("an array that copies in the background: --odx-immediate polls RECEIVE ROD TOKEN INFORMATION, byte-exact")
    func immediateODX() async throws {
        // The ctl personality with IMMED honoured (no shipped profile does: CTL ignores it).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let ctl = try String(contentsOf: root.appendingPathComponent("Hardware/profiles/ctl.json"), encoding: .utf8)
        try #require(ctl.contains(#""immediate": false"#))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-immediate-\(UUID().uuidString).json")
        try ctl.replacingOccurrences(of: #""immediate": false"#, with: #""immediate": true"#).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let o = try await SimCopyOutcome.run(["--method", "odx", "--strict", "--odx-immediate"], profile: file.path)
        o.expectCopied()
        // Each POPULATE TOKEN and WRITE USING TOKEN returned at once and was polled to its end.
        let polls = o.commands("RECEIVE ROD TOKEN INFORMATION")
        #expect(polls >= o.commands("POPULATE TOKEN") + o.commands("WRITE USING TOKEN"), "commands: \(o.report?["commands"] ?? "none")")
    }
}
