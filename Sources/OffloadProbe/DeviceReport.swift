import SCSITransport
import SCSIWire

/// Everything the prober learned about one LUN, raw answers included, before any verdict.
public struct DeviceReport: Sendable {
    public var address: DeviceAddress
    public var inquiry: StandardInquiry
    public var supportedPages: CommandOutcome<SupportedVPDPages>
    public var unitSerial: CommandOutcome<UnitSerialNumberPage>
    public var deviceIdentification: CommandOutcome<DeviceIdentificationPage>
    public var thirdPartyCopy: CommandOutcome<ThirdPartyCopyPage>
    public var blockLimits: CommandOutcome<BlockLimitsPage>
    public var provisioning: CommandOutcome<LogicalBlockProvisioningPage>
    public var capacity: ReadCapacity16Data
    public var operatingParameters: CommandOutcome<ReceiveCopyOperatingParameters>
    /// The Hardware/ family this LU belongs to, by INQUIRY identity.
    public var family: ArrayFamily?

    public var designators: [Designator] { deviceIdentification.value?.designators ?? [] }
    public var copyDesignator: Designator? { deviceIdentification.value?.preferredCopyDesignator }
}
