extension SCSIResponse {
    /// BUSY, TASK SET FULL and UNIT ATTENTION: the device did not run the command (SAM-5), so
    /// sending it again is safe. Arrays answer so under load, after a reset or a failover.
    public var commandWasNotRun: Bool {
        switch status {
        case .busy, .taskSetFull: return true
        case .checkCondition: return sense?.key == .unitAttention
        default: return false
        }
    }
}

/// Sends a command again while the answer says it was not run, as the Linux SCSI midlayer
/// requeues BUSY: until the command's own deadline (`timeout` from the first send), pausing
/// 20 ms, doubling, at most 1 s. Once the task is cancelled there is no pause, and at most five
/// more sends. `resent` hears of each resend. The last answer is returned.
public func resendingWhileNotRun(within timeout: Duration, resent: () -> Void = {},
                                 _ send: () async throws -> SCSIResponse) async throws -> SCSIResponse {
    let deadline = ContinuousClock.now + timeout
    var pause = Duration.milliseconds(20)
    var sendsAfterCancel = 0
    while true {
        let response = try await send()
        guard response.commandWasNotRun, ContinuousClock.now + pause < deadline else { return response }
        if Task.isCancelled {
            sendsAfterCancel += 1
            guard sendsAfterCancel <= 5 else { return response }
        } else {
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(1))
        }
        resent()
    }
}
