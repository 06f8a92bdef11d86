/// The 48-byte Basic Header Segment that starts every iSCSI PDU (RFC 7143 11.2.1).
///
/// Kept as the raw 48 bytes so that anything received, including reserved bits and unknown
/// opcodes, survives a parse/encode round trip and can be echoed verbatim in a Reject. The
/// typed views (`SCSICommandPDU`, `LoginRequest`, ...) give each opcode's fields names.
///
///     byte 0      .|I| opcode          byte 1      F| opcode-specific
///     bytes 2-3   opcode-specific      byte 4      TotalAHSLength (4-byte words)
///     bytes 5-7   DataSegmentLength    bytes 8-15  LUN or opcode-specific
///     bytes 16-19 Initiator Task Tag   bytes 20-47 opcode-specific (seven words)
public struct BasicHeaderSegment: Equatable, Hashable, Sendable, CustomStringConvertible {
    public static let length = 48
    /// The reserved tag value 0xffffffff (ITT/TTT "no task", RFC 7143 11.2.1).
    public static let reservedTag: UInt32 = 0xFFFF_FFFF

    private var raw: [UInt8]

    /// All zeros (opcode NOP-Out).
    public init() { raw = [UInt8](repeating: 0, count: Self.length) }

    public init(opcode: ISCSIOpcode, immediate: Bool = false, final: Bool = false) {
        self.init()
        opcodeCode = opcode.rawValue
        isImmediate = immediate
        isFinal = final
    }

    /// Reads the first 48 bytes of `bytes`; anything after them (AHS, data) is ignored.
    public init(parsing bytes: [UInt8]) throws {
        try bytes.requireRange(0, Self.length, "Basic Header Segment")
        raw = Array(bytes[0..<Self.length])
    }

    public func encoded() -> [UInt8] { raw }

    // MARK: Common fields

    /// Byte 0 bits 5-0, kept raw so unknown opcodes can still be framed and rejected.
    public var opcodeCode: UInt8 {
        get { raw[0] & 0x3F }
        set { raw[0] = (raw[0] & 0xC0) | (newValue & 0x3F) }
    }

    /// The opcode, or nil for a value RFC 7143 does not define.
    public var opcode: ISCSIOpcode? { ISCSIOpcode(rawValue: opcodeCode) }

    /// Byte 0 bit 6: immediate delivery (the command does not advance CmdSN).
    public var isImmediate: Bool {
        get { raw[0] & 0x40 != 0 }
        set { setBit(0, 0x40, newValue) }
    }

    /// Byte 1 bit 7: F (final) for most PDUs, T (transit) for Login.
    public var isFinal: Bool {
        get { raw[1] & 0x80 != 0 }
        set { setBit(1, 0x80, newValue) }
    }

    /// Byte 1 bits 6-0: opcode-specific flags.
    public var flags: UInt8 {
        get { raw[1] & 0x7F }
        set { raw[1] = (raw[1] & 0x80) | (newValue & 0x7F) }
    }

    /// Byte 2 (opcode-specific: Response, Reason, Version-max, ...).
    public var opcodeSpecificByte2: UInt8 {
        get { raw[2] }
        set { raw[2] = newValue }
    }

    /// Byte 3 (opcode-specific: Status, Version-min, ...).
    public var opcodeSpecificByte3: UInt8 {
        get { raw[3] }
        set { raw[3] = newValue }
    }

    /// Byte 4: total length of the additional header segments in 4-byte words.
    public var totalAHSLength: UInt8 {
        get { raw[4] }
        set { raw[4] = newValue }
    }

    /// Bytes 5-7: data segment length in bytes, without padding or digest. The setter keeps
    /// the low 24 bits (`ISCSIPDU` rejects longer data before it gets here).
    public var dataSegmentLength: UInt32 {
        get { UInt32(raw[5]) << 16 | UInt32(raw[6]) << 8 | UInt32(raw[7]) }
        set {
            raw[5] = UInt8(truncatingIfNeeded: newValue >> 16)
            raw[6] = UInt8(truncatingIfNeeded: newValue >> 8)
            raw[7] = UInt8(truncatingIfNeeded: newValue)
        }
    }

    /// Bytes 8-15: the 8-byte LUN field as sent (SAM encoding: LUN n below 256 is
    /// `UInt64(n) << 48`), or opcode-specific (ISID and TSIH for Login).
    public var lun: UInt64 {
        get { be64(8) }
        set { setBE64(newValue, 8) }
    }

    /// Bytes 16-19.
    public var initiatorTaskTag: UInt32 {
        get { be32(16) }
        set { setBE32(newValue, 16) }
    }

    /// The seven opcode-specific words at bytes 20-47.
    public enum Word: Int, CaseIterable, Sendable {
        case bytes20 = 20, bytes24 = 24, bytes28 = 28, bytes32 = 32, bytes36 = 36, bytes40 = 40, bytes44 = 44
    }

    public subscript(word: Word) -> UInt32 {
        get { be32(word.rawValue) }
        set { setBE32(newValue, word.rawValue) }
    }

    public var description: String {
        let name = opcode.map { "\($0)" } ?? "opcode \(hex8(opcodeCode))"
        return "\(name) ITT \(hex32(initiatorTaskTag)) DSL \(dataSegmentLength)"
    }

    // MARK: Fixed-offset access for the typed views (offsets are constants inside 0..<48)

    func byte(_ offset: Int) -> UInt8 { raw[offset] }
    mutating func setByte(_ value: UInt8, _ offset: Int) { raw[offset] = value }

    func be16(_ offset: Int) -> UInt16 { UInt16(raw[offset]) << 8 | UInt16(raw[offset + 1]) }
    mutating func setBE16(_ value: UInt16, _ offset: Int) {
        raw[offset] = UInt8(truncatingIfNeeded: value >> 8)
        raw[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    func be32(_ offset: Int) -> UInt32 { raw.beUInt32(at: offset) }
    mutating func setBE32(_ value: UInt32, _ offset: Int) {
        for i in 0..<4 { raw[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * (3 - i))) }
    }

    func be64(_ offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(raw[offset + i]) }
        return v
    }
    mutating func setBE64(_ value: UInt64, _ offset: Int) {
        for i in 0..<8 { raw[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (7 - i))) }
    }

    func bytes(_ offset: Int, _ count: Int) -> [UInt8] { Array(raw[offset..<(offset + count)]) }
    mutating func setBytes(_ bytes: [UInt8], _ offset: Int) {
        for (i, b) in bytes.enumerated() { raw[offset + i] = b }
    }

    private mutating func setBit(_ offset: Int, _ mask: UInt8, _ on: Bool) {
        raw[offset] = on ? raw[offset] | mask : raw[offset] & ~mask
    }

    /// Throws unless this header carries `expected`.
    func require(_ expected: ISCSIOpcode) throws {
        guard opcodeCode == expected.rawValue else {
            throw ISCSIWireError.unexpectedOpcode(expected: expected, found: opcodeCode)
        }
    }
}
