/// Logout Request reason codes (RFC 7143 11.14.1).
public struct LogoutReason: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }

    public static let closeSession = LogoutReason(rawValue: 0)
    public static let closeConnection = LogoutReason(rawValue: 1)
    public static let removeConnectionForRecovery = LogoutReason(rawValue: 2)

    public var description: String {
        switch self {
        case .closeSession: return "close the session"
        case .closeConnection: return "close the connection"
        case .removeConnectionForRecovery: return "remove the connection for recovery"
        default: return "reason \(rawValue)"
        }
    }
}

/// Logout Response codes (RFC 7143 11.15.1).
public struct LogoutResponseCode: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let closedSuccessfully = LogoutResponseCode(rawValue: 0)
    public static let cidNotFound = LogoutResponseCode(rawValue: 1)
    public static let connectionRecoveryNotSupported = LogoutResponseCode(rawValue: 2)
    public static let cleanupFailed = LogoutResponseCode(rawValue: 3)

    public var description: String {
        switch self {
        case .closedSuccessfully: return "connection or session closed successfully"
        case .cidNotFound: return "CID not found"
        case .connectionRecoveryNotSupported: return "connection recovery is not supported"
        case .cleanupFailed: return "cleanup failed"
        default: return "response \(rawValue)"
        }
    }
}
