import SCSIWire

/// VPD page B1h, block device characteristics (SBC-4 6.6.2), page length 003Ch: MEDIUM
/// ROTATION RATE 4-5 (0001h = non-rotating medium), PRODUCT TYPE 6, byte 7 WABEREQ (bits 7-6),
/// WACEREQ (bits 5-4), NOMINAL FORM FACTOR (bits 3-0); byte 8 FUAB (bit 1), VBULS (bit 0).
public struct BlockDeviceCharacteristicsPage: Equatable, Sendable {
    public var mediumRotationRate: UInt16
    public var productType: UInt8
    public var nominalFormFactor: UInt8
    public var fuab: Bool
    public var vbuls: Bool

    public init(mediumRotationRate: UInt16 = 1, productType: UInt8 = 0, nominalFormFactor: UInt8 = 0,
                fuab: Bool = false, vbuls: Bool = false) {
        self.mediumRotationRate = mediumRotationRate
        self.productType = productType
        self.nominalFormFactor = nominalFormFactor
        self.fuab = fuab
        self.vbuls = vbuls
    }

    public init(parsing b: [UInt8]) throws {
        guard try b.u8(at: 1, "block device characteristics page") == VPDPageCode.blockDeviceCharacteristics.rawValue else {
            throw WireError.invalidField(what: "block device characteristics page", detail: "page code \(hexByte(b[1]))")
        }
        mediumRotationRate = try b.be16(at: 4, "MEDIUM ROTATION RATE")
        productType = try b.u8(at: 6, "PRODUCT TYPE")
        nominalFormFactor = try b.u8(at: 7, "NOMINAL FORM FACTOR") & 0x0F
        let b8 = try b.u8(at: 8, "FUAB/VBULS")
        fuab = b8 & 0x02 != 0
        vbuls = b8 & 0x01 != 0
    }

    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: 0x3C)
        body.setBE16(mediumRotationRate, at: 0)
        body[2] = productType
        body[3] = nominalFormFactor & 0x0F
        body[4] = (fuab ? 0x02 : 0) | (vbuls ? 0x01 : 0)
        return encodeVPDPage(.blockDeviceCharacteristics, deviceType: deviceType, body: body)
    }
}
