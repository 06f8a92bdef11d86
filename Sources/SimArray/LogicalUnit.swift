import SCSIWire

/// One simulated LU: who it is, where its blocks live and how it behaves. The answers to the
/// identity and capacity commands are built here from the wire module's formats, so the
/// dispatcher, a copy manager (creator descriptors, ROD token device data) and tests share them.
public final class LogicalUnit: @unchecked Sendable {
    public let identity: LogicalUnitIdentity
    public let store: any BlockStore
    private let optionsBox: Locked<LogicalUnitOptions>

    public init(identity: LogicalUnitIdentity, store: any BlockStore, options: LogicalUnitOptions = LogicalUnitOptions()) {
        self.identity = identity
        self.store = store
        self.optionsBox = Locked(options)
    }

    /// Options may change at run time (management API); readers get a consistent snapshot.
    public var options: LogicalUnitOptions {
        get { optionsBox.current }
        set { optionsBox.withLock { $0 = newValue } }
    }

    public func updateOptions(_ body: (inout LogicalUnitOptions) -> Void) {
        optionsBox.withLock { body(&$0) }
    }

    public var blockSize: Int { store.blockSize }
    public var blockCount: UInt64 { store.blockCount }

    /// LBPME is set only for thin LUs; LBPRZ only when it is also advertised.
    public var reportsLBPRZ: Bool {
        let o = options
        return o.thinProvisioned && o.unmappedReadsZero
    }

    // MARK: - Answers

    public func standardInquiry() -> StandardInquiry {
        let o = options
        return StandardInquiry(version: 6, hiSup: true, responseDataFormat: 2, tpgs: o.tpgs & 3,
                               thirdPartyCopy: o.thirdPartyCopy, cmdQue: true, vendor: o.vendor,
                               product: o.product, revision: o.revision, versionDescriptors: o.versionDescriptors)
    }

    public func readCapacity16() -> ReadCapacity16Data {
        let o = options
        return ReadCapacity16Data(lastLBA: blockCount &- 1, blockLength: UInt32(blockSize),
                                  logicalBlocksPerPhysicalBlockExponent: o.logicalBlocksPerPhysicalBlockExponent & 0x0F,
                                  lbpme: o.thinProvisioned, lbprz: reportsLBPRZ)
    }

    public func readCapacity10() -> ReadCapacity10Data {
        ReadCapacity10Data(lastLBA: blockCount &- 1, blockLength: UInt32(blockSize))
    }

    /// The optimal unmap granularity in blocks (option, else the store's allocation unit).
    public var optimalUnmapGranularity: UInt32 {
        if let g = options.optimalUnmapGranularity { return g }
        return UInt32(clamping: Swift.max(1, store.allocationGranularity / Swift.max(1, blockSize)))
    }

    public func blockLimits() -> BlockLimitsPage {
        let o = options
        let thin = o.thinProvisioned
        return BlockLimitsPage(writeSameNonZero: o.writeSameNonZero,
                               optimalTransferLengthGranularity: UInt16(1) << Swift.min(15, o.logicalBlocksPerPhysicalBlockExponent),
                               maximumTransferLength: o.maximumTransferLength,
                               optimalTransferLength: o.optimalTransferLength,
                               maximumUnmapLBACount: thin ? o.maximumUnmapLBACount : 0,
                               maximumUnmapBlockDescriptorCount: thin ? o.maximumUnmapBlockDescriptorCount : 0,
                               optimalUnmapGranularity: thin ? optimalUnmapGranularity : 0,
                               unmapGranularityAlignment: nil,
                               maximumWriteSameLength: o.maximumWriteSameLength)
    }

    public func logicalBlockProvisioning() -> LogicalBlockProvisioningPage {
        let o = options
        return LogicalBlockProvisioningPage(lbpu: o.thinProvisioned, lbpws: o.thinProvisioned, lbpws10: false,
                                            lbprz: reportsLBPRZ ? 1 : 0, anchorSupported: false,
                                            descriptorPresent: false, provisioningType: o.thinProvisioned ? 2 : 0)
    }

    public func blockDeviceCharacteristics() -> BlockDeviceCharacteristicsPage {
        BlockDeviceCharacteristicsPage(mediumRotationRate: options.mediumRotationRate)
    }

    /// VPD 0x83 for this LU seen through a port: the exposed LU designators, the port's own,
    /// then any deliberately malformed bytes (so a defensive parser still finds the good ones).
    public func deviceIdentificationPage(portDesignators: [Designator] = []) -> [UInt8] {
        var page = DeviceIdentificationPage(designators: identity.designators + portDesignators).encoded()
        let malformed = identity.malformedDesignatorBytes
        if !malformed.isEmpty {
            page += malformed
            page.setBE16(UInt16(truncatingIfNeeded: page.count - 4), at: 2)
        }
        return page
    }
}
