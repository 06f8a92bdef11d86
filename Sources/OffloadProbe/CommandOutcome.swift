import SCSITransport
import SCSIWire

/// The answer to an optional probe command: its parsed value, or what the device said instead.
/// Keeping the refusal (with sense) is the point: "RCOP rejected with 24/00" is a diagnosis.
public enum CommandOutcome<Value: Sendable>: Sendable {
    case answered(Value)
    /// The device refused: CHECK CONDITION or another non-GOOD status.
    case refused(status: SCSIStatus, sense: SenseData?)
    /// Not asked, and why (e.g. the page is not in VPD 0x00).
    case notAsked(String)
    /// GOOD, but the data could not be read.
    case malformed(String)

    public var value: Value? {
        if case let .answered(v) = self { return v }
        return nil
    }

    /// One line for reports: why there is no value.
    public var absenceReason: String? {
        switch self {
        case .answered: return nil
        case let .refused(status, sense):
            if let sense { return "refused: \(sense.key), \(sense.additionalSense)" }
            return "refused: \(status)"
        case let .notAsked(why): return why
        case let .malformed(why): return "malformed answer: \(why)"
        }
    }
}

extension SCSIDevice {
    /// Runs a data-in command and parses its answer, turning refusals into outcomes.
    func ask<V: Sendable>(_ cdb: [UInt8], allocation: Int, timeout: Duration = .seconds(30),
                          parse: ([UInt8]) throws -> V) async throws -> CommandOutcome<V> {
        let r = try await executeUntilRun(SCSICommand(cdb: cdb, data: .fromDevice(allocationLength: allocation), timeout: timeout))
        guard r.status == .good else { return .refused(status: r.status, sense: r.sense) }
        do { return .answered(try parse(r.data)) } catch { return .malformed("\(error)") }
    }

    /// Sends the command again while the answer says it was not run (BUSY, TASK SET FULL, UNIT
    /// ATTENTION), until its deadline: a verdict must not rest on a loaded array's BUSY or the
    /// unit attention after login. The last answer counts.
    func executeUntilRun(_ command: SCSICommand) async throws -> SCSIResponse {
        try await resendingWhileNotRun(within: command.timeout) { try await execute(command) }
    }
}
