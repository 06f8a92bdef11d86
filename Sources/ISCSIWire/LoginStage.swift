/// Login stages as coded in CSG/NSG (RFC 7143 11.12.3); 2 is reserved.
public enum LoginStage: UInt8, Equatable, Hashable, Sendable, Comparable, CustomStringConvertible {
    case securityNegotiation = 0
    case operationalNegotiation = 1
    case fullFeaturePhase = 3

    public static func < (a: LoginStage, b: LoginStage) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .securityNegotiation: return "SecurityNegotiation"
        case .operationalNegotiation: return "LoginOperationalNegotiation"
        case .fullFeaturePhase: return "FullFeaturePhase"
        }
    }

    static func parse(_ bits: UInt8, _ what: String) throws -> LoginStage {
        guard let stage = LoginStage(rawValue: bits & 0x03) else {
            throw ISCSIWireError.invalidField(what: what, detail: "stage 2 is reserved")
        }
        return stage
    }
}
