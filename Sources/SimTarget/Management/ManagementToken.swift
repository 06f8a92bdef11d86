import Foundation

/// The bearer token every management request must carry (`Authorization: Bearer TOKEN`).
/// offload-sim generates one per start (32 random bytes as 64 hex digits) and leaves it, mode
/// 0600, in the state directory, or reads the operator's from `--management-token-file`.
/// Presented tokens are compared in time that depends only on the expected token's length.
public struct ManagementToken: Sendable {
    /// The token text: printable ASCII without spaces (RFC 6750 `b64token` and more).
    public let text: String
    private let bytes: [UInt8]

    /// The file offload-sim writes the generated token to, inside the state directory.
    public static let defaultFileName = "management.token"

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Checks the text: 1...4096 characters, each printable ASCII other than space.
    public init(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw Invalid(description: "the management token is empty") }
        guard bytes.count <= 4096 else { throw Invalid(description: "the management token is longer than 4096 characters") }
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Invalid(description: "the management token must be printable ASCII without spaces")
        }
        self.text = text
        self.bytes = bytes
    }

    /// 32 bytes from the system's cryptographic generator, as 64 lowercase hex digits.
    public static func generate() -> ManagementToken {
        var rng = SystemRandomNumberGenerator()
        let digits = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
            .map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        // 64 hex digits always pass the checks.
        return try! ManagementToken(digits)
    }

    /// Reads a token file: its content without leading and trailing white space.
    public static func read(from path: String) throws -> ManagementToken {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Invalid(description: "cannot read management token file \(path): \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Invalid(description: "management token file \(path) is not UTF-8 text")
        }
        do {
            return try ManagementToken(text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch let e as Invalid {
            throw Invalid(description: "\(path): \(e.description)")
        }
    }

    /// Writes the token and a newline to `path`, readable and writable by the owner only (mode
    /// 0600 even when the file existed with wider permissions).
    public func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Invalid(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw Invalid(description: "cannot chmod \(path): \(String(cString: strerror(errno)))") }
        let line = Array((text + "\n").utf8)
        var offset = 0
        while offset < line.count {
            let n = line[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Invalid(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Whether an `Authorization` header value carries this token: scheme `Bearer` (any case),
    /// white space, then exactly the token. nil (no header) never does.
    public func authorizes(authorizationHeader value: String?) -> Bool {
        guard let value else { return false }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return false }
        guard trimmed[..<space].lowercased() == "bearer" else { return false }
        let presented = trimmed[space...].trimmingCharacters(in: .whitespaces)
        return Self.constantTimeEqual(Array(presented.utf8), bytes)
    }

    /// Compares `presented` with `expected` touching every byte of `expected` whatever the
    /// input, so the time taken says nothing about how much of a guess was right.
    public static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: presented.count ^ expected.count)
        presented.withUnsafeBufferPointer { p in
            for i in 0..<expected.count {
                let byte = i < p.count ? p[i] : ~expected[i]
                difference |= UInt(byte ^ expected[i])
            }
        }
        return difference == 0
    }
}
