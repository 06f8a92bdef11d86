/// Whether a login must authenticate, and with what.
public enum AuthenticationRequirement: Equatable, Sendable {
    /// AuthMethod=None; an initiator offering only CHAP is refused (0201).
    case none
    /// CHAP is required; an initiator that cannot do it is refused (0201).
    case chap(CHAPTargetCredentials)
}

/// One target node served at this portal group.
public struct TargetNodeConfiguration: Equatable, Sendable {
    public var name: String
    public var alias: String?
    public var authentication: AuthenticationRequirement

    public init(name: String, alias: String? = nil, authentication: AuthenticationRequirement = .none) {
        self.name = name
        self.alias = alias
        self.authentication = authentication
    }
}

/// Everything the login state machine needs to know about this target.
public struct LoginTargetConfiguration: Equatable, Sendable {
    public var targets: [TargetNodeConfiguration]
    public var discoveryAuthentication: AuthenticationRequirement
    public var preferences: TargetNegotiationPreferences
    /// Sent as TargetPortalGroupTag in the first response of every Normal session
    /// (RFC 7143 13.9 makes it mandatory there).
    public var portalGroupTag: UInt16
    /// Accept logins with TSIH != 0 (a connection joining an existing session). The server must
    /// then check that the session exists; when false such logins get 020a.
    public var acceptsExistingSessions: Bool
    /// Upper bound on login text gathered across PDUs with the C bit.
    public var maximumLoginTextLength: Int

    public init(targets: [TargetNodeConfiguration], discoveryAuthentication: AuthenticationRequirement = .none,
                preferences: TargetNegotiationPreferences = TargetNegotiationPreferences(), portalGroupTag: UInt16 = 1,
                acceptsExistingSessions: Bool = false, maximumLoginTextLength: Int = 64 * 1024) {
        self.targets = targets
        self.discoveryAuthentication = discoveryAuthentication
        self.preferences = preferences
        self.portalGroupTag = portalGroupTag
        self.acceptsExistingSessions = acceptsExistingSessions
        self.maximumLoginTextLength = maximumLoginTextLength
    }

    public func target(named name: String) -> TargetNodeConfiguration? { targets.first { $0.name == name } }
}
