import Foundation
import SCSIWire

// Helpers for the profile JSON: strict containers (an unknown key is an error, so a typo never
// silently falls back to a default), hex byte strings ("8F", "0x8F"), ASC/ASCQ pairs ("0D/02")
// and designator exposures.

/// A coding key for any string, used to list the keys a JSON object really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

extension Decoder {
    /// A keyed container that refuses keys other than `Keys`' cases.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy type: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let all = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        if let extra = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath + [AnyCodingKey(stringValue: extra)],
                debugDescription: "unknown key '\(extra)' (known: \(known.sorted().joined(separator: ", ")))"))
        }
        return try container(keyedBy: type)
    }
}

/// Parses "8F", "0x8F", "8fh"; nil when it is not a hex number that fits `bits`.
func parseHex(_ text: String, bits: Int) -> UInt64? {
    var t = text.trimmingCharacters(in: .whitespaces).lowercased()
    if t.hasPrefix("0x") { t.removeFirst(2) }
    if t.hasSuffix("h") { t.removeLast() }
    guard !t.isEmpty, t.count <= bits / 4, let v = UInt64(t, radix: 16) else { return nil }
    return v
}

func hexText(_ value: UInt64, digits: Int) -> String {
    let s = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: Swift.max(0, digits - s.count)) + s
}

extension KeyedDecodingContainer {
    func decodeHexBytes(forKey key: Key) throws -> [UInt8] {
        try decode([String].self, forKey: key).enumerated().map { i, text in
            guard let v = parseHex(text, bits: 8) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                       debugDescription: "item \(i) '\(text)' is not a hex byte like \"8F\"")
            }
            return UInt8(v)
        }
    }

    func decodeHexWords(forKey key: Key) throws -> [UInt16] {
        try decode([String].self, forKey: key).enumerated().map { i, text in
            guard let v = parseHex(text, bits: 16) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                       debugDescription: "item \(i) '\(text)' is not a 16-bit hex value like \"000C\"")
            }
            return UInt16(v)
        }
    }

    /// A 24-bit IEEE company ID written as hex ("589CFC"); absent or null = nil.
    func decodeCompanyID(forKey key: Key) throws -> UInt32? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let v = parseHex(text, bits: 24) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not a 24-bit hex company ID like \"589CFC\"")
        }
        return UInt32(v)
    }

    /// "0D/02" -> ASC 0Dh, ASCQ 02h.
    func decodeAdditionalSense(forKey key: Key) throws -> AdditionalSense {
        let text = try decode(String.self, forKey: key)
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count == 2, let a = parseHex(parts[0], bits: 8), let q = parseHex(parts[1], bits: 8) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not an ASC/ASCQ pair like \"0D/02\"")
        }
        return AdditionalSense(code: UInt8(a), qualifier: UInt8(q))
    }

    /// A string-valued enum, with the allowed values in the error.
    func decodeChoice<T: RawRepresentable & CaseIterable>(_ type: T.Type, forKey key: Key) throws -> T where T.RawValue == String {
        let text = try decode(String.self, forKey: key)
        guard let v = T(rawValue: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription:
                "'\(text)' is not one of \(T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return v
    }
}

extension KeyedEncodingContainer {
    mutating func encodeHexBytes(_ values: [UInt8], forKey key: Key) throws {
        try encode(values.map { hexText(UInt64($0), digits: 2) }, forKey: key)
    }

    mutating func encodeHexWords(_ values: [UInt16], forKey key: Key) throws {
        try encode(values.map { hexText(UInt64($0), digits: 4) }, forKey: key)
    }

    mutating func encodeAdditionalSense(_ sense: AdditionalSense, forKey key: Key) throws {
        try encode("\(hexText(UInt64(sense.code), digits: 2))/\(hexText(UInt64(sense.qualifier), digits: 2))", forKey: key)
    }
}

