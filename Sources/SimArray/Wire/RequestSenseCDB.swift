import SCSIWire

/// REQUEST SENSE CDB (SPC-4 6.39): 03h; byte 1 DESC (bit 0: descriptor format wanted);
/// ALLOCATION LENGTH 4; CONTROL 5.
public struct RequestSenseCDB: Equatable, Sendable {
    public static let length = 6
    public var descriptorFormat: Bool
    public var allocationLength: UInt8
    public var control: UInt8

    public init(descriptorFormat: Bool = false, allocationLength: UInt8 = 252, control: UInt8 = 0) {
        self.descriptorFormat = descriptorFormat
        self.allocationLength = allocationLength
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "REQUEST SENSE CDB")
        descriptorFormat = cdb[1] & 0x01 != 0
        allocationLength = cdb[4]
        control = cdb[5]
    }

    public func encoded() -> [UInt8] {
        [OperationCode.requestSense.rawValue, descriptorFormat ? 1 : 0, 0, 0, allocationLength, control]
    }
}
