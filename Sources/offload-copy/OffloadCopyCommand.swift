import ArgumentParser
import CopyEngine
import Foundation
import ISCSITransport
import OffloadProbe
import SCSITransport
import SGIOTransport

/// Exit codes, documented in README.md: each refusal and failure class has its own.
enum Exit: Int32 {
    case ok = 0
    case usage = 64
    case sameLogicalUnit = 65
    case destinationTooSmall = 66
    case blockSizeMismatch = 67
    case methodNotPossible = 68
    case unreachable = 69
    case software = 70
    case dataMismatch = 73
    case outOfSpace = 74
    case transient = 75
    case deviceError = 76
    case interrupted = 130
}

@main
struct OffloadCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offload-copy",
        abstract: "Copy one LUN onto another through the array when it can, through the host when it must.",
        discussion: """
        SRC and DST are libiscsi URLs, iscsi://[user[%password]@]host[:port]/target-iqn/lun, or \
        device paths (/dev/sgN, /dev/sdX, /dev/disk/by-id/..., /dev/mapper/... multipath maps).

        Offloaded ranges are always verified by reading back samples from both LUNs; --verify \
        compares everything. Without --strict a range the array cannot offload is copied \
        through the host from where offload stopped; with --strict the copy stops instead.

        Exit codes: 0 done, 64 bad arguments, 65 destination is the source, 66 destination too \
        small, 67 block sizes the method cannot bridge, 68 method not possible for this pair, 69 unreachable, \
        73 verification failed, 74 out of space, 75 transient failure persisted, 76 device \
        error, 130 interrupted.
        """)

    @Argument(help: "Source LUN: iSCSI URL or device path.") var source: String
    @Argument(help: "Destination LUN: iSCSI URL or device path.") var destination: String
    @Option(help: "auto, odx, xcopy or host.") var method: String = "auto"
    @Flag(help: "Never fall back to the host; stop with the classified error.") var strict = false
    @Flag(help: "Compare every block after copying.") var verify = false
    @Option(help: "Byte offset to start at (a multiple of the block size, the larger one if they differ).") var offset: UInt64 = 0
    @Option(help: "Bytes to copy (default: to the end of the source).") var length: UInt64?
    @Option(name: .customLong("queue-depth"), help: "Host copy commands in flight.") var queueDepth: Int = CopyOptions().queueDepth
    @Option(name: .customLong("chunk-size"), help: "Bytes per host READ/WRITE, 4096-8388608, rounded down to whole blocks (default: from the block limits, else 1 MiB).") var chunkSize: Int?
    @Flag(help: "Print a JSON report (keys in README.md).") var json = false
    @Flag(help: "No progress bar.") var quiet = false
    @Option(name: .customLong("chap-file"), help: "CHAP credentials file (user=, secret=).") var chapFile: String?
    @Option(help: "Seconds for connect+login, each probe command, and each host READ/WRITE or verification read (offload commands get deadlines that grow with what they move).")
    var timeout: Int = 60
    @Option(help: "iSCSI sessions per LUN for the host path, 1-8 (its chunks round-robin over them; device paths use one).")
    var sessions: Int = 1
    @Flag(name: .customLong("odx-immediate"), help: "Send ODX commands with IMMED and poll RECEIVE ROD TOKEN INFORMATION (arrays that copy in the background).")
    var odxImmediate = false

    func run() async throws {
        // Ctrl-C is watched from the start: while connecting or probing it ends the run at the
        // next step (exit 130), during the copy it stops the engines and the report says what
        // was copied.
        let work = Task { try await copy() }
        let interrupt = SignalWatcher(SIGINT) { work.cancel() }
        defer { interrupt.stop() }
        do {
            try await work.value
        } catch let e as ExitCode {
            throw e
        } catch {
            let (code, message) = Self.classify(error)
            FileHandle.standardError.write(Data("offload-copy: \(message)\n".utf8))
            throw ExitCode(code.rawValue)
        }
    }

    func copy() async throws {
        guard let choice = CopyOptions.MethodChoice(rawValue: method) else { throw UsageError("--method must be auto, odx, xcopy or host") }
        guard (1...256).contains(queueDepth) else { throw UsageError("--queue-depth must be 1-256") }
        guard (1...8).contains(sessions) else { throw UsageError("--sessions must be 1-8") }
        if let chunkSize, !(4096...(8 << 20)).contains(chunkSize) { throw UsageError("--chunk-size must be 4096-8388608 bytes") }
        guard (1...86400).contains(timeout) else { throw UsageError("--timeout must be 1-86400 seconds") }
        // A device path goes through SG_IO (nil here); a URL through libiscsi.
        let urls = try [source, destination].map { text -> ISCSIURL? in
            if DeviceOpener.isDevicePath(text) { try DeviceOpener.validate(text); return nil }
            return try ISCSIURL(parsing: text)
        }
        var iscsi = ISCSIOptions(connectTimeout: .seconds(timeout))
        if let chapFile {
            guard let text = try? String(contentsOfFile: chapFile, encoding: .utf8) else { throw UsageError("cannot read --chap-file \(chapFile)") }
            iscsi.credentials = try ChapCredentials.parseFile(text)
        } else {
            iscsi.credentials = try ChapCredentials.fromEnvironment(ProcessInfo.processInfo.environment)
        }
        var options = CopyOptions()
        options.method = choice
        options.strict = strict
        options.verify = verify ? .full : .sampled
        options.offset = offset
        options.length = length
        options.queueDepth = queueDepth
        options.chunkBytes = chunkSize
        options.commandTimeout = .seconds(timeout)
        options.odxImmediate = odxImmediate

        // One session per LUN, even on one target: the host path's reads and writes then
        // travel on their own connections (as qemu-img's do); sharing one made deep queues
        // stall on offload-sim. EXTENDED COPY still reaches both LUNs: each session logs in to
        // the same target, and the copy manager sees every LUN of it.
        var opened: [String: ISCSISession] = [:]
        var extraSessions: [ISCSISession] = []
        var endpoints: [CopyEndpoint] = []
        let prober = Prober(knowledge: try HardwareKnowledge.loadDefault(), timeout: .seconds(timeout))
        do {
            for (text, url) in zip([source, destination], urls) {
                let device: any SCSIDevice
                var more: [any SCSIDevice] = []
                if let url {
                    let session: ISCSISession
                    if let s = opened[url.description] { session = s } else {
                        session = try await ISCSISession.connect(url, options: iscsi)
                        opened[url.description] = session
                    }
                    device = session.device(lun: url.lun)
                    // --sessions: more connections to the same LU for the host path.
                    for _ in 1..<sessions {
                        let extra = try await ISCSISession.connect(url, options: iscsi)
                        extraSessions.append(extra)
                        more.append(extra.device(lun: url.lun))
                    }
                } else {
                    device = try await DeviceOpener.open(text)
                }
                endpoints.append(CopyEndpoint(device: device, report: try await prober.probe(device), moreSessions: more))
                try Task.checkCancellation()
            }
        } catch {
            // Log out of whatever was reached before the error.
            for s in Array(opened.values) + extraSessions { await s.close() }
            throw error
        }
        let all = Array(opened.values) + extraSessions

        let job = CopyJob(source: endpoints[0], destination: endpoints[1], options: options, engines: CopyEngines.make)
        let bar = (!quiet && !json && isatty(2) != 0) ? ProgressBar() : nil
        let result: Result<CopyReport, Error>
        do { result = .success(try await job.run { p in bar?.update(p) }) } catch { result = .failure(error) }
        bar?.finish()
        for s in all { await s.close() }
        switch result {
        case let .success(report):
            print(json ? ReportFormat.json(report) : ReportFormat.text(report))
        case let .failure(error as JobError):
            if json { print(ReportFormat.json(error.report, error: error.error)) } else if !error.report.ranges.isEmpty {
                FileHandle.standardError.write(Data("offload-copy: copied before stopping: \(ReportFormat.summary(error.report))\n".utf8))
            }
            throw error
        case let .failure(error):
            throw error
        }
    }

    static func classify(_ error: Error) -> (Exit, String) {
        switch error {
        case let e as UsageError: return (.usage, e.message)
        case let e as TransportError: return (e.isUsageError ? .usage : .unreachable, e.description)
        case let e as ProbeError: return (.deviceError, e.description)
        case let e as JobError: return classify(e.error)
        case let e as CopyError:
            switch e.kind {
            case .invalid:
                switch e.refusal {
                case .sameLogicalUnit: return (.sameLogicalUnit, e.description)
                case .destinationTooSmall: return (.destinationTooSmall, e.description)
                case .blockSizeMismatch: return (.blockSizeMismatch, e.description)
                default: return (.usage, e.description)
                }
            case .permanent: return (.methodNotPossible, e.description)
            case .data: return (.dataMismatch, e.description)
            case .space: return (.outOfSpace, e.description)
            case .transient: return (.transient, e.description)
            case .cancelled: return (.interrupted, "interrupted: " + e.description)
            case .transport: return (.deviceError, e.description)
            }
        case is CancellationError: return (.interrupted, "interrupted")
        default: return (.software, "\(error)")
        }
    }
}

struct UsageError: Error { let message: String; init(_ m: String) { message = m } }
