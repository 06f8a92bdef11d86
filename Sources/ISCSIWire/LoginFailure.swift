/// Why a login ends: the Login Response status to send and a reason for the log.
public struct LoginFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: LoginStatus
    public var reason: String

    public init(_ status: LoginStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }
}
