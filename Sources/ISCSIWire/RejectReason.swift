/// Reject PDU reason codes (RFC 7143 11.17.1; IANA "iSCSI Reject Reason Codes").
public struct RejectReason: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let dataDigestError = RejectReason(rawValue: 0x02)
    public static let snackReject = RejectReason(rawValue: 0x03)
    public static let protocolError = RejectReason(rawValue: 0x04)
    public static let commandNotSupported = RejectReason(rawValue: 0x05)
    /// Too many immediate commands.
    public static let immediateCommandReject = RejectReason(rawValue: 0x06)
    public static let taskInProgress = RejectReason(rawValue: 0x07)
    public static let invalidDataAck = RejectReason(rawValue: 0x08)
    public static let invalidPDUField = RejectReason(rawValue: 0x09)
    /// Cannot generate a Target Transfer Tag: out of resources.
    public static let longOperationReject = RejectReason(rawValue: 0x0A)
    /// "Negotiation Reset" in RFC 3720; deprecated by RFC 7143, kept only to name it.
    public static let deprecatedNegotiationReset = RejectReason(rawValue: 0x0B)
    public static let waitingForLogout = RejectReason(rawValue: 0x0C)

    public var description: String {
        switch self {
        case .dataDigestError: return "Data (payload) digest error"
        case .snackReject: return "SNACK Reject"
        case .protocolError: return "Protocol Error"
        case .commandNotSupported: return "Command not supported"
        case .immediateCommandReject: return "Immediate command reject - too many immediate commands"
        case .taskInProgress: return "Task in progress"
        case .invalidDataAck: return "Invalid data ack"
        case .invalidPDUField: return "Invalid PDU field"
        case .longOperationReject: return "Long op reject - can't generate Target Transfer Tag - out of resources"
        case .deprecatedNegotiationReset: return "Deprecated reason code (was Negotiation Reset)"
        case .waitingForLogout: return "Waiting for Logout"
        default: return "reason \(hex8(rawValue))"
        }
    }
}
