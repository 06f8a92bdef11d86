import SCSIWire

/// READ(10), READ(16), WRITE(10) and WRITE(16) CDBs (SBC-4 5.16-5.17, 5.40-5.41), which share
/// one shape: byte 1 RDPROTECT/WRPROTECT (bits 7-5), DPO (bit 4), FUA (bit 3), RARC (bit 2,
/// reads only); then LBA, TRANSFER LENGTH and GROUP NUMBER at offsets set by the CDB size.
///
/// | | LBA | TRANSFER LENGTH | GROUP NUMBER | CONTROL |
/// |---|---|---|---|---|
/// | 10-byte | 2-5 | 7-8 | 6 (bits 4-0) | 9 |
/// | 16-byte | 2-9 | 10-13 | 14 (bits 5-0) | 15 |
public struct BlockTransferCDB: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case read10, read16, write10, write16

        public var operationCode: OperationCode {
            switch self {
            case .read10: return .read10
            case .read16: return .read16
            case .write10: return .write10
            case .write16: return .write16
            }
        }
        public var length: Int { self == .read10 || self == .write10 ? 10 : 16 }
        public var isWrite: Bool { self == .write10 || self == .write16 }

        public init?(operationCode: UInt8) {
            switch operationCode {
            case OperationCode.read10.rawValue: self = .read10
            case OperationCode.read16.rawValue: self = .read16
            case OperationCode.write10.rawValue: self = .write10
            case OperationCode.write16.rawValue: self = .write16
            default: return nil
            }
        }
    }

    public var kind: Kind
    /// RDPROTECT or WRPROTECT, 0-7.
    public var protect: UInt8
    public var dpo: Bool
    public var fua: Bool
    /// Rebuild assist recovery control (reads only).
    public var rarc: Bool
    public var logicalBlockAddress: UInt64
    public var transferLength: UInt32
    public var groupNumber: UInt8
    public var control: UInt8

    public init(kind: Kind, logicalBlockAddress: UInt64, transferLength: UInt32, protect: UInt8 = 0,
                dpo: Bool = false, fua: Bool = false, rarc: Bool = false, groupNumber: UInt8 = 0, control: UInt8 = 0) {
        self.kind = kind
        self.logicalBlockAddress = logicalBlockAddress
        self.transferLength = transferLength
        self.protect = protect
        self.dpo = dpo
        self.fua = fua
        self.rarc = rarc
        self.groupNumber = groupNumber
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        guard let first = cdb.first, let kind = Kind(operationCode: first) else {
            throw WireError.invalidField(what: "READ/WRITE CDB", detail: "operation code \(cdb.first.map(hexByte) ?? "missing") is not READ/WRITE(10/16)")
        }
        try cdb.requireLength(kind.length, "\(kind.operationCode) CDB")
        self.kind = kind
        protect = cdb[1] >> 5
        dpo = cdb[1] & 0x10 != 0
        fua = cdb[1] & 0x08 != 0
        rarc = cdb[1] & 0x04 != 0
        if kind.length == 10 {
            logicalBlockAddress = UInt64(try cdb.be32(at: 2))
            groupNumber = cdb[6] & 0x1F
            transferLength = UInt32(try cdb.be16(at: 7))
            control = cdb[9]
        } else {
            logicalBlockAddress = try cdb.be64(at: 2)
            transferLength = try cdb.be32(at: 10)
            groupNumber = cdb[14] & 0x3F
            control = cdb[15]
        }
    }

    /// The CDB bytes; throws when the LBA or length does not fit a 10-byte CDB.
    public func encoded() throws -> [UInt8] {
        var c = [UInt8](repeating: 0, count: kind.length)
        c[0] = kind.operationCode.rawValue
        c[1] = (protect & 0x07) << 5 | (dpo ? 0x10 : 0) | (fua ? 0x08 : 0) | (rarc ? 0x04 : 0)
        if kind.length == 10 {
            guard logicalBlockAddress <= UInt64(UInt32.max) else {
                throw WireError.valueOutOfRange(what: "\(kind.operationCode) LBA", value: logicalBlockAddress, maximum: UInt64(UInt32.max))
            }
            guard transferLength <= UInt32(UInt16.max) else {
                throw WireError.valueOutOfRange(what: "\(kind.operationCode) TRANSFER LENGTH", value: UInt64(transferLength), maximum: UInt64(UInt16.max))
            }
            c.setBE32(UInt32(logicalBlockAddress), at: 2)
            c[6] = groupNumber & 0x1F
            c.setBE16(UInt16(transferLength), at: 7)
            c[9] = control
        } else {
            c.setBE64(logicalBlockAddress, at: 2)
            c.setBE32(transferLength, at: 10)
            c[14] = groupNumber & 0x3F
            c[15] = control
        }
        return c
    }
}
