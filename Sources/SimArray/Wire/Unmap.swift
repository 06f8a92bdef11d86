import SCSIWire

/// UNMAP CDB (SBC-4 5.32.1): 42h; byte 1 ANCHOR (bit 0); GROUP NUMBER 6 (bits 4-0); PARAMETER
/// LIST LENGTH 7-8; CONTROL 9.
public struct UnmapCDB: Equatable, Sendable {
    public static let length = 10
    public var anchor: Bool
    public var groupNumber: UInt8
    public var parameterListLength: UInt16
    public var control: UInt8

    public init(parameterListLength: UInt16, anchor: Bool = false, groupNumber: UInt8 = 0, control: UInt8 = 0) {
        self.parameterListLength = parameterListLength
        self.anchor = anchor
        self.groupNumber = groupNumber
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "UNMAP CDB")
        anchor = cdb[1] & 0x01 != 0
        groupNumber = cdb[6] & 0x1F
        parameterListLength = try cdb.be16(at: 7)
        control = cdb[9]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: Self.length)
        c[0] = OperationCode.unmap.rawValue
        c[1] = anchor ? 1 : 0
        c[6] = groupNumber & 0x1F
        c.setBE16(parameterListLength, at: 7)
        c[9] = control
        return c
    }
}

/// One UNMAP block descriptor (16 bytes): LBA 0-7, NUMBER OF LOGICAL BLOCKS 8-11, reserved 12-15.
public struct UnmapBlockDescriptor: Equatable, Sendable {
    public var logicalBlockAddress: UInt64
    public var numberOfBlocks: UInt32
    public init(logicalBlockAddress: UInt64, numberOfBlocks: UInt32) {
        self.logicalBlockAddress = logicalBlockAddress
        self.numberOfBlocks = numberOfBlocks
    }
}

/// UNMAP parameter list (SBC-4 5.32.2): UNMAP DATA LENGTH 0-1 (n-1), UNMAP BLOCK DESCRIPTOR
/// DATA LENGTH 2-3 (n-7), reserved 4-7, then 16-byte block descriptors.
///
/// Parsing keeps the two length fields as sent and reads descriptors as far as both the
/// descriptor data length and the bytes present allow; an incomplete last descriptor is
/// ignored, as SBC requires. Whether the declared lengths are consistent is the device
/// server's judgement (`declaredDescriptorBytesMissing`), not the parser's.
public struct UnmapParameterList: Equatable, Sendable {
    public var unmapDataLength: UInt16
    public var blockDescriptorDataLength: UInt16
    public var descriptors: [UnmapBlockDescriptor]

    /// A well-formed list: both length fields computed from the descriptors.
    public init(descriptors: [UnmapBlockDescriptor]) {
        self.descriptors = descriptors
        blockDescriptorDataLength = UInt16(truncatingIfNeeded: 16 * descriptors.count)
        unmapDataLength = UInt16(truncatingIfNeeded: 6 + 16 * descriptors.count)
    }

    public init(unmapDataLength: UInt16, blockDescriptorDataLength: UInt16, descriptors: [UnmapBlockDescriptor]) {
        self.unmapDataLength = unmapDataLength
        self.blockDescriptorDataLength = blockDescriptorDataLength
        self.descriptors = descriptors
    }

    public init(parsing b: [UInt8]) throws {
        try b.requireLength(8, "UNMAP parameter list header")
        unmapDataLength = try b.be16(at: 0)
        blockDescriptorDataLength = try b.be16(at: 2)
        let available = Swift.min(Int(blockDescriptorDataLength), b.count - 8)
        descriptors = try (0..<(available / 16)).map { i in
            UnmapBlockDescriptor(logicalBlockAddress: try b.be64(at: 8 + 16 * i),
                                 numberOfBlocks: try b.be32(at: 16 + 16 * i))
        }
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8 + 16 * descriptors.count)
        b.setBE16(unmapDataLength, at: 0)
        b.setBE16(blockDescriptorDataLength, at: 2)
        for (i, d) in descriptors.enumerated() {
            b.setBE64(d.logicalBlockAddress, at: 8 + 16 * i)
            b.setBE32(d.numberOfBlocks, at: 16 + 16 * i)
        }
        return b
    }
}
