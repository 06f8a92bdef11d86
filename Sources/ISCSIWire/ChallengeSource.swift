/// Where CHAP identifiers and challenges come from. Injectable so tests (and reproducible
/// simulator runs) get fixed challenges; production uses `SystemChallengeSource`.
public protocol ChallengeSource: Sendable {
    mutating func randomBytes(count: Int) -> [UInt8]
}

/// Cryptographically secure bytes from the system generator.
public struct SystemChallengeSource: ChallengeSource {
    public init() {}

    public mutating func randomBytes(count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<Swift.max(0, count)).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}

/// Replays `bytes` in order, starting over when they run out: deterministic challenges for
/// tests.
public struct FixedChallengeSource: ChallengeSource {
    public let bytes: [UInt8]
    private var position = 0

    public init(bytes: [UInt8]) { self.bytes = bytes.isEmpty ? [0] : bytes }

    public mutating func randomBytes(count: Int) -> [UInt8] {
        (0..<Swift.max(0, count)).map { _ in
            defer { position = (position + 1) % bytes.count }
            return bytes[position]
        }
    }
}
