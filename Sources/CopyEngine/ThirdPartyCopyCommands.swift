import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire

/// Sending third-party copy commands for the offload engines: statistics, transport failures
/// as `CopyError(.transport)`, and the conditions under which the device did not run the
/// command at all (BUSY, TASK SET FULL, UNIT ATTENTION), retried after a short pause.
struct ThirdPartyCopySender: Sendable {
    let device: any SCSIDevice
    let statistics: CopyStatistics
    let method: CopyMethod
    /// Retries of a command the device did not run.
    let busyRetries: Int

    /// Sends `cdb`, counted under `name`. Returns whatever SCSI status came back once it is
    /// not one of the retried ones (or the retries are spent); throws only for transport
    /// failures.
    func send(_ name: String, cdb: [UInt8], data: SCSICommand.Data = .none, timeout: Duration) async throws -> SCSIResponse {
        var attempt = 0
        while true {
            statistics.count(name)
            let response: SCSIResponse
            do {
                response = try await device.execute(SCSICommand(cdb: cdb, data: data, timeout: timeout))
            } catch let e as TransportError {
                throw CopyError(.transport, method: method, "\(name): \(e.description)")
            } catch is CancellationError {
                throw CopyError(.cancelled, method: method, "\(name): cancelled before an answer arrived")
            }
            guard response.commandWasNotRun, attempt < busyRetries, !Task.isCancelled else { return response }
            attempt += 1
            try? await Task.sleep(for: .milliseconds(20 << min(attempt, 6)))
        }
    }

    /// COPY OPERATION ABORT (83h/1Ch) for a list identifier; the answer does not matter (an
    /// operation that just finished is "unknown" to some copy managers).
    func abort(listIdentifier: UInt32) async {
        _ = try? await send("COPY OPERATION ABORT", cdb: CopyOperationAbort.cdb(listIdentifier: listIdentifier),
                            timeout: .seconds(30))
    }
}

/// The commands with a list identifier that are in flight, so a cancelled copy can send COPY
/// OPERATION ABORT for each, and so nothing new is issued after cancellation. Payloads (what
/// the command copies) let a status poller attribute what it reads.
final class OffloadInFlight<Payload: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var lists: [UInt32: (sender: ThirdPartyCopySender, abortable: Bool, payload: Payload)] = [:]
    private var aborts: Task<Void, Never>?

    init() {}

    var isCancelled: Bool { lock.withLock { cancelled } }

    /// Registers a command about to be sent; false once the copy is cancelled (do not send).
    /// `abortable`: the copy manager implements COPY OPERATION ABORT (VPD 0x8F lists 83h/1Ch).
    func begin(_ listIdentifier: UInt32?, sender: ThirdPartyCopySender, abortable: Bool, payload: Payload) -> Bool {
        lock.withLock {
            guard !cancelled else { return false }
            if let id = listIdentifier { lists[id] = (sender, abortable, payload) }
            return true
        }
    }

    func end(_ listIdentifier: UInt32?) {
        guard let id = listIdentifier else { return }
        _ = lock.withLock { lists.removeValue(forKey: id) }
    }

    /// In flight now, by list identifier.
    var snapshot: [(UInt32, Payload)] { lock.withLock { lists.map { ($0.key, $0.value.payload) } } }

    /// From the cancellation handler: stops issuing and, where supported, aborts every list
    /// in flight (from a task of its own, which `waitForAborts` waits for).
    func cancel() {
        lock.withLock {
            guard !cancelled else { return }
            cancelled = true
            let targets = lists.filter(\.value.abortable).map { ($0.key, $0.value.sender) }
            guard !targets.isEmpty else { return }
            aborts = Task {
                for (id, sender) in targets { await sender.abort(listIdentifier: id) }
            }
        }
    }

    func waitForAborts() async {
        let task = lock.withLock { aborts }
        await task?.value
    }
}

extension DeviceReport {
    /// Whether VPD 0x8F Supported Commands lists this THIRD PARTY COPY IN service action.
    func listsCopyIn(_ action: CopyInServiceAction) -> Bool {
        thirdPartyCopy.value?.lists(.thirdPartyCopyIn, serviceAction: action.rawValue) ?? false
    }

    /// Whether VPD 0x8F Supported Commands lists this THIRD PARTY COPY OUT service action.
    func listsCopyOut(_ action: CopyOutServiceAction) -> Bool {
        thirdPartyCopy.value?.lists(.thirdPartyCopyOut, serviceAction: action.rawValue) ?? false
    }
}

extension SenseData {
    /// 05/00/16: the list identifier is taken by an operation still running.
    var isOperationInProgress: Bool { additionalSense == .operationInProgress }

    /// 05/26/08 TOO MANY SEGMENT DESCRIPTORS.
    var isTooManySegmentDescriptors: Bool { additionalSense == .tooManySegmentDescriptors }

    /// NOT READY 08/00: LIO's answer to source and destination block sizes that differ.
    var isLIOBlockSizeMismatch: Bool { key == .notReady && additionalSense == .logicalUnitCommunicationFailure }
}

/// A command's deadline: `fixed` if given, else a minute plus a second for every 16 MiB moved,
/// so a command copying gigabytes inside the array is not given up on too early.
func scaledTimeout(bytes: UInt64, fixed: Duration?) -> Duration {
    if let fixed { return fixed }
    return .seconds(60) + .seconds(Int64(clamping: bytes >> 24))
}
