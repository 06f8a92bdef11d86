import ArgumentParser
import Foundation
import ISCSIWire
import SimArray
import SimTarget

/// offload-sim: the simulated offload-capable array on loopback.
@main
struct OffloadSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offload-sim",
        abstract: "A simulated SAN array: an iSCSI target with XCOPY and ODX, for tests and demos.",
        discussion: """
        Prints the libiscsi URL of every LUN, one a line, once it listens, then one line \
        'management http://HOST:PORT' (unless --management none); stops on SIGINT/SIGTERM. \
        LUN data and identities persist in --state-dir across restarts.

        The management API (HTTP, JSON, bearer token; docs/management-api.md) creates, lists, \
        resizes and deletes LUNs and injects faults while the target runs. Its token is read from \
        --management-token-file, or generated and written to STATE_DIR/management.token (0600).

        Exit codes: 0 stopped cleanly, 64 bad arguments, 69 cannot listen, 70 state dir unusable.
        """)

    @Option(help: "Address to listen on, HOST:PORT (port 0 = any free port).")
    var listen: String = "127.0.0.1:3260"

    @Option(name: .customLong("state-dir"), help: "Directory for LUN data and identities.")
    var stateDir: String

    @Option(name: .customLong("lun"), help: "NAME:SIZE[:BLOCKSIZE], SIZE with K/M/G/T; LUNs numbered from 0 in order. Existing LUNs in the state dir are kept.")
    var luns: [String] = []

    @Option(help: "Array personality: a name in Hardware/profiles (ctl, lio, qnap, scst, advertise-more, plain) or a JSON file.")
    var profile: String = "ctl"

    @Option(help: "CHAP the initiator must pass, USER:SECRET; USER:SECRET:TARGETUSER:TARGETSECRET for mutual CHAP.")
    var chap: String?

    @Option(name: .customLong("fault"), help: "A fault to inject: \(Fault.kinds.joined(separator: ", ")).")
    var faultSpecs: [String] = []

    @Option(name: .customLong("target-name"), help: "The target IQN.")
    var targetName: String = TargetSettings.defaultTargetName

    @Option(help: "Management API address, HOST:PORT (port 0 = any free port), or 'none' to disable it.")
    var management: String = "127.0.0.1:0"

    @Option(name: .customLong("management-token-file"),
            help: "File holding the management API's bearer token (default: a fresh random token in STATE_DIR/management.token, mode 0600).")
    var managementTokenFile: String?

    func run() async throws {
        MallocTuning.keepLargeBuffersInHeap()
        do {
            try await serve()
        } catch let e as ExitCode {
            throw e
        } catch let e as UsageError {
            FileHandle.standardError.write(Data("offload-sim: \(e.message)\n".utf8))
            throw ExitCode(64)
        }
    }

    func serve() async throws {
        let (host, port) = try parseListen(listen, option: "--listen")
        let managementAddress = management == "none" ? nil : try parseListen(management, option: "--management")
        var managementToken: ManagementToken?
        if managementAddress != nil, let managementTokenFile {
            do { managementToken = try ManagementToken.read(from: managementTokenFile) } catch let e as ManagementToken.Invalid {
                throw UsageError("--management-token-file: \(e.description)")
            }
        }
        let specs = try luns.map(LunSpec.init(parsing:))
        let faults: [Fault]
        do { faults = try faultSpecs.map(Fault.init(parsing:)) } catch let e as Fault.ParseError { throw UsageError(e.description) }
        var chapCredentials: CHAPTargetCredentials?
        if let chap {
            // USER:SECRET for one-way CHAP; USER:SECRET:TARGETUSER:TARGETSECRET adds mutual CHAP.
            let parts = chap.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 || parts.count == 4, parts.allSatisfy({ !$0.isEmpty }) else {
                throw UsageError("--chap wants USER:SECRET or USER:SECRET:TARGETUSER:TARGETSECRET")
            }
            chapCredentials = CHAPTargetCredentials(initiator: CHAPSecret(name: parts[0], secret: parts[1]),
                                                    target: parts.count == 4 ? CHAPSecret(name: parts[2], secret: parts[3]) : nil)
        }
        let personality: ArrayProfile
        do { personality = try ArrayProfile.load(profile) } catch { throw UsageError("--profile \(profile): \(error)") }
        let array: SimulatedArray
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
            array = try SimulatedArray(stateDirectory: URL(fileURLWithPath: stateDir),
                                       companyID: personality.identity.companyID ?? LogicalUnitIdentity.defaultCompanyID)
            try personality.apply(to: array)
            for (lun, spec) in specs.enumerated() where array.logicalUnit(lun: UInt64(lun)) == nil {
                try personality.createLogicalUnit(in: array, lun: UInt64(lun), blockSize: spec.blockSize,
                                                  blockCount: spec.bytes / UInt64(spec.blockSize))
            }
            if managementAddress != nil, managementToken == nil {
                let generated = ManagementToken.generate()
                try generated.write(to: URL(fileURLWithPath: stateDir).appendingPathComponent(ManagementToken.defaultFileName).path)
                managementToken = generated
            }
        } catch {
            FileHandle.standardError.write(Data("offload-sim: state dir \(stateDir): \(error)\n".utf8))
            throw ExitCode(70)
        }
        let injector = FaultInjector(faults)
        let tokens = personality.odx.map { TokenManager(configuration: TokenManagerConfiguration(profile: $0), faults: injector) }
        let dispatcher = SCSIDispatcher(array: array, copyHandler: CopyManager(profile: personality, faults: injector, tokenService: tokens))
        dispatcher.faults = injector
        let server: ISCSITargetServer
        do {
            server = try await ISCSITargetServer.start(host: host, port: port,
                                                       settings: TargetSettings(targetName: targetName, chap: chapCredentials),
                                                       dispatcher: dispatcher, faults: injector)
        } catch {
            FileHandle.standardError.write(Data("offload-sim: cannot listen on \(listen): \(error)\n".utf8))
            throw ExitCode(69)
        }
        var managementServer: ManagementServer?
        if let (managementHost, managementPort) = managementAddress, let managementToken {
            do {
                managementServer = try await ManagementServer.start(
                    host: managementHost, port: managementPort, token: managementToken,
                    context: ManagementContext(target: server, profile: personality))
            } catch {
                await server.stop()
                FileHandle.standardError.write(Data("offload-sim: cannot listen on --management \(management): \(error)\n".utf8))
                throw ExitCode(69)
            }
        }
        // Written straight to fd 1, in one write, so scripts reading the URLs get them now, not
        // at exit; the management address comes last (scripts count the LUN lines).
        var lines = array.luns.map { server.url(lun: $0) + "\n" }.joined()
        if let managementServer { lines += "management \(managementServer.url)\n" }
        FileHandle.standardOutput.write(Data(lines.utf8))
        await waitForTermination()
        await managementServer?.stop()
        await server.stop()
    }

    func parseListen(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else { throw UsageError("\(option) wants HOST:PORT") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw UsageError("\(option) wants HOST:PORT with a port 0-65535, not '\(text)'")
        }
        return (host, port)
    }

    /// Suspends until SIGINT or SIGTERM.
    func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let once = Once(c)
            let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
                let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                s.setEventHandler { once.fire() }
                s.resume()
                return s
            }
            once.keep(sources)
        }
    }
}

