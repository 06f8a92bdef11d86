import SCSIWire

/// Turns a saved capture into bytes, whatever form a user pasted it in: sg3_utils `--inhex`
/// files and `sg_vpd -HHHH` output (hex with `#` comments), hex dumps with an offset column
/// and an ASCII column (`sg_vpd --hex`, `sg_inq -H`), or raw binary.
public enum HexCapture {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case empty
        case notHex(line: Int, text: String)
        public var description: String {
            switch self {
            case .empty: return "no data in the file"
            case let .notHex(line, text): return "line \(line): cannot read '\(text)' as hex bytes"
            }
        }
    }

    /// Text when the data looks like text, else the bytes as they are (binary capture).
    public static func decode(_ data: [UInt8]) throws -> [UInt8] {
        guard !data.isEmpty else { throw Failure.empty }
        let printable = data.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20...0x7E).contains($0) }
        return printable ? try parseText(String(decoding: data, as: UTF8.self)) : data
    }

    /// Parses hex text. Per line: drop `#` comments; drop a leading offset column ("00",
    /// "0010:", " 0000  " when followed by more hex on the line and its value equals the running
    /// byte count); stop at the ASCII column, which sg3_utils separates by two or more spaces
    /// after 16 bytes.
    public static func parseText(_ text: String) throws -> [UInt8] {
        var out: [UInt8] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            var tokens = tokenize(line)
            if tokens.isEmpty { continue }
            // Offset column: a first token with ':' or a wider-than-a-byte hex number equal to
            // the count so far (sg_vpd --hex prints " 00     00 83 00 48 ...").
            if let first = tokens.first {
                let bare = first.hasSuffix(":") ? String(first.dropLast()) : first
                if let v = Int(bare, radix: 16), tokens.count > 1,
                   first.hasSuffix(":") || (bare.count >= 2 && v == out.count && looksLikeOffsetLine(line)) {
                    tokens.removeFirst()
                }
            }
            var lineBytes: [UInt8] = []
            for token in tokens {
                guard token.count <= 2, let b = UInt8(token, radix: 16) else {
                    // The ASCII column follows the hex on dump lines: stop at the first non-hex
                    // token once some bytes were read; anything else is an error.
                    if !lineBytes.isEmpty || out.count > 0 && isAsciiColumn(token) { break }
                    throw Failure.notHex(line: index + 1, text: String(rawLine.prefix(60)))
                }
                lineBytes.append(b)
                if lineBytes.count == 16 { break }  // dumps carry 16 bytes a line at most
            }
            out += lineBytes
        }
        guard !out.isEmpty else { throw Failure.empty }
        return out
    }

    /// Splits on whitespace and commas (sg3_utils accepts both).
    static func tokenize(_ line: Substring) -> [String] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }).map(String.init)
    }

    /// sg3_utils dump lines start with an indented offset separated from the bytes by at least
    /// two spaces: " 00     00 83 00 48".
    static func looksLikeOffsetLine(_ line: Substring) -> Bool {
        let trimmed = line.drop(while: { $0 == " " })
        guard let space = trimmed.firstIndex(of: " ") else { return false }
        return trimmed[space...].hasPrefix("  ")
    }

    static func isAsciiColumn(_ token: String) -> Bool { !token.isEmpty }
}
