import Foundation
import Testing

/// libiscsi's own conformance suite (iscsi-test-cu, Debian libiscsi-bin) against offload-sim:
/// someone else's idea of what a target must do, so a mistake shared by our initiator and our
/// target cannot hide. A failed test in a suite fails here; nothing is skipped on our side.
@Suite("offload-sim conformance (iscsi-test-cu)", .serialized)
struct SimConformanceTests {
    static let coreSuites = [
        "SCSI.Inquiry", "SCSI.ReadCapacity10", "SCSI.ReadCapacity16", "SCSI.TestUnitReady",
        "SCSI.Read10", "SCSI.Read16", "SCSI.Write10", "SCSI.Write16",
        "SCSI.Unmap", "SCSI.WriteSame16", "SCSI.GetLBAStatus",
        "iSCSI.iSCSIcmdsn", "iSCSI.iSCSIdatasn", "iSCSI.iSCSITMF", "iSCSI.iSCSIResiduals",
        "SCSI.ExtendedCopy", "SCSI.ReceiveCopyResults",
        "SCSI.ReportSupportedOpcodes", "SCSI.ModeSense6", "SCSI.Mandatory", "SCSI.WriteSame10",
        "SCSI.Verify10", "SCSI.Prefetch10", "SCSI.CompareAndWrite", "SCSI.NoMedia", "SCSI.StartStopUnit",
    ]

    /// "tests  N  N  passed  failed  inactive" from CUnit's run summary.
    struct Summary: Equatable { var ran: Int; var passed: Int; var failed: Int }

    static func summary(of output: String) -> Summary? {
        for line in output.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            if f.first == "tests", f.count >= 5, let ran = Int(f[2]), let failed = Int(f[4]) {
                return Summary(ran: ran, passed: Int(f[3]) ?? 0, failed: failed)
            }
        }
        return nil
    }

    static func run(suite: String, url: String) throws -> (Int32, String) {
        let tool = ["/usr/bin/iscsi-test-cu", "/usr/local/bin/iscsi-test-cu"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else {
            throw RealTarget.Missing(description: "iscsi-test-cu (Debian libiscsi-bin) is not installed: run scripts/setup")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        p.arguments = ["300", tool, "--dataloss", "-t", suite, url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("core suites pass", arguments: coreSuites)
    func suite(_ name: String) throws {
        let url = try RealTarget.sim.urls()[0].description
        let (status, output) = try Self.run(suite: name, url: url)
        #expect(status != 124, "\(name) hung for 300 s")
        let summary = try #require(Self.summary(of: output), "no CUnit summary from \(name):\n\(output.suffix(2000))")
        #expect(summary.ran > 0, "\(name) ran no test")
        #expect(summary.failed == 0, "\(name): \(summary.failed) failed\n\(output.split(separator: "\n").filter { $0.contains("FAILED") || $0.contains("CU_") }.prefix(20).joined(separator: "\n"))")
    }

    @Test func summaryParser() {
        let text = "Run Summary:    Type  Total    Ran Passed Failed Inactive\n              suites      1      1    n/a      0        0\n               tests     10     10      8      2        0\n"
        #expect(Self.summary(of: text) == Summary(ran: 10, passed: 8, failed: 2))
    }
}
