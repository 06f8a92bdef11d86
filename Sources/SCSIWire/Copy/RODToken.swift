/// A ROD token (SPC-4 7.3.7, 512 bytes): what POPULATE TOKEN creates and WRITE USING TOKEN
/// consumes. To an initiator it is opaque and must be echoed bit for bit, so this type is
/// lossless: every byte, reserved and vendor-filled ones included, survives parse and encode.
public struct RODToken: Equatable, Hashable, Sendable {
    public static let length = 512
    /// ROD TOKEN LENGTH of a 512-byte token (bytes after byte 7).
    public static let standardTokenLength: UInt16 = 0x01F8

    public var rodType: RODType
    /// Bytes 4-5, reserved; kept so the token round-trips exactly.
    public var reserved4: UInt16
    /// ROD TOKEN LENGTH (bytes 6-7), normally 504.
    public var rodTokenLength: UInt16
    public var copyManagerRODTokenIdentifier: UInt64
    /// Bytes 16-47: a 32-byte 0xE4 CSCD naming the source LU, raw because tokens need not carry
    /// a valid one (the zero ROD token has zeros). See `creatorLogicalUnit`.
    public var creatorLogicalUnitDescriptor: [UInt8]
    /// NUMBER OF BYTES REPRESENTED (bytes 48-63, 128-bit): upper and lower 64 bits.
    public var numberOfBytesRepresentedHigh: UInt64
    public var numberOfBytesRepresentedLow: UInt64
    /// Bytes 64-95.
    public var rodTypeSpecific: [UInt8]
    /// Bytes 96-127; for block devices bytes 8-31 of READ CAPACITY(16) data and 8 zero bytes.
    public var deviceTypeSpecific: [UInt8]
    /// Bytes 128-511: target device descriptor (for AUR and PIT types), then extended and
    /// vendor data (CTL: random bytes, the token's unguessable part).
    public var trailingData: [UInt8]

    /// Field sizes; `encoded()` zero-pads shorter arrays and rejects longer ones.
    public static let creatorLogicalUnitDescriptorLength = 32
    public static let rodTypeSpecificLength = 32
    public static let deviceTypeSpecificLength = 32
    public static let trailingDataLength = 384

    public init(rodType: RODType, reserved4: UInt16 = 0, rodTokenLength: UInt16 = RODToken.standardTokenLength,
                copyManagerRODTokenIdentifier: UInt64, creatorLogicalUnitDescriptor: [UInt8],
                numberOfBytesRepresentedHigh: UInt64 = 0, numberOfBytesRepresentedLow: UInt64,
                rodTypeSpecific: [UInt8], deviceTypeSpecific: [UInt8], trailingData: [UInt8]) {
        self.rodType = rodType
        self.reserved4 = reserved4
        self.rodTokenLength = rodTokenLength
        self.copyManagerRODTokenIdentifier = copyManagerRODTokenIdentifier
        self.creatorLogicalUnitDescriptor = creatorLogicalUnitDescriptor
        self.numberOfBytesRepresentedHigh = numberOfBytesRepresentedHigh
        self.numberOfBytesRepresentedLow = numberOfBytesRepresentedLow
        self.rodTypeSpecific = rodTypeSpecific
        self.deviceTypeSpecific = deviceTypeSpecific
        self.trailingData = trailingData
    }

    /// A token as a copy manager creates one (modelled on FreeBSD `tpc_create_token()`): the
    /// creator CSCD, the byte count, device-type-specific data, then at byte 128 the target
    /// device designation descriptor (if any) followed by `fill` (random bytes, say). Fields
    /// are zero-padded to full size, so the value equals its own parse. Throws when a part
    /// does not fit its field.
    public init(rodType: RODType, copyManagerRODTokenIdentifier: UInt64, creator: IdentificationCSCD?,
                numberOfBytesRepresented: UInt64, deviceTypeSpecific: [UInt8] = [],
                targetDeviceDescriptor: Designator? = nil, fill: [UInt8] = []) throws {
        let creatorBytes = try creator?.encoded() ?? []
        let trailing = (targetDeviceDescriptor?.encoded() ?? []) + fill
        self.init(rodType: rodType, copyManagerRODTokenIdentifier: copyManagerRODTokenIdentifier,
                  creatorLogicalUnitDescriptor: try RODToken.padded(creatorBytes, to: RODToken.creatorLogicalUnitDescriptorLength, "ROD token creator logical unit descriptor"),
                  numberOfBytesRepresentedLow: numberOfBytesRepresented,
                  rodTypeSpecific: [UInt8](repeating: 0, count: RODToken.rodTypeSpecificLength),
                  deviceTypeSpecific: try RODToken.padded(deviceTypeSpecific, to: RODToken.deviceTypeSpecificLength, "ROD token device-type-specific data"),
                  trailingData: try RODToken.padded(trailing, to: RODToken.trailingDataLength, "ROD token target device descriptor and fill"))
    }

