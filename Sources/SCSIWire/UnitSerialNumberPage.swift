/// VPD page 0x80: the unit serial number as ASCII.
public struct UnitSerialNumberPage: Equatable, Sendable {
    public var serialNumber: String
    public init(serialNumber: String) { self.serialNumber = serialNumber }

    public init(parsing b: [UInt8]) throws {
        let (_, body) = try VPDPageHeader.body(of: b, expecting: .unitSerialNumber)
        serialNumber = scsiASCII(body)
    }

    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        VPDPageHeader.encode(.unitSerialNumber, deviceType: deviceType, body: Array(serialNumber.utf8))
    }
}
