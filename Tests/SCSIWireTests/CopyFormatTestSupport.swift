#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import SCSIWire

/// Helpers shared by the third-party-copy format tests (Copy/ formats). Namespaced so they
/// cannot collide with helpers of other test files in this target.
enum CopyTestSupport {
    /// Bytes from hex text: whitespace, commas and "0x" prefixes ignored.
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

    /// Every strict prefix of `bytes` (lengths 0 ..< `bytes.count`, or 0 ..< `upTo`) must make
    /// `parse` throw `WireError.truncated` rather than trap or succeed.
    static func expectTruncatedForEveryPrefix<T>(
        _ bytes: [UInt8], upTo limit: Int? = nil, _ parse: ([UInt8]) throws -> T,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for length in 0..<(limit ?? bytes.count) {
            do {
                _ = try parse(Array(bytes.prefix(length)))
                Issue.record("parse succeeded on a \(length)-byte prefix", sourceLocation: sourceLocation)
            } catch let error as WireError {
                guard case .truncated = error else {
                    Issue.record("prefix of \(length) bytes threw \(error), expected truncated", sourceLocation: sourceLocation)
                    continue
                }
            } catch {
                Issue.record("prefix of \(length) bytes threw a non-wire error \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Asserts that `body` throws `WireError.valueOutOfRange`.
    static func expectOutOfRange<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try body()
            Issue.record("expected valueOutOfRange, nothing thrown", sourceLocation: sourceLocation)
        } catch let error as WireError {
            guard case .valueOutOfRange = error else {
                Issue.record("threw \(error), expected valueOutOfRange", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("threw a non-wire error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Asserts that `body` throws `WireError.invalidField`.
    static func expectInvalidField<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try body()
            Issue.record("expected invalidField, nothing thrown", sourceLocation: sourceLocation)
        } catch let error as WireError {
            guard case .invalidField = error else {
                Issue.record("threw \(error), expected invalidField", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("threw a non-wire error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Deterministic filler bytes (an LCG), standing in for a token's random part.
    static func pseudoRandom(count: Int, seed: UInt64 = 0x5EED) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// The repository root, found from this file's path (Tests/SCSIWireTests/<file>).
    static func repositoryRoot(filePath: String = #filePath) -> String {
        var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }

    /// The hex dump following `marker` in a Hardware/captures text file: lines of the form
    /// " 0000  00 8f 01 78 ..." up to the first line that is not one.
    static func hexDump(inCapture fileName: String, after marker: String) throws -> [UInt8] {
        let path = repositoryRoot() + "/Hardware/captures/" + fileName
        let text = try readTextFile(path)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.contains(marker) }) else {
            throw WireError.invalidField(what: fileName, detail: "marker not found: \(marker)")
        }
        var out: [UInt8] = []
        for line in lines[(start + 1)...] {
            let fields = line.split(separator: " ")
            guard let first = fields.first, first.count == 4, UInt16(first, radix: 16) != nil else { break }
            for field in fields.dropFirst() {
                guard field.count == 2, let b = UInt8(field, radix: 16) else { break }
                out.append(b)
            }
        }
        return out
    }

    static func readTextFile(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    // Fixtures: two made-up NAA-6 (IEEE Registered Extended) designators, 16 bytes each, the
    // only kind LIO accepts in a CSCD.
    static let naaSourceValue: [UInt8] = [0x60, 0x01, 0x40, 0x5A, 0xBC, 0xDE, 0xF0, 0x12,
                                          0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x01]
    static let naaDestinationValue: [UInt8] = [0x60, 0x01, 0x40, 0x5A, 0xBC, 0xDE, 0xF0, 0x12,
                                               0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x02]

    static func naaDesignator(_ value: [UInt8]) -> Designator {
        Designator(codeSet: .binary, association: .logicalUnit, type: .naa, value: value)
    }

    /// The 32-byte 0xE4 CSCD for an NAA-6 designator and 512-byte blocks, written out from the
    /// SPC-4 table in targets.md §11.2 (derived, not captured).
    static func e4NAAVector(_ value: [UInt8]) -> [UInt8] {
        [0xE4,                    // 0: type code
         0x00,                    // 1: LU ID TYPE 00, NUL 0, PDT 0
         0x00, 0x00,              // 2-3: relative initiator port identifier
         0x01,                    // 4: code set binary
         0x03,                    // 5: association LU, designator type NAA
         0x00,                    // 6: reserved
         0x10]                    // 7: designator length 16
            + value               // 8-23: designator
            + [0, 0, 0, 0]        // 24-27: zero padding to 20 bytes
            + [0x00,              // 28: PAD 0
               0x00, 0x02, 0x00]  // 29-31: disk block length 512
    }
}
