import ISCSIWire
import SimArray

/// What the iSCSI face of the simulated array presents: one target node, its portal, how it
/// authenticates, and the negotiation preferences it offers.
public struct TargetSettings: Sendable {
    public var targetName: String
    /// CHAP for initiators (and, when `target` is set, mutual CHAP); nil = no authentication.
    public var chap: CHAPTargetCredentials?
    public var preferences: TargetNegotiationPreferences
    /// How many commands beyond ExpCmdSN an initiator may send (MaxCmdSN - ExpCmdSN + 1).
    public var commandWindow: UInt32
    public var portalGroupTag: UInt16

    public static let defaultTargetName = "iqn.2026-11.org.scsi-copy-offload:sim"

    public init(targetName: String = TargetSettings.defaultTargetName, chap: CHAPTargetCredentials? = nil,
                preferences: TargetNegotiationPreferences = TargetNegotiationPreferences(),
                commandWindow: UInt32 = 64, portalGroupTag: UInt16 = 1) {
        self.targetName = targetName
        self.chap = chap
        self.preferences = preferences
        self.commandWindow = commandWindow
        self.portalGroupTag = portalGroupTag
    }

    var loginConfiguration: LoginTargetConfiguration {
        LoginTargetConfiguration(
            targets: [TargetNodeConfiguration(name: targetName, authentication: chap.map { .chap($0) } ?? .none)],
            discoveryAuthentication: chap.map { .chap($0) } ?? .none,
            preferences: preferences,
            portalGroupTag: portalGroupTag)
    }
}
