/// Status-Class of a Login Response (RFC 7143 11.13.5).
public struct LoginStatusClass: RawRepresentable, Equatable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = LoginStatusClass(rawValue: 0)
    public static let redirection = LoginStatusClass(rawValue: 1)
    /// The initiator got something wrong; retrying unchanged will not help.
    public static let initiatorError = LoginStatusClass(rawValue: 2)
    /// The target cannot serve the request now; the initiator may retry.
    public static let targetError = LoginStatusClass(rawValue: 3)
}

/// Status-Class and Status-Detail of a Login Response (RFC 7143 11.13.5), written as the
/// 16-bit value RFC tables use (0x0201 = initiator error, authentication failure).
public struct LoginStatus: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public init(statusClass: LoginStatusClass, detail: UInt8) {
        rawValue = UInt16(statusClass.rawValue) << 8 | UInt16(detail)
    }

    public var statusClass: LoginStatusClass { LoginStatusClass(rawValue: UInt8(rawValue >> 8)) }
    public var detail: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    public var isSuccess: Bool { statusClass == .success }

    public static let success = LoginStatus(rawValue: 0x0000)
    public static let targetMovedTemporarily = LoginStatus(rawValue: 0x0101)
    public static let targetMovedPermanently = LoginStatus(rawValue: 0x0102)
    public static let initiatorError = LoginStatus(rawValue: 0x0200)
    public static let authenticationFailure = LoginStatus(rawValue: 0x0201)
    public static let authorizationFailure = LoginStatus(rawValue: 0x0202)
    /// The requested TargetName does not exist here.
    public static let notFound = LoginStatus(rawValue: 0x0203)
    public static let targetRemoved = LoginStatus(rawValue: 0x0204)
    public static let unsupportedVersion = LoginStatus(rawValue: 0x0205)
    public static let tooManyConnections = LoginStatus(rawValue: 0x0206)
    public static let missingParameter = LoginStatus(rawValue: 0x0207)
    public static let cannotIncludeInSession = LoginStatus(rawValue: 0x0208)
    public static let sessionTypeNotSupported = LoginStatus(rawValue: 0x0209)
    public static let sessionDoesNotExist = LoginStatus(rawValue: 0x020A)
    public static let invalidDuringLogin = LoginStatus(rawValue: 0x020B)
    public static let targetError = LoginStatus(rawValue: 0x0300)
    public static let serviceUnavailable = LoginStatus(rawValue: 0x0301)
    public static let outOfResources = LoginStatus(rawValue: 0x0302)

    public var description: String {
        let name: String
        switch self {
        case .success: name = "Success"
        case .targetMovedTemporarily: name = "Target moved temporarily"
        case .targetMovedPermanently: name = "Target moved permanently"
        case .initiatorError: name = "Initiator error"
        case .authenticationFailure: name = "Authentication failure"
        case .authorizationFailure: name = "Authorization failure"
        case .notFound: name = "Not found"
        case .targetRemoved: name = "Target removed"
        case .unsupportedVersion: name = "Unsupported version"
        case .tooManyConnections: name = "Too many connections"
        case .missingParameter: name = "Missing parameter"
        case .cannotIncludeInSession: name = "Can't include in session"
        case .sessionTypeNotSupported: name = "Session type not supported"
        case .sessionDoesNotExist: name = "Session does not exist"
        case .invalidDuringLogin: name = "Invalid during login"
        case .targetError: name = "Target error"
        case .serviceUnavailable: name = "Service unavailable"
        case .outOfResources: name = "Out of resources"
        default: name = "Login status"
        }
        return "\(name) (0x\(hexDigits(UInt64(rawValue), width: 4)))"
    }
}