/// Resumes a continuation exactly once, keeping the signal sources alive until then.
final class Once: @unchecked Sendable {
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    init(_ c: CheckedContinuation<Void, Never>) { continuation = c }
    func keep(_ s: [DispatchSourceSignal]) { lock.withLock { sources = s } }
    func fire() {
        let c: CheckedContinuation<Void, Never>? = lock.withLock { defer { continuation = nil }; return continuation }
        c?.resume()
    }
}

/// `--lun NAME:SIZE[:BLOCKSIZE]`.
struct LunSpec {
    var name: String
    var bytes: UInt64
    var blockSize: Int

    init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts[0].isEmpty else { throw UsageError("--lun wants NAME:SIZE[:BLOCKSIZE], not '\(text)'") }
        name = parts[0]
        guard let size = Self.size(parts[1]), size > 0 else { throw UsageError("--lun \(text): size '\(parts[1])' is not a number with K/M/G/T") }
        blockSize = 512
        if parts.count == 3 {
            guard let bs = Int(parts[2]), [512, 4096].contains(bs) else { throw UsageError("--lun \(text): block size must be 512 or 4096") }
            blockSize = bs
        }
        guard size % UInt64(blockSize) == 0 else { throw UsageError("--lun \(text): size is not a multiple of the block size") }
        bytes = size
    }

    static func size(_ s: String) -> UInt64? {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let last = s.last?.uppercased().first, let unit = units[last] {
            return UInt64(s.dropLast()).flatMap { $0.multipliedReportingOverflow(by: unit).overflow ? nil : $0 * unit }
        }
        return UInt64(s)
    }
}

struct UsageError: Error { let message: String; init(_ m: String) { message = m } }