/// How a profile writes one VPD 0x83 entry: "naa", "eui64", "t10VendorID", or an object
/// {"truncated": "eui64", "keptBytes": 4} / {"verbatim": "hex bytes"}.
struct DesignatorExposureSpec: Codable, Equatable {
    var exposure: DesignatorExposure

    init(_ exposure: DesignatorExposure) { self.exposure = exposure }

    private enum Keys: String, CodingKey, CaseIterable { case truncated, keptBytes, verbatim }

    static func simple(_ text: String) -> DesignatorExposure? {
        switch text {
        case "naa": return .naa
        case "eui64": return .eui64
        case "t10VendorID", "t10": return .t10VendorID
        default: return nil
        }
    }

    init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            guard let e = Self.simple(text) else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription:
                    "designator '\(text)' is not \"naa\", \"eui64\", \"t10VendorID\" or an object {\"truncated\": ..., \"keptBytes\": N} / {\"verbatim\": \"hex\"}")
            }
            exposure = e
            return
        }
        let c = try decoder.strictContainer(keyedBy: Keys.self)
        if let inner = try c.decodeIfPresent(String.self, forKey: .truncated) {
            guard let e = Self.simple(inner) else {
                throw DecodingError.dataCorruptedError(forKey: .truncated, in: c, debugDescription: "'\(inner)' is not \"naa\", \"eui64\" or \"t10VendorID\"")
            }
            let kept = try c.decode(Int.self, forKey: .keptBytes)
            guard kept >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: .keptBytes, in: c, debugDescription: "must not be negative")
            }
            exposure = .truncated(e, keptBytes: kept)
        } else if let hex = try c.decodeIfPresent(String.self, forKey: .verbatim) {
            let digits = hex.filter { !$0.isWhitespace }
            var bytes: [UInt8] = []
            var i = digits.startIndex
            while i < digits.endIndex {
                let j = digits.index(i, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
                guard let v = UInt8(digits[i..<j], radix: 16), digits.distance(from: i, to: j) == 2 else {
                    throw DecodingError.dataCorruptedError(forKey: .verbatim, in: c, debugDescription: "'\(hex)' is not hex bytes")
                }
                bytes.append(v)
                i = j
            }
            exposure = .verbatim(bytes)
        } else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath,
                                                                   debugDescription: "a designator object needs \"truncated\" or \"verbatim\""))
        }
    }

    func encode(to encoder: Encoder) throws {
        func name(_ e: DesignatorExposure) -> String? {
            switch e {
            case .naa: return "naa"
            case .eui64: return "eui64"
            case .t10VendorID: return "t10VendorID"
            default: return nil
            }
        }
        switch exposure {
        case .naa, .eui64, .t10VendorID:
            var s = encoder.singleValueContainer()
            try s.encode(name(exposure)!)
        case let .truncated(inner, kept):
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(name(inner) ?? "naa", forKey: .truncated)
            try c.encode(kept, forKey: .keptBytes)
        case let .verbatim(bytes):
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(hexString(bytes), forKey: .verbatim)
        }
    }
}

extension DecodingError {
    /// "xcopy.maxCSCDDescriptors: ..." — one line naming where in the JSON the problem is.
    var profileDescription: String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .reduce("") { acc, k in k.hasPrefix("[") ? acc + k : (acc.isEmpty ? k : acc + "." + k) }
        }
        switch self {
        case let .keyNotFound(key, context):
            let at = path(context.codingPath + [key])
            return "missing key '\(at)'"
        case let .typeMismatch(type, context):
            return "\(path(context.codingPath).isEmpty ? "top level" : path(context.codingPath)): expected \(type)"
                + (context.debugDescription.isEmpty ? "" : " (\(context.debugDescription))")
        case let .valueNotFound(type, context):
            return "\(path(context.codingPath)): null where \(type) is required"
        case let .dataCorrupted(context):
            let at = path(context.codingPath)
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return (at.isEmpty ? "" : "\(at): ") + context.debugDescription + (detail.map { " (\($0))" } ?? "")
        @unknown default:
            return "\(self)"
        }
    }
}
