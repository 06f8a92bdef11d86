/// Why iSCSI bytes could not be read or built. Every parser in ISCSIWire throws this instead of
/// trapping, so a hostile initiator costs one error (and usually one Reject), never a crash.
public enum ISCSIWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes end before a field the format requires.
    case truncated(what: String, needed: Int, available: Int)
    /// A field holds a value the format forbids.
    case invalidField(what: String, detail: String)
    /// A value does not fit the field that must carry it (building, not parsing).
    case valueOutOfRange(what: String, value: UInt64, maximum: UInt64)
    /// A typed view was asked to read a PDU of another kind (`found` is the raw opcode).
    case unexpectedOpcode(expected: ISCSIOpcode, found: UInt8)
    /// The opcode is not one an initiator may send (or no opcode at all): RFC 7143 11.17.1 has
    /// the target answer with a Reject, reason "Command not supported".
    case unsupportedOpcode(UInt8, header: BasicHeaderSegment)
    /// The header digest does not match: the length fields cannot be trusted, so the
    /// connection has lost framing and must be dropped (RFC 7143 digest error handling).
    case headerDigestMismatch(computed: UInt32, received: UInt32)
    /// The data digest does not match: the PDU was consumed and must be answered with a Reject,
    /// reason "Data (payload) digest error" (RFC 7143 11.17.1).
    case dataDigestMismatch(computed: UInt32, received: UInt32, header: BasicHeaderSegment)
    /// The data segment is longer than the MaxRecvDataSegmentLength we declared: a protocol
    /// error, answered with a Reject (the PDU was consumed, so framing holds).
    case dataSegmentTooLong(length: Int, limit: Int, header: BasicHeaderSegment)
    /// Text (key=value) data that breaks RFC 7143 6.1 (no '=', bad key name, missing NUL...).
    case malformedText(detail: String)
    /// A key appears twice where the RFC allows it once (RFC 7143 6.2).
    case duplicateKey(String)
    /// Continued text (C bit) grew past the accumulator's limit.
    case textTooLong(length: Int, limit: Int)

    public var description: String {
        switch self {
        case let .truncated(what, needed, available):
            return "\(what): truncated (needs \(needed) bytes, has \(available))"
        case let .invalidField(what, detail):
            return "\(what): \(detail)"
        case let .valueOutOfRange(what, value, maximum):
            return "\(what): \(value) does not fit (maximum \(maximum))"
        case let .unexpectedOpcode(expected, found):
            return "expected a \(expected) PDU, found opcode \(hex8(found))"
        case let .unsupportedOpcode(code, _):
            return "opcode \(hex8(code)) is not an initiator opcode"
        case let .headerDigestMismatch(computed, received):
            return "header digest mismatch (computed \(hex32(computed)), received \(hex32(received)))"
        case let .dataDigestMismatch(computed, received, _):
            return "data digest mismatch (computed \(hex32(computed)), received \(hex32(received)))"
        case let .dataSegmentTooLong(length, limit, _):
            return "data segment of \(length) bytes exceeds MaxRecvDataSegmentLength \(limit)"
        case let .malformedText(detail):
            return "malformed text parameters: \(detail)"
        case let .duplicateKey(key):
            return "key '\(key)' appears more than once"
        case let .textTooLong(length, limit):
            return "continued text of \(length) bytes exceeds the limit of \(limit)"
        }
    }

    /// The Reject reason a target answers this error with (RFC 7143 11.17.1), or nil when no
    /// Reject applies: a header digest error leaves the stream unframed (drop the connection),
    /// and text errors during login become a Login Response status instead.
    public var rejectReason: RejectReason? {
        switch self {
        case .dataDigestMismatch: return .dataDigestError
        case .dataSegmentTooLong: return .protocolError
        case .unsupportedOpcode: return .commandNotSupported
        case .truncated, .invalidField, .unexpectedOpcode: return .invalidPDUField
        case .headerDigestMismatch, .valueOutOfRange, .malformedText, .duplicateKey, .textTooLong: return nil
        }
    }

    /// The header of the offending PDU when the error carries it (to echo in a Reject).
    public var offendingHeader: BasicHeaderSegment? {
        switch self {
        case let .dataDigestMismatch(_, _, header), let .dataSegmentTooLong(_, _, header),
             let .unsupportedOpcode(_, header):
            return header
        default:
            return nil
        }
    }

    /// False when the connection cannot continue (framing lost).
    public var isConnectionFatal: Bool {
        if case .headerDigestMismatch = self { return true }
        return false
    }
}

func hex8(_ v: UInt8) -> String { "0x" + hexDigits(UInt64(v), width: 2) }
func hex32(_ v: UInt32) -> String { "0x" + hexDigits(UInt64(v), width: 8) }

func hexDigits(_ v: UInt64, width: Int) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    var s = ""
    for i in stride(from: width - 1, through: 0, by: -1) { s.append(digits[Int((v >> (4 * UInt64(i))) & 0xF)]) }
    return s
}