    /// The well-known block device zero ROD token (type 0xFFFF0001, length 0x1F8, all else
    /// zero, as ddpt builds it): WRITE USING TOKEN with it writes zeros, no POPULATE TOKEN
    /// needed. CTL checks only the type.
    public static let blockDeviceZero = RODToken(
        rodType: .blockDeviceZero, copyManagerRODTokenIdentifier: 0,
        creatorLogicalUnitDescriptor: [UInt8](repeating: 0, count: creatorLogicalUnitDescriptorLength),
        numberOfBytesRepresentedLow: 0,
        rodTypeSpecific: [UInt8](repeating: 0, count: rodTypeSpecificLength),
        deviceTypeSpecific: [UInt8](repeating: 0, count: deviceTypeSpecificLength),
        trailingData: [UInt8](repeating: 0, count: trailingDataLength))

    /// NUMBER OF BYTES REPRESENTED as UInt64, saturating when the upper half is non-zero.
    public var numberOfBytesRepresented: UInt64 {
        numberOfBytesRepresentedHigh != 0 ? UInt64.max : numberOfBytesRepresentedLow
    }

    /// The creator descriptor decoded, or nil when it is not a valid 0xE4 CSCD.
    public var creatorLogicalUnit: IdentificationCSCD? {
        try? IdentificationCSCD(parsing: creatorLogicalUnitDescriptor)
    }

    /// For block devices: LOGICAL BLOCK LENGTH from the device-type-specific data (bytes 96-99).
    public var logicalBlockLength: UInt32? {
        try? deviceTypeSpecific.be32(at: 0)
    }

    /// The designation descriptor at byte 128, or nil when there is none (zero length) or it
    /// runs past the token.
    public var targetDeviceDescriptor: Designator? {
        guard trailingData.count >= 4 else { return nil }
        let valueLength = Int(trailingData[3])
        guard valueLength > 0, 4 + valueLength <= trailingData.count else { return nil }
        return Designator(designationHeaderByte0: trailingData[0], byte1: trailingData[1],
                          value: Array(trailingData[4..<(4 + valueLength)]))
    }

    /// Reads the first 512 bytes; never fails on content, only on length.
    public init(parsing bytes: [UInt8]) throws {
        try bytes.checkRange(0, RODToken.length, "ROD token")
        rodType = RODType(rawValue: try bytes.be32(at: 0))
        reserved4 = try bytes.be16(at: 4)
        rodTokenLength = try bytes.be16(at: 6)
        copyManagerRODTokenIdentifier = try bytes.be64(at: 8)
        creatorLogicalUnitDescriptor = Array(bytes[16..<48])
        numberOfBytesRepresentedHigh = try bytes.be64(at: 48)
        numberOfBytesRepresentedLow = try bytes.be64(at: 56)
        rodTypeSpecific = Array(bytes[64..<96])
        deviceTypeSpecific = Array(bytes[96..<128])
        trailingData = Array(bytes[128..<512])
    }

    public func encoded() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: RODToken.length)
        out.setBE32(rodType.rawValue, at: 0)
        out.setBE16(reserved4, at: 4)
        out.setBE16(rodTokenLength, at: 6)
        out.setBE64(copyManagerRODTokenIdentifier, at: 8)
        try RODToken.place(creatorLogicalUnitDescriptor, in: &out, at: 16, size: RODToken.creatorLogicalUnitDescriptorLength, "ROD token creator logical unit descriptor")
        out.setBE64(numberOfBytesRepresentedHigh, at: 48)
        out.setBE64(numberOfBytesRepresentedLow, at: 56)
        try RODToken.place(rodTypeSpecific, in: &out, at: 64, size: RODToken.rodTypeSpecificLength, "ROD token ROD-type-specific data")
        try RODToken.place(deviceTypeSpecific, in: &out, at: 96, size: RODToken.deviceTypeSpecificLength, "ROD token device-type-specific data")
        try RODToken.place(trailingData, in: &out, at: 128, size: RODToken.trailingDataLength, "ROD token target device descriptor and extended data")
        return out
    }

    private static func padded(_ field: [UInt8], to size: Int, _ what: String) throws -> [UInt8] {
        guard field.count <= size else {
            throw WireError.valueOutOfRange(what: what, value: UInt64(field.count), maximum: UInt64(size))
        }
        return field + [UInt8](repeating: 0, count: size - field.count)
    }

    private static func place(_ field: [UInt8], in out: inout [UInt8], at offset: Int, size: Int, _ what: String) throws {
        guard field.count <= size else {
            throw WireError.valueOutOfRange(what: what, value: UInt64(field.count), maximum: UInt64(size))
        }
        out.setBytes(field, at: offset)
    }
}
