import SCSITransport

/// Session settings beyond what the URL says.
public struct ISCSIOptions: Sendable {
    /// Our IQN as the target sees it; targets with ACLs match on it.
    public var initiatorName: String
    /// CHAP used when the URL carries none (from a credentials file or the environment).
    public var credentials: ChapCredentials?
    /// Covers TCP connect and login together.
    public var connectTimeout: Duration

    public static let defaultInitiatorName = "iqn.2026-11.org.scsi-copy-offload:initiator"

    public init(initiatorName: String = ISCSIOptions.defaultInitiatorName, credentials: ChapCredentials? = nil,
                connectTimeout: Duration = .seconds(15)) {
        self.initiatorName = initiatorName
        self.credentials = credentials
        self.connectTimeout = connectTimeout
    }
}
