import Foundation
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

    /// Parses hex text, line by line (LF or CRLF): `#` starts a comment; a title line ending in
    /// ':' ("Device Identification VPD page:") is skipped; a dump line (`sg_vpd --hex`) starts
    /// with an offset followed by two or more spaces, its bytes end where a run of three spaces
    /// opens the ASCII column; any other line must hold only hex bytes (1-2 digits each,
    /// separated by spaces or commas), however many.
    public static func parseText(_ text: String) throws -> [UInt8] {
        var out: [UInt8] = []
        let lines = text.unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" }
        for (index, scalars) in lines.enumerated() {
            var line = String(String.UnicodeScalarView(scalars))
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            while let last = line.last, last == " " || last == "\t" { line.removeLast() }
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "," }) { continue }
            var region = Substring(line)
            if let afterOffset = dumpLineBytes(line) {
                region = afterOffset
            } else if line.trimmingCharacters(in: .whitespaces).hasSuffix(":") {
                continue  // a title such as "Device Identification VPD page:"
            }
            for token in tokenize(region) {
                guard token.count <= 2, let b = UInt8(token, radix: 16) else {
                    throw Failure.notHex(line: index + 1, text: String(line.prefix(60)))
                }
                out.append(b)
            }
        }
        guard !out.isEmpty else { throw Failure.empty }
        return out
    }

    /// For a dump line (" 00     00 83 00 48 ...  ASCII"), the text holding its bytes: after the
    /// offset and its gap, before the ASCII column. nil for any other line.
    static func dumpLineBytes(_ line: String) -> Substring? {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard let end = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        var offset = trimmed[..<end]
        if offset.hasSuffix(":") { offset = offset.dropLast() }
        guard offset.count >= 2, offset.allSatisfy(\.isHexDigit) else { return nil }
        let rest = trimmed[end...]
        // sg3_utils sets offsets apart by a colon or a wide gap (five spaces); hand-written hex
        // uses one or two spaces between bytes ("01  0 0  00" is data, not an offset).
        guard trimmed[..<end].hasSuffix(":") || rest.hasPrefix("   ") else { return nil }
        let bytes = rest.drop(while: { $0 == " " || $0 == "\t" })
        guard !bytes.isEmpty else { return nil }
        if let ascii = bytes.range(of: "   ") { return bytes[..<ascii.lowerBound] }
        return bytes
    }

    /// Splits on whitespace and commas (sg3_utils accepts both).
    static func tokenize(_ line: Substring) -> [String] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
    }
}
