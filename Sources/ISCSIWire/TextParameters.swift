/// The reserved answer values of text negotiation (RFC 7143 6.2).
public enum TextSpecialValue: String, Equatable, Hashable, Sendable, CaseIterable {
    /// The offered value is not acceptable.
    case reject = "Reject"
    /// The key does not apply in this situation (e.g. InitialR2T in a Discovery session).
    case irrelevant = "Irrelevant"
    /// The key is unknown to the responder.
    case notUnderstood = "NotUnderstood"
}

/// One key=value pair.
public struct TextKeyValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// Set when the value is one of the reserved answers.
    public var specialValue: TextSpecialValue? { TextSpecialValue(rawValue: value) }

    /// The value split at commas (list-of-values keys such as HeaderDigest=None,CRC32C).
    public var listValues: [String] { value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }

    public var description: String { "\(key)=\(value)" }
}

/// The data segment of Login and Text PDUs: key=value pairs, each ended by a NUL, in UTF-8
/// (RFC 7143 6.1). Order is kept because answers follow the order of the offers and some keys
/// (SendTargets' TargetName/TargetAddress) are read as a sequence.
public struct TextParameters: Equatable, Sendable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// Key names are at most 63 bytes (RFC 7143 6.1).
    public static let maximumKeyLength = 63

    public var pairs: [TextKeyValue]

    public init(_ pairs: [TextKeyValue] = []) { self.pairs = pairs }

    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { TextKeyValue($0.0, $0.1) }
    }

    /// Parses a complete data segment. Every pair must end in a NUL; NULs after the last pair
    /// (padding some initiators leave in the length) are ignored. A key may appear once unless
    /// it is in `repeatableKeys` (RFC 7143 6.2: redeclaration is a protocol error).
    public init(parsing bytes: [UInt8], repeatableKeys: Set<String> = []) throws {
        pairs = []
        var seen = Set<String>()
        var start = 0
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: 0) else {
                throw ISCSIWireError.malformedText(detail: "the text after byte \(start) is not NUL-terminated")
            }
            if end == start {
                // An empty string: only trailing NULs may follow.
                guard bytes[start...].allSatisfy({ $0 == 0 }) else {
                    throw ISCSIWireError.malformedText(detail: "empty key=value pair at byte \(start)")
                }
                break
            }
            let pair = try Self.parsePair(bytes[start..<end], at: start)
            if !repeatableKeys.contains(pair.key) {
                guard seen.insert(pair.key).inserted else { throw ISCSIWireError.duplicateKey(pair.key) }
            }
            pairs.append(pair)
            start = end + 1
        }
    }

    private static func parsePair(_ b: ArraySlice<UInt8>, at offset: Int) throws -> TextKeyValue {
        guard let eq = b.firstIndex(of: UInt8(ascii: "=")) else {
            throw ISCSIWireError.malformedText(detail: "no '=' in the pair at byte \(offset)")
        }
        let keyBytes = b[b.startIndex..<eq]
        guard !keyBytes.isEmpty else { throw ISCSIWireError.malformedText(detail: "empty key at byte \(offset)") }
        guard keyBytes.count <= maximumKeyLength else {
            throw ISCSIWireError.malformedText(detail: "key at byte \(offset) is \(keyBytes.count) bytes (maximum \(maximumKeyLength))")
        }
        guard keyBytes.allSatisfy(isKeyCharacter) else {
            throw ISCSIWireError.malformedText(detail: "key at byte \(offset) has a character outside a-z A-Z 0-9 . - + @ _")
        }
        let valueBytes = b[(eq + 1)...]
        // String(validating:) needs macOS 15; decoding repairs bad UTF-8, so compare instead.
        let value = String(decoding: valueBytes, as: UTF8.self)
        guard value.utf8.elementsEqual(valueBytes) else {
            throw ISCSIWireError.malformedText(detail: "value at byte \(offset) is not UTF-8")
        }
        return TextKeyValue(String(decoding: keyBytes, as: UTF8.self), value)
    }

    /// RFC 7143 6.1 key-name characters.
    static func isKeyCharacter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "@"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// key=value NUL key=value NUL ... (no padding: that belongs to the PDU).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        for p in pairs {
            out += Array(p.key.utf8)
            out.append(UInt8(ascii: "="))
            out += Array(p.value.utf8)
            out.append(0)
        }
        return out
    }

    /// The encoding cut into data segments of at most `maximumLength` bytes, for a response
    /// sent as several PDUs with the C bit (RFC 7143 6.1 lets a pair span PDUs). Always at
    /// least one segment, possibly empty.
    public func encodedSegments(maximumLength: Int) -> [[UInt8]] {
        let all = encoded()
        let size = Swift.max(1, maximumLength)
        guard all.count > size else { return [all] }
        return stride(from: 0, to: all.count, by: size).map { Array(all[$0..<Swift.min($0 + size, all.count)]) }
    }

    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [String] { pairs.map(\.key) }

    /// The first value of `key`.
    public subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    public func values(for key: String) -> [String] { pairs.filter { $0.key == key }.map(\.value) }

    public mutating func append(_ key: String, _ value: String) { pairs.append(TextKeyValue(key, value)) }

    public mutating func append(contentsOf other: TextParameters) { pairs += other.pairs }

    public var description: String { pairs.map(\.description).joined(separator: " ") }
}
