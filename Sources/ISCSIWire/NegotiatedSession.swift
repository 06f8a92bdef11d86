/// The outcome of login: every operational value in force for the session and connection.
/// A fresh value holds the RFC 7143 defaults (section 13), which stay in force for any key the
/// initiator never offers: the target does not open negotiations of its own.
public struct NegotiatedSession: Equatable, Sendable {
    public var sessionType: SessionType = .normal
    public var initiatorName: String = ""
    public var initiatorAlias: String?
    /// nil in a Discovery session.
    public var targetName: String?
    public var authMethod: AuthMethod = .none
    /// The CHAP_N the initiator authenticated with.
    public var authenticatedName: String?

    public var headerDigest: ISCSIDigest = .none
    public var dataDigest: ISCSIDigest = .none
    public var maxConnections: UInt32 = 1
    public var initialR2T: Bool = true
    public var immediateData: Bool = true
    /// What the initiator declared: the longest data segment the *target* may send (Data-In,
    /// Text/Login responses, NOP-In data).
    public var initiatorMaxRecvDataSegmentLength: UInt32 = 8192
    /// What the target declared: the longest data segment the initiator may send, and the
    /// `PDUFramer` limit after login.
    public var targetMaxRecvDataSegmentLength: UInt32 = 8192
    public var maxBurstLength: UInt32 = 262_144
    public var firstBurstLength: UInt32 = 65536
    public var defaultTime2Wait: UInt32 = 2
    public var defaultTime2Retain: UInt32 = 20
    public var maxOutstandingR2T: UInt32 = 1
    public var dataPDUInOrder: Bool = true
    public var dataSequenceInOrder: Bool = true
    public var errorRecoveryLevel: UInt32 = 0

    public init() {}

    /// The digests to switch the connection to once the final Login Response is sent.
    public var digests: DigestSettings { DigestSettings(header: headerDigest, data: dataDigest) }

    /// Unsolicited data the initiator may send with a write: FirstBurstLength when
    /// ImmediateData or InitialR2T=No allows any, else 0.
    public var unsolicitedDataLimit: UInt32 { (immediateData || !initialR2T) ? firstBurstLength : 0 }
}
