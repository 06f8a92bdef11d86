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
