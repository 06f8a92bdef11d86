/// Failures below SCSI: no answer from the device. Each case maps to one line for the user and,
/// in the CLIs, to an exit code class (bad input, unreachable, device error).
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case invalidCredentials(String)
    case connectFailed(String, reason: String)
    case loginFailed(String, reason: String)
    case lunNotFound(String)
    case timeout(String, Duration)
    case connectionLost(String, reason: String)
    case permissionDenied(String, reason: String)
    case notSCSIDevice(String)
    case deviceGone(String)
    case closed(String)
    case io(String, reason: String)

    public var description: String {
        switch self {
        case let .invalidURL(url, reason): return "invalid device URL '\(url)': \(reason)"
        case let .invalidCredentials(reason): return "invalid CHAP credentials: \(reason)"
        case let .connectFailed(target, reason): return "cannot connect to \(target): \(reason)"
        case let .loginFailed(target, reason): return "iSCSI login to \(target) failed: \(reason)"
        case let .lunNotFound(target): return "\(target): no such LUN"
        case let .timeout(target, after): return "\(target): no answer within \(after)"
        case let .connectionLost(target, reason): return "\(target): connection lost: \(reason)"
        case let .permissionDenied(target, reason): return "\(target): permission denied: \(reason)"
        case let .notSCSIDevice(target): return "\(target): not a SCSI device"
        case let .deviceGone(target): return "\(target): device went away"
        case let .closed(target): return "\(target): session already closed"
        case let .io(target, reason): return "\(target): \(reason)"
        }
    }

    /// Bad input from the user rather than a problem with the target.
    public var isUsageError: Bool {
        switch self {
        case .invalidURL, .invalidCredentials: return true
        default: return false
        }
    }
}
