/// VPD page 0xB2, logical block provisioning (SBC-4 6.6.6): whether UNMAP and WRITE SAME with
/// UNMAP work and what unmapped blocks read as. A host copy keeps a thin destination thin only
/// when it knows these.
public struct LogicalBlockProvisioningPage: Equatable, Sendable {
    public var thresholdExponent: UInt8
    /// UNMAP command supported.
    public var lbpu: Bool
    /// WRITE SAME(16) with UNMAP supported.
    public var lbpws: Bool
    /// WRITE SAME(10) with UNMAP supported.
    public var lbpws10: Bool
    /// What unmapped blocks read as: 0 = unspecified, 1 = zeros (3 bits in SBC-4).
    public var lbprz: UInt8
    public var anchorSupported: Bool
    public var descriptorPresent: Bool
    public var minimumPercentage: UInt8
    /// 0 = not reported / full, 1 = resource provisioned, 2 = thin provisioned.
    public var provisioningType: UInt8
    public var thresholdPercentage: UInt8

    public init(thresholdExponent: UInt8 = 0, lbpu: Bool, lbpws: Bool, lbpws10: Bool = false, lbprz: UInt8,
                anchorSupported: Bool = false, descriptorPresent: Bool = false, minimumPercentage: UInt8 = 0,
                provisioningType: UInt8, thresholdPercentage: UInt8 = 0) {
        self.thresholdExponent = thresholdExponent
        self.lbpu = lbpu
        self.lbpws = lbpws
        self.lbpws10 = lbpws10
        self.lbprz = lbprz
        self.anchorSupported = anchorSupported
        self.descriptorPresent = descriptorPresent
        self.minimumPercentage = minimumPercentage
        self.provisioningType = provisioningType
        self.thresholdPercentage = thresholdPercentage
    }

    public init(parsing b: [UInt8]) throws {
        let (_, body) = try VPDPageHeader.body(of: b, expecting: .logicalBlockProvisioning)
        try body.checkRange(0, 4, "logical block provisioning page")
        thresholdExponent = body[0]
        lbpu = body[1] & 0x80 != 0
        lbpws = body[1] & 0x40 != 0
        lbpws10 = body[1] & 0x20 != 0
        lbprz = (body[1] >> 2) & 0x07
        anchorSupported = body[1] & 0x02 != 0
        descriptorPresent = body[1] & 0x01 != 0
        minimumPercentage = body[2] >> 3
        provisioningType = body[2] & 0x07
        thresholdPercentage = body[3]
    }

    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        let b1 = (lbpu ? 0x80 : 0) | (lbpws ? 0x40 : 0) | (lbpws10 ? 0x20 : 0) | (lbprz & 7) << 2
            | (anchorSupported ? 0x02 : 0) | (descriptorPresent ? 0x01 : 0)
        return VPDPageHeader.encode(.logicalBlockProvisioning, deviceType: deviceType,
                                    body: [thresholdExponent, UInt8(b1), minimumPercentage << 3 | (provisioningType & 7), thresholdPercentage])
    }

    public var provisioningTypeName: String {
        switch provisioningType {
        case 0: return "not reported"
        case 1: return "resource provisioned"
        case 2: return "thin provisioned"
        default: return "reserved (\(provisioningType))"
        }
    }
}
