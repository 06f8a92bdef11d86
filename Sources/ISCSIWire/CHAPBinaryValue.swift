/// CHAP_C and CHAP_R are binary values (RFC 7143 6.1): "0x" + hex or "0b" + base64. CHAP_I
/// is a number (decimal, or 0x hex). These convert both ways.
public enum CHAPBinaryValue {
    /// Decodes "0x..." (hex; an odd digit count gets a leading zero nibble) or "0b..." (base64).
    public static func decode(_ text: String) throws -> [UInt8] {
        let u = Array(text.utf8)
        guard u.count >= 2, u[0] == UInt8(ascii: "0") else {
            throw ISCSIWireError.invalidField(what: "binary value", detail: "must start with 0x or 0b")
        }
        let body = Array(u[2...])
        guard !body.isEmpty else { throw ISCSIWireError.invalidField(what: "binary value", detail: "no digits") }
        switch u[1] {
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return try decodeHex(body)
        case UInt8(ascii: "b"), UInt8(ascii: "B"): return try decodeBase64(body)
        default: throw ISCSIWireError.invalidField(what: "binary value", detail: "must start with 0x or 0b")
        }
    }

    /// "0x" + lower-case hex, the form every initiator reads (libiscsi only reads hex).
    public static func encodeHex(_ bytes: [UInt8]) -> String {
        "0x" + bytes.map { hexDigits(UInt64($0), width: 2) }.joined()
    }

    /// "0b" + base64 with padding.
    public static func encodeBase64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = "0b"
        var i = 0
        while i < bytes.count {
            let n = Swift.min(3, bytes.count - i)
            var v = UInt32(bytes[i]) << 16
            if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { v |= UInt32(bytes[i + 2]) }
            for k in 0..<4 {
                out.append(k <= n ? alphabet[Int((v >> UInt32(18 - 6 * k)) & 0x3F)] : "=")
            }
            i += 3
        }
        return out
    }

    /// A CHAP_I value: 0-255, decimal or 0x hex.
    public static func decodeIdentifier(_ text: String) throws -> UInt8 {
        guard let v = NumericValue.parse(text), v <= 255 else {
            throw ISCSIWireError.invalidField(what: "CHAP_I", detail: "'\(text)' is not a number 0-255")
        }
        return UInt8(v)
    }

    private static func decodeHex(_ digits: [UInt8]) throws -> [UInt8] {
        var nibbles: [UInt8] = digits.count % 2 == 1 ? [0] : []
        for c in digits {
            guard let n = hexValue(c) else { throw ISCSIWireError.invalidField(what: "hex value", detail: "bad digit") }
            nibbles.append(n)
        }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    private static func decodeBase64(_ chars: [UInt8]) throws -> [UInt8] {
        var body = chars
        var padding = 0
        while body.last == UInt8(ascii: "="), padding < 2 { body.removeLast(); padding += 1 }
        guard body.count % 4 != 1, padding == 0 || (body.count + padding) % 4 == 0 else {
            throw ISCSIWireError.invalidField(what: "base64 value", detail: "bad length")
        }
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in body {
            guard let v = base64Value(c) else { throw ISCSIWireError.invalidField(what: "base64 value", detail: "bad character") }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func base64Value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}

/// Numerical text values (RFC 7143 6.1): decimal, or hex with a 0x prefix; at most 64 bits.
public enum NumericValue {
    public static func parse(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X") {
            var v: UInt64 = 0
            for c in u[2...] {
                guard let n = CHAPBinaryValue.hexValue(c), v >> 60 == 0 else { return nil }
                v = v << 4 | UInt64(n)
            }
            return v
        }
        var v: UInt64 = 0
        for c in u {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            v = s
        }
        return v
    }
}
