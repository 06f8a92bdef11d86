import ArgumentParser
import Foundation
import ISCSITransport
import OffloadProbe
import SCSITransport
import SCSIWire
import SGIOTransport

/// Exit codes, documented in README.md. sysexits(3) values, so scripts can tell classes apart.
enum Exit: Int32 {
    case ok = 0
    case usage = 64        // bad arguments, URL, credentials
    case dataError = 65    // a --decode file that is not what it claims
    case noInput = 66      // a file that cannot be read
    case unreachable = 69  // target, session or LUN not reachable; timeouts
    case software = 70     // a bug: should never happen
    case deviceError = 76  // the device answered a required command with an error
}

@main
struct OffloadProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offload-probe",
        abstract: "Report what a SCSI LUN, or a pair of LUNs, can offload (EXTENDED COPY, ODX).",
        discussion: """
        DEVICE is a libiscsi URL, iscsi://[user[%password]@]host[:port]/target-iqn/lun, or a device \
        path (/dev/sgN, /dev/sdX, /dev/disk/by-id/..., /dev/mapper/... multipath maps).

        With one DEVICE: identity, capacity, provisioning, limits, the third-party copy page, \
        RECEIVE COPY OPERATING PARAMETERS and an XCOPY and an ODX verdict. With two: the method \
        a copy from the first to the second would use, and why. --decode FILE decodes saved \
        bytes offline (hex as sg3_utils prints it, or binary).

        Exit codes: 0 done, 64 bad arguments, 65 undecodable input, 66 unreadable file, \
        69 target or LUN unreachable, 76 device answered with an error.
        """)

    @Argument(help: "One or two LUNs (source, then destination): iSCSI URLs or device paths.")
    var devices: [String] = []

    @Option(name: .long, help: "Decode a saved page, RCOP answer or sense data instead of probing.")
    var decode: String?

    @Option(name: .long, help: "With --decode: 0xNN (VPD page), rcop, sense, inquiry or readcap. Default: VPD pages by page code.")
    var page: String?

    @Flag(name: .long, help: "Print JSON (keys documented in README.md).")
    var json = false

    @Option(name: .long, help: "CHAP credentials file (user=..., secret=...) for URLs without them.")
    var chapFile: String?

    @Option(name: .long, help: "Seconds to wait for connect+login, and for each command.")
    var timeout: Int = 15

    func run() async throws {
        do {
            try await execute()
        } catch let e as ExitCode {
            throw e
        } catch {
            let (code, message) = classify(error)
            FileHandle.standardError.write(Data("offload-probe: \(message)\n".utf8))
            throw ExitCode(code.rawValue)
        }
    }

    func execute() async throws {
        if let decode {
            guard devices.isEmpty else { throw UsageError("--decode takes no DEVICE arguments") }
            try runDecode(path: decode)
            return
        }
        guard page == nil else { throw UsageError("--page goes with --decode") }
        guard (1...2).contains(devices.count) else { throw UsageError("give one DEVICE to probe it, or two (source, destination) for a pair verdict") }
        guard (1...3600).contains(timeout) else { throw UsageError("--timeout must be 1-3600 seconds") }
        // A device path goes through SG_IO (nil here); a URL through libiscsi.
        let urls = try devices.map { text -> ISCSIURL? in
            if DeviceOpener.isDevicePath(text) { try DeviceOpener.validate(text); return nil }
            return try ISCSIURL(parsing: text)
        }
        var options = ISCSIOptions(connectTimeout: .seconds(timeout))
        if let chapFile {
            guard let text = try? String(contentsOfFile: chapFile, encoding: .utf8) else {
                throw FileError(path: chapFile)
            }
            options.credentials = try ChapCredentials.parseFile(text)
        } else {
            options.credentials = try ChapCredentials.fromEnvironment(ProcessInfo.processInfo.environment)
        }
        let prober = Prober(knowledge: try HardwareKnowledge.loadDefault(), timeout: .seconds(timeout))

        // LUNs behind one I_T nexus share one session, as the copy engines will.
        var sessions: [String: ISCSISession] = [:]
        defer { let all = Array(sessions.values); Task { for s in all { await s.close() } } }
        var reports: [DeviceReport] = []
        for (text, url) in zip(devices, urls) {
            guard let url else {
                reports.append(try await prober.probe(try await DeviceOpener.open(text)))
                continue
            }
            let session: ISCSISession
            if let s = sessions[url.nexus] { session = s } else {
                session = try await ISCSISession.connect(url, options: options)
                sessions[url.nexus] = session
            }
            reports.append(try await prober.probe(session.device(lun: url.lun)))
        }
        for s in sessions.values { await s.close() }
        sessions.removeAll()

        if reports.count == 1 {
            print(json ? ReportJSON.device(reports[0]).rendered(pretty: true) : ReportText.device(reports[0]))
        } else {
            let verdict = PairPlanner.decide(source: reports[0], destination: reports[1])
            if json {
                print(ReportJSON.pair(verdict, source: reports[0], destination: reports[1]).rendered(pretty: true))
            } else {
                print(ReportText.device(reports[0]) + "\n\n" + ReportText.device(reports[1]) + "\n\n" + ReportText.pair(verdict))
            }
        }
    }

    func runDecode(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path: path) }
        var kind = OfflineDecoder.Kind.vpd(nil)
        if let page {
            guard let k = OfflineDecoder.Kind(option: page) else {
                throw UsageError("--page '\(page)': expected 0xNN, rcop, sense, inquiry or readcap")
            }
            kind = k
        }
        let bytes: [UInt8]
        do { bytes = try HexCapture.decode([UInt8](data)) } catch { throw DecodeError(message: "\(path): \(error)") }
        do {
            let decoded = try OfflineDecoder.decode(bytes, as: kind)
            print(json ? decoded.json.rendered(pretty: true) : decoded.text)
        } catch {
            throw DecodeError(message: "\(path): \(error)")
        }
    }

    func classify(_ error: Error) -> (Exit, String) {
        switch error {
        case let e as UsageError: return (.usage, e.message)
        case let e as FileError: return (.noInput, "cannot read '\(e.path)'")
        case let e as DecodeError: return (.dataError, e.message)
        case let e as TransportError: return (e.isUsageError ? .usage : .unreachable, e.description)
        case let e as ProbeError:
            switch e {
            case .deviceError, .malformedAnswer: return (.deviceError, e.description)
            case .notABlockDevice, .noLogicalUnit: return (.unreachable, e.description)
            }
        case let e as KnowledgeError: return (.software, e.description)
        default: return (.software, "\(error)")
        }
    }
}

struct UsageError: Error { let message: String; init(_ m: String) { message = m } }
struct FileError: Error { let path: String }
struct DecodeError: Error { let message: String }
