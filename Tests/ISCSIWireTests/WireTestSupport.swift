import ISCSIWire
import Testing

/// Helpers shared by the ISCSIWire tests; namespaced so nothing collides across files.
enum WireTestSupport {
    /// Bytes from hex text: whitespace and commas separate bytes; "0x" prefixes are ignored.
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        for token in hex.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "\t" }) {
            let digits = token.hasPrefix("0x") ? token.dropFirst(2) : token[...]
            guard let b = UInt8(digits, radix: 16) else {
                Issue.record("bad hex byte in test vector: \(token)")
                continue
            }
            out.append(b)
        }
        return out
    }

    /// Unseparated hex ("aa36918a") to bytes.
    static func compactHex(_ hex: String) -> [UInt8] {
        let chars = Array(hex)
        return stride(from: 0, to: chars.count - 1, by: 2).compactMap { UInt8(String(chars[$0...$0 + 1]), radix: 16) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// `text` as ASCII bytes, with a NUL after each `\0`-free pair given.
    static func text(_ pairs: [String]) -> [UInt8] {
        pairs.flatMap { Array($0.utf8) + [0] }
    }

    /// Every strict prefix of `bytes` must make `parse` throw `ISCSIWireError.truncated`.
    static func expectTruncatedForEveryPrefix<T>(_ bytes: [UInt8], _ parse: ([UInt8]) throws -> T,
                                                 sourceLocation: SourceLocation = #_sourceLocation) {
        for length in 0..<bytes.count {
            do {
                _ = try parse(Array(bytes.prefix(length)))
                Issue.record("parse succeeded on a \(length)-byte prefix of \(bytes.count)", sourceLocation: sourceLocation)
            } catch let error as ISCSIWireError {
                guard case .truncated = error else {
                    Issue.record("\(length)-byte prefix threw \(error), expected truncated", sourceLocation: sourceLocation)
                    continue
                }
            } catch {
                Issue.record("\(length)-byte prefix threw \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    /// `body` must throw an `ISCSIWireError` that `matches`.
    static func expectWireError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation,
                                   _ matches: (ISCSIWireError) -> Bool) {
        do {
            _ = try body()
            Issue.record("expected an ISCSIWireError, got success", sourceLocation: sourceLocation)
        } catch let error as ISCSIWireError {
            if !matches(error) { Issue.record("unexpected error \(error)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
        }
    }

    static func isInvalidField(_ e: ISCSIWireError) -> Bool {
        if case .invalidField = e { return true }
        return false
    }

    /// The common checks for a typed PDU view against a hand-built vector: parses to `value`,
    /// `value` encodes to the vector, every prefix is truncated, and another opcode is refused.
    static func checkVector<T: ISCSIPDUDecodable & ISCSIPDUEncodable & Equatable>(
        _ vector: [UInt8], _ value: T, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(try T(parsing: vector) == value, sourceLocation: sourceLocation)
        #expect(try value.encoded() == vector, sourceLocation: sourceLocation)
        #expect(value.pdu.header.opcode == T.opcode, sourceLocation: sourceLocation)
        expectTruncatedForEveryPrefix(vector, { try T(parsing: $0) }, sourceLocation: sourceLocation)
        var other = vector
        other[0] = (other[0] & 0xC0) | (T.opcode == .nopOut ? 0x20 : 0x00)
        expectWireError({ try T(parsing: other) }, sourceLocation: sourceLocation) {
            if case let .unexpectedOpcode(expected, _) = $0 { return expected == T.opcode }
            return false
        }
    }
}
