import CISCSI
import Foundation
import SCSITransport
import SCSIWire

/// One iSCSI session (one libiscsi context) to one target, shared by every LUN reached
/// through it: EXTENDED COPY must travel on a session in which both LUNs are reachable.
///
/// libiscsi is not thread-safe, and its sync calls block. So each session owns a dedicated
/// thread that runs libiscsi's event loop by `poll`; async callers hand it work through a
/// locked queue and a wake-up pipe, and never block Swift's cooperative pool.
public final class ISCSISession: @unchecked Sendable {
    public let url: ISCSIURL
    public let options: ISCSIOptions

    private let context: OpaquePointer
    private let lock = NSLock()
    private var submissions: [PendingCommand] = []
    private var inFlight: [ObjectIdentifier: PendingCommand] = [:]
    private var stopping = false
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var loopDone = false
    private let loopFinished = DispatchSemaphore(value: 0)
    /// Commands whose task libiscsi may still touch after we answered the caller: queued
    /// Data-Out PDUs keep a raw pointer to their task (and send from its buffer), a command
    /// we gave up on during a reconnect is resent from libiscsi's old queue, and any of them
    /// may still be called back as cancelled. Freed only after `iscsi_destroy_context`.
    private var parked: [PendingCommand] = []
    /// Writes the target answered other than GOOD: their command is gone from libiscsi, but
    /// Data-Out may still be queued or half written. `freeDrainedWrites` cancels the queued
    /// ones and frees the tasks once nothing is queued or being written, else the context does.
    private var draining: [PendingCommand] = []
    /// Login and logout progress handed to libiscsi as raw pointers. A login or logout we
    /// stopped waiting for is still queued in libiscsi, which calls it back (cancelled) from
    /// `iscsi_destroy_context`; so they live as long as the session.
    private var loginLogoutProgress: [PendingConnect] = []

    private init(url: ISCSIURL, options: ISCSIOptions, context: OpaquePointer) {
        self.url = url
        self.options = options
        self.context = context
    }

    deinit {
        if wakeRead >= 0 { Darwin_close(wakeRead) }
        if wakeWrite >= 0 { Darwin_close(wakeWrite) }
        iscsi_destroy_context(context)
        for p in parked + draining { p.freeTask() }
    }

    /// Connects, logs in and checks that the URL's LUN exists, within `options.connectTimeout`.
    /// A target that answers that check BUSY or TASK SET FULL (loaded, or failing over) is
    /// asked again on a fresh connection, five times with growing pauses, before giving up.
    public static func connect(_ url: ISCSIURL, options: ISCSIOptions = ISCSIOptions()) async throws -> ISCSISession {
        var attempt = 0
        while true {
            do {
                return try await connectOnce(url, options: options)
            } catch let busy as BusyAtLogin {
                attempt += 1
                guard attempt <= 5 else { throw busy.error }
                try await Task.sleep(for: .milliseconds(50 << attempt))  // Ctrl-C ends the wait
            }
        }
    }

    /// The first command after login was answered BUSY or TASK SET FULL: not run, worth a retry.
    struct BusyAtLogin: Error { let error: TransportError }

