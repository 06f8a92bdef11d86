/// Every PDU an initiator may send, typed: what a target's read loop switches on.
public enum InitiatorPDU: Equatable, Sendable {
    case nopOut(NOPOut)
    case scsiCommand(SCSICommandPDU)
    case taskManagementRequest(TaskManagementRequest)
    case loginRequest(LoginRequest)
    case textRequest(TextRequest)
    case dataOut(SCSIDataOut)
    case logoutRequest(LogoutRequest)
    case snackRequest(SNACKRequest)

    /// Decodes by opcode. A target opcode or an undefined one throws `unsupportedOpcode`
    /// (answer: Reject, reason "Command not supported"); a malformed field throws as the view does.
    public init(pdu: ISCSIPDU) throws {
        switch pdu.header.opcode {
        case .nopOut: self = .nopOut(try NOPOut(pdu: pdu))
        case .scsiCommand: self = .scsiCommand(try SCSICommandPDU(pdu: pdu))
        case .taskManagementRequest: self = .taskManagementRequest(try TaskManagementRequest(pdu: pdu))
        case .loginRequest: self = .loginRequest(try LoginRequest(pdu: pdu))
        case .textRequest: self = .textRequest(try TextRequest(pdu: pdu))
        case .dataOut: self = .dataOut(try SCSIDataOut(pdu: pdu))
        case .logoutRequest: self = .logoutRequest(try LogoutRequest(pdu: pdu))
        case .snackRequest: self = .snackRequest(try SNACKRequest(pdu: pdu))
        default: throw ISCSIWireError.unsupportedOpcode(pdu.header.opcodeCode, header: pdu.header)
        }
    }

    public var initiatorTaskTag: UInt32 {
        switch self {
        case let .nopOut(p): return p.initiatorTaskTag
        case let .scsiCommand(p): return p.initiatorTaskTag
        case let .taskManagementRequest(p): return p.initiatorTaskTag
        case let .loginRequest(p): return p.initiatorTaskTag
        case let .textRequest(p): return p.initiatorTaskTag
        case let .dataOut(p): return p.initiatorTaskTag
        case let .logoutRequest(p): return p.initiatorTaskTag
        case let .snackRequest(p): return p.initiatorTaskTag
        }
    }
}
