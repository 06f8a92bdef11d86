import SCSIWire

/// Who is asking: the I_T nexus a command arrived on and what that nexus may see. The front end
/// (iSCSI session) builds it; the dispatcher uses it for LUN masking, unit attentions and the
/// sense format; a copy manager uses it to decide whether a CSCD is reachable.
public struct InitiatorContext: Hashable, Sendable {
    /// Identifies the I_T nexus, e.g. "iqn.1993-08.org.debian:01:abc,i,0x23d000000001 ->
    /// iqn.2024-01.org.example:sim,t,0x1". Unit attentions are kept per nexus.
    public var nexus: String
    /// The initiator port name (for logs and ACL-like decisions).
    public var initiatorName: String
    /// LUNs this nexus may address; nil = every LU of the array.
    public var reachableLUNs: Set<UInt64>?
    /// Sense data in descriptor format (D_SENSE); fixed format otherwise.
    public var descriptorSense: Bool
    /// Target port and target device designators the port adds to VPD 0x83 after the LU's own
    /// (relative target port, target port group, SCSI name strings).
    public var portDesignators: [Designator]

    public init(nexus: String, initiatorName: String = "", reachableLUNs: Set<UInt64>? = nil,
                descriptorSense: Bool = false, portDesignators: [Designator] = []) {
        self.nexus = nexus
        self.initiatorName = initiatorName
        self.reachableLUNs = reachableLUNs
        self.descriptorSense = descriptorSense
        self.portDesignators = portDesignators
    }

    public func canReach(lun: UInt64) -> Bool { reachableLUNs?.contains(lun) ?? true }

    public var senseFormat: SenseData.Format { descriptorSense ? .descriptor : .fixed }
}