    private static func connectOnce(_ url: ISCSIURL, options: ISCSIOptions) async throws -> ISCSISession {
        guard let ctx = iscsi_create_context(options.initiatorName) else {
            throw TransportError.io(url.description, reason: "cannot create an iSCSI context")
        }
        iscsi_set_targetname(ctx, url.targetName)
        iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL)
        // A fresh random ISID per session: two sessions with one initiator name and one ISID
        // are the same I_T nexus to the target, which then reinstates (kills) the first one
        // or answers BUSY.
        iscsi_set_isid_random(ctx, UInt32.random(in: 0...0xFF_FFFF), UInt32.random(in: 0...0xFFFF))
        iscsi_set_header_digest(ctx, url.headerDigest.libiscsiValue)
        if let creds = url.credentials ?? options.credentials {
            iscsi_set_initiator_username_pwd(ctx, creds.user, creds.secret)
        }
        let session = ISCSISession(url: url, options: options, context: ctx)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TransportError.io(url.description, reason: "pipe: \(String(cString: strerror(errno)))") }
        session.wakeRead = fds[0]
        session.wakeWrite = fds[1]
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        try await session.start()
        return session
    }

    /// A device for one LUN of this session.
    public func device(lun: UInt64) -> ISCSIDevice {
        var u = url
        u.lun = lun
        return ISCSIDevice(session: self, lun: lun, address: u.address)
    }

    /// Logs out and stops the event thread; commands still queued fail with `.closed`.
    public func close() async {
        let already = lock.withLock {
            defer { stopping = true }
            return stopping
        }
        if !already { wake() }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.loopFinished.wait()
                self.loopFinished.signal()
                c.resume()
            }
        }
    }

    func execute(lun: UInt64, _ command: SCSICommand) async throws -> SCSIResponse {
        try await run(PendingCommand(lun: lun, command: command, target: url.description))
    }

    func execute(lun: UInt64, _ command: SCSIBufferedCommand) async throws -> SCSIResponse {
        try await run(PendingCommand(lun: lun, buffered: command, target: url.description))
    }

    private func run(_ pending: PendingCommand) async throws -> SCSIResponse {
        pending.session = self
        return try await withCheckedThrowingContinuation { continuation in
            pending.continuation = continuation
            let accepted = lock.withLock {
                if !stopping { submissions.append(pending) }
                return !stopping
            }
            if accepted { wake() } else { pending.finish(.failure(TransportError.closed(url.description))) }
        }
    }

    // MARK: - Event loop (runs only on the session thread)

    private func start() async throws {
        let connect = PendingConnect()
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            connect.continuation = c
            let thread = Thread { [self] in self.runLoop(connect: connect) }
            thread.name = "iscsi \(url.nexus)"
            thread.start()
        }
    }

    private func wake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    private func runLoop(connect: PendingConnect) {
        defer {
            loopDone = true
            loopFinished.signal()
        }
        let connectDeadline = ContinuousClock.now + options.connectTimeout
        loginLogoutProgress.append(connect)
        let started = iscsi_full_connect_async(context, url.portal, Int32(url.lun), { ctx, status, _, priv in
            let box = Unmanaged<PendingConnect>.fromOpaque(priv!).takeUnretainedValue()
            box.status = status
            box.message = ctx.map { String(cString: iscsi_get_error($0)) } ?? ""
        }, Unmanaged.passUnretained(connect).toOpaque())
        if started != 0 {
            connect.fail(TransportError.connectFailed(url.portal, reason: String(cString: iscsi_get_error(context))))
            return
        }
        // Connect and log in.
        while connect.status == nil {
            if ContinuousClock.now >= connectDeadline {
                connect.fail(TransportError.timeout("connect to \(url.nexus)", options.connectTimeout))
                return
            }
            if pollOnce(until: connectDeadline) < 0 {
                connect.fail(classifyConnectFailure(String(cString: iscsi_get_error(context))))
                return
            }
        }
        guard connect.status == Int32(SCSI_STATUS_GOOD.rawValue) else {
            connect.fail(classifyConnectFailure(connect.message))
            return
        }
        connect.succeed()

        // Full-feature phase.
        while true {
            lock.lock()
            let batch = submissions
            submissions.removeAll()
            let stop = stopping
            lock.unlock()
            for p in batch { submit(p) }
            if stop { break }
            let nearest = inFlight.values.map(\.deadline).min() ?? (ContinuousClock.now + .milliseconds(500))
            defer { freeDrainedWrites() }
            if pollOnce(until: nearest) < 0 {
                failAll(TransportError.connectionLost(url.nexus, reason: String(cString: iscsi_get_error(context))))
                // libiscsi reconnects by itself on the next service call when it can.
            }
            let now = ContinuousClock.now
            let expired = inFlight.values.filter { $0.deadline <= now }
            for p in expired {
                p.timedOut = true
                giveUp(p, TransportError.timeout(p.target, p.timeout))
            }
            if !expired.isEmpty { resetConnection() }
        }
        failAll(TransportError.closed(url.description))
        // Take back every PDU of a command given up on while libiscsi still calls back: after
        // the logout it no longer does, and their retained boxes would never be released.
        for p in parked { cancelEveryPDU(of: p) }
        // A polite logout, bounded: the target may already be gone.
        let logout = PendingConnect()
        loginLogoutProgress.append(logout)
        if iscsi_is_logged_in(context) != 0,
           iscsi_logout_async(context, { _, status, _, priv in
               Unmanaged<PendingConnect>.fromOpaque(priv!).takeUnretainedValue().status = status
           }, Unmanaged.passUnretained(logout).toOpaque()) == 0 {
            let deadline = ContinuousClock.now + .seconds(2)
            while logout.status == nil, ContinuousClock.now < deadline, pollOnce(until: deadline) >= 0 {}
        }
        iscsi_disconnect(context)
    }

    /// After a command timed out: its PDU may have been cut off halfway (libiscsi drops a
    /// cancelled PDU even while writing it, which leaves the byte stream out of step), and the
    /// target still holds the task. So drop the connection and log in again, as an initiator's
    /// error handling escalates from a timeout; libiscsi resends the commands still in flight
    /// on the new connection, and closing the old one makes the target abort what it held.
    /// Already reconnecting (not logged in), there is nothing to reset.
    private func resetConnection() {
        guard iscsi_is_logged_in(context) != 0 else { return }
        if iscsi_reconnect(context) != 0 {
            failAll(TransportError.connectionLost(url.nexus, reason: String(cString: iscsi_get_error(context))))
        }
    }

    /// One poll + service round. Returns the service result (negative on a session error).
    private func pollOnce(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let ms = max(0, min(500, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)))
        var fds = [pollfd(fd: iscsi_get_fd(context), events: Int16(iscsi_which_events(context)), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, 2, ms)
        if n < 0 { return errno == EINTR ? 0 : -1 }
        if fds[1].revents & Int16(POLLIN) != 0 {
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &sink, sink.count) > 0 {}
        }
        return iscsi_service(context, Int32(fds[0].revents))
    }

    private func submit(_ p: PendingCommand) {
        let dir: Int32
        let expected: Int32
        switch p.transfer {
        case .none: dir = Int32(SCSI_XFER_NONE.rawValue); expected = 0
        case let .out(n): dir = Int32(SCSI_XFER_WRITE.rawValue); expected = Int32(n)
        case let .in(n): dir = Int32(SCSI_XFER_READ.rawValue); expected = Int32(n)
        }
        guard let task = p.cdb.withUnsafeMutableBufferPointer({ scsi_create_task(Int32($0.count), $0.baseAddress, dir, expected) }) else {
            p.finish(.failure(TransportError.io(p.target, reason: "cannot allocate a SCSI task")))
            return
        }
        // Data-In for a buffered command goes straight from the socket into the caller's buffer.
        if let b = p.buffered, b.direction == .fromDevice, b.length > 0,
           scsi_task_add_data_in_buffer(task, Int32(b.length), b.buffer.pointer.assumingMemoryBound(to: UInt8.self)) != 0 {
            scsi_free_scsi_task(task)
            p.finish(.failure(TransportError.io(p.target, reason: "cannot attach the data-in buffer")))
            return
        }
        p.task = task
        p.deadline = ContinuousClock.now + p.timeout
        inFlight[ObjectIdentifier(p)] = p
        let box = Unmanaged.passRetained(p).toOpaque()
        var rc: Int32
        if let out = p.outData {
            var data = iscsi_data(size: out.count, data: out.baseAddress)
            rc = iscsi_scsi_command_async(context, Int32(p.lun), task, Self.callback, &data, box)
        } else {
            rc = iscsi_scsi_command_async(context, Int32(p.lun), task, Self.callback, nil, box)
        }
        if rc != 0 {
            // libiscsi kept nothing of a command it refused.
            Unmanaged<PendingCommand>.fromOpaque(box).release()
            complete(p, .failure(TransportError.connectionLost(url.nexus, reason: String(cString: iscsi_get_error(context)))), task: .free)
        }
    }

    private static let callback: iscsi_command_cb = { _, status, commandData, priv in
        let p = Unmanaged<PendingCommand>.fromOpaque(priv!).takeRetainedValue()
        let task = commandData?.assumingMemoryBound(to: scsi_task.self)
        p.session?.handleCompletion(p, status: status, task: task)
    }

    private func handleCompletion(_ p: PendingCommand, status: Int32, task: UnsafeMutablePointer<scsi_task>?) {
        guard inFlight[ObjectIdentifier(p)] != nil else { return }  // already timed out or failed
        let result: Result<SCSIResponse, Error>
        // Answered GOOD, a write has had all its data sent; any other end of a write may leave
        // Data-Out PDUs queued that point at the task.
        var release: TaskRelease = .park
        switch UInt32(bitPattern: status) {
        case SCSI_STATUS_CANCELLED.rawValue:
            result = .failure(p.timedOut ? TransportError.timeout(p.target, p.timeout) : TransportError.closed(p.target))
        case SCSI_STATUS_ERROR.rawValue, SCSI_STATUS_TIMEOUT.rawValue:
            result = .failure(TransportError.connectionLost(url.nexus, reason: String(cString: iscsi_get_error(context))))
        default:
            release = status == Int32(SCSI_STATUS_GOOD.rawValue) || !p.sendsData ? .free : .afterQueueDrains
            var data: [UInt8] = []
            var sense: [UInt8] = []
            var buffered = 0
            if let t = task?.pointee, let base = t.datain.data, t.datain.size > 0 {
                let bytes = Array(UnsafeBufferPointer(start: base, count: Int(t.datain.size)))
                if status == Int32(SCSI_STATUS_CHECK_CONDITION.rawValue) {
                    // libiscsi leaves the Data-In segment as is: 2-byte SENSE LENGTH, then sense.
                    if bytes.count >= 2 {
                        let n = Int(bytes[0]) << 8 | Int(bytes[1])
                        sense = Array(bytes.dropFirst(2).prefix(n))
                    }
                } else {
                    data = bytes
                }
            }
            if let b = p.buffered, status == Int32(SCSI_STATUS_GOOD.rawValue), let t = task?.pointee {
                // Data-In landed in place; what did not arrive is the residual (underflow).
                let residual = t.residual_status == SCSI_RESIDUAL_UNDERFLOW ? Int(t.residual) : 0
                buffered = Swift.max(0, b.length - residual)
            }
            var response = SCSIResponse(status: SCSIStatus(rawValue: UInt8(truncatingIfNeeded: status)), data: data, senseBytes: sense)
            response.bufferedBytes = buffered
            result = .success(response)
        }
        complete(p, result, task: release)
    }

    /// What to do with a finished command's task: free it now, free it once nothing is
    /// queued or being written, or park it until the context is destroyed because libiscsi
    /// may still hold PDUs that point at it.
    private enum TaskRelease { case free, afterQueueDrains, park }

    private func complete(_ p: PendingCommand, _ result: Result<SCSIResponse, Error>, task release: TaskRelease) {
        inFlight.removeValue(forKey: ObjectIdentifier(p))
        switch release {
        case .free:
            p.freeTask()
        case .afterQueueDrains:
            if p.task != nil { draining.append(p) }
        case .park:
            if p.task != nil { parked.append(p) }
        }
        p.finish(result)
    }

    /// Cancels the drained writes' queued Data-Out (same task tag, no callback), then frees
    /// their tasks once libiscsi is logged in with nothing queued and nothing half written (no
    /// POLLOUT wanted): no PDU can point at them any more. Runs between service calls, never
    /// from a callback: inside one, libiscsi still holds the command's own PDU, which a
    /// cancel would free under it.
    private func freeDrainedWrites() {
        guard !draining.isEmpty else { return }
        for p in draining { cancelEveryPDU(of: p) }
        guard iscsi_is_logged_in(context) != 0, iscsi_out_queue_length(context) == 0,
              iscsi_which_events(context) & Int32(POLLOUT) == 0 else { return }
        for p in draining { p.freeTask() }
        draining.removeAll()
    }

    /// Takes every PDU with this command's task tag out of libiscsi's queues (the command's
    /// own, calling it back, and its Data-Out). Never from a callback (see above).
    private func cancelEveryPDU(of p: PendingCommand) {
        guard let task = p.task else { return }
        while iscsi_scsi_cancel_task(context, task) == 0 {}
    }

    private func failAll(_ error: TransportError) {
        lock.lock()
        let queued = submissions
        submissions.removeAll()
        lock.unlock()
        for p in queued { p.finish(.failure(error)) }
        for p in inFlight.values { giveUp(p, error) }
    }

    /// Stops waiting for a command: takes its PDUs back from libiscsi (the callback then runs
    /// with SCSI_STATUS_CANCELLED and answers the caller), or answers with `error` where
    /// libiscsi held none; its task is parked, since a Data-Out being written may still point
    /// at it.
    private func giveUp(_ p: PendingCommand, _ error: TransportError) {
        cancelEveryPDU(of: p)
        if inFlight[ObjectIdentifier(p)] != nil { complete(p, .failure(error), task: .park) }
    }

    private func classifyConnectFailure(_ raw: String) -> Error {
        let message = raw.split(whereSeparator: \.isNewline).map(String.init).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        let m = message.lowercased()
        if m.contains("busy") || m.contains("task_set_full") || m.contains("task set full") {
            return BusyAtLogin(error: .connectFailed(url.portal, reason: "the target keeps answering \(message) after login"))
        }
        if m.contains("logical_unit_not_supported") || m.contains("logical unit not supported") {
            return TransportError.lunNotFound(url.description)
        }
        if m.contains("log in") || m.contains("login") || m.contains("authentication") || m.contains("chap") {
            return TransportError.loginFailed(url.nexus, reason: message)
        }
        if m.contains("reconnect") || m.contains("refused") || m.isEmpty {
            return TransportError.connectFailed(url.portal, reason: "no iSCSI target answered (connection refused or reset)")
        }
        return TransportError.connectFailed(url.portal, reason: message)
    }
}

