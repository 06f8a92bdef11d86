/// SessionType key values (RFC 7143 13.21). Discovery sessions only do SendTargets.
public enum SessionType: String, Equatable, Hashable, Sendable, CaseIterable {
    case normal = "Normal"
    case discovery = "Discovery"
}

/// AuthMethod values this target implements (RFC 7143 12.1): None and CHAP.
public enum AuthMethod: String, Equatable, Hashable, Sendable, CaseIterable {
    case none = "None"
    case chap = "CHAP"
}
