/// A capacity in a management request body: a JSON number of bytes (`67108864`) or a string,
/// bytes or a number with a binary unit K, M, G or T (`"64M"`, `"1g"`, `"65536"`).
public struct ManagementSize: Decodable, Equatable, Sendable {
    public var bytes: UInt64

    public init(bytes: UInt64) { self.bytes = bytes }

    /// `"64M"` and the like; nil when it is not a whole number of bytes that fits in 63 bits.
    public init?(parsing text: String) {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text)
        var unit: UInt64 = 1
        if let last = text.last, let u = units[Character(last.uppercased())] {
            unit = u
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(digits) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: unit)
        guard !overflow, product <= UInt64(Int64.max) else { return nil }
        bytes = product
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt64.self) {
            guard n <= UInt64(Int64.max) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(n) bytes is too large")
            }
            bytes = n
        } else if let text = try? c.decode(String.self) {
            guard let parsed = ManagementSize(parsing: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a size (bytes, or a number with K, M, G or T)")
            }
            self = parsed
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a size is a whole number of bytes or a string like \"64M\"")
        }
    }
}