/// A command waiting for its answer; owned by the session thread once submitted.
final class PendingCommand: @unchecked Sendable {
    enum Transfer { case none, `in`(Int), out(Int) }

    let lun: UInt64
    let timeout: Duration
    let target: String
    var cdb: [UInt8]
    let transfer: Transfer
    /// Data-Out as libiscsi sends it: our copy of an array, or the caller's buffer.
    let outData: UnsafeMutableBufferPointer<UInt8>?
    /// Held until completion, so the memory libiscsi reads into or sends from stays alive.
    let buffered: SCSIBufferedCommand?
    var task: UnsafeMutablePointer<scsi_task>?
    var deadline = ContinuousClock.now
    var timedOut = false
    var continuation: CheckedContinuation<SCSIResponse, Error>?
    weak var session: ISCSISession?

    init(lun: UInt64, command: SCSICommand, target: String) {
        self.lun = lun
        self.timeout = command.timeout
        self.target = target
        self.cdb = command.cdb
        buffered = nil
        switch command.data {
        case .none: transfer = .none
        case let .fromDevice(n): transfer = .in(n)
        case let .toDevice(bytes): transfer = .out(bytes.count)
        }
        if case let .toDevice(bytes) = command.data, !bytes.isEmpty {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
            _ = buffer.initialize(from: bytes)
            outData = buffer
        } else {
            outData = nil
        }
    }

