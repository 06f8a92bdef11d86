/// What this target offers in operational negotiation. Each value is combined with the
/// initiator's offer by the key's result function (RFC 7143 13): a Boolean "OR" key can only be
/// forced to Yes by us, an "AND" key only to No, a "min" key only lowered, a "max" key raised.
///
/// The defaults are the simulator's: ImmediateData=Yes, InitialR2T=No, 256 KiB data segments,
/// MaxBurstLength 16776192 (the largest multiple of 512 under 2^24), FirstBurstLength 256 KiB.
public struct TargetNegotiationPreferences: Equatable, Sendable {
    /// Digests we accept, for HeaderDigest (we take the initiator's first one that is here).
    public var headerDigests: Set<ISCSIDigest> = [.none, .crc32c]
    public var dataDigests: Set<ISCSIDigest> = [.none, .crc32c]
    public var maxConnections: UInt32 = 1
    public var initialR2T: Bool = false
    public var immediateData: Bool = true
    /// Our declaration; also the `PDUFramer` limit once login ends. 512...16777215.
    public var maxRecvDataSegmentLength: UInt32 = 262_144
    public var maxBurstLength: UInt32 = 16_776_192
    public var firstBurstLength: UInt32 = 262_144
    public var defaultTime2Wait: UInt32 = 2
    public var defaultTime2Retain: UInt32 = 20
    public var maxOutstandingR2T: UInt32 = 1
    public var dataPDUInOrder: Bool = true
    public var dataSequenceInOrder: Bool = true
    /// Only 0 is implemented by the simulator; higher values are still negotiable here.
    public var errorRecoveryLevel: UInt32 = 0

    public init() {}
}