    init(lun: UInt64, buffered command: SCSIBufferedCommand, target: String) {
        self.lun = lun
        self.timeout = command.timeout
        self.target = target
        self.cdb = command.cdb
        buffered = command
        switch command.direction {
        case .fromDevice:
            transfer = .in(command.length)
            outData = nil
        case .toDevice:
            transfer = .out(command.length)
            outData = command.length == 0 ? nil
                : UnsafeMutableBufferPointer(start: command.buffer.pointer.assumingMemoryBound(to: UInt8.self), count: command.length)
        }
    }

    /// Frees the libiscsi task, once nothing can point at it any more.
    func freeTask() {
        if let task { scsi_free_scsi_task(task) }
        task = nil
    }

    /// Whether Data-Out PDUs may carry this command's data.
    var sendsData: Bool {
        if case .out(let n) = transfer { return n > 0 }
        return false
    }

    /// Our copy of an array is ours to free; a caller's buffer is not.
    deinit { if buffered == nil { outData?.deallocate() } }

    func finish(_ result: Result<SCSIResponse, Error>) {
        guard let c = continuation else { return }
        continuation = nil
        c.resume(with: result)
    }
}

/// Login progress, written by libiscsi's callback on the session thread.
final class PendingConnect: @unchecked Sendable {
    var status: Int32?
    var message = ""
    var continuation: CheckedContinuation<Void, Error>?
    func fail(_ e: Error) { continuation?.resume(throwing: e); continuation = nil }
    func succeed() { continuation?.resume(); continuation = nil }
}

extension ISCSIURL.HeaderDigest {
    var libiscsiValue: iscsi_header_digest {
        switch self {
        case .none: return ISCSI_HEADER_DIGEST_NONE
        case .crc32c: return ISCSI_HEADER_DIGEST_CRC32C
        case .noneThenCRC32C: return ISCSI_HEADER_DIGEST_NONE_CRC32C
        case .crc32cThenNone: return ISCSI_HEADER_DIGEST_CRC32C_NONE
        }
    }
}

private func Darwin_close(_ fd: Int32) { _ = Glibc.close(fd) }
