import Foundation

/// Where the token manager reads the time: monotonic seconds from an arbitrary origin. Token
/// inactivity timeouts, token lifetimes and the retention of completed operations are measured
/// on it, so tests inject a `ManualTokenClock` and never sleep.
public struct TokenClock: Sendable {
    public let now: @Sendable () -> Double

    public init(_ now: @escaping @Sendable () -> Double) { self.now = now }

    /// The system's monotonic clock (unaffected by wall-clock changes).
    public static let system = TokenClock { Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000 }

    /// A clock that moves only when the test says so.
    public static func manual(_ clock: ManualTokenClock) -> TokenClock { TokenClock { clock.now } }
}

/// A settable clock for tests: starts at `start` seconds and moves with `advance(by:)`.
public final class ManualTokenClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double

    public init(start: Double = 1_000) { value = start }

    public var now: Double { lock.withLock { value } }

    public func advance(by seconds: Double) { lock.withLock { value += seconds } }
}

/// Random bytes for a token's identifier and its unguessable fill (CTL uses `arc4rand`). Tests
/// inject `seeded(_:)` to get the same tokens on every run.
public struct TokenRandomSource: Sendable {
    public let bytes: @Sendable (Int) -> [UInt8]

    public init(_ bytes: @escaping @Sendable (Int) -> [UInt8]) { self.bytes = bytes }

    public static let system = TokenRandomSource { count in
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    /// A deterministic stream (SplitMix64), shared by every call through this source.
    public static func seeded(_ seed: UInt64) -> TokenRandomSource {
        let state = Locked(seed)
        return TokenRandomSource { count in
            state.withLock { s in
                var out = [UInt8]()
                out.reserveCapacity(count)
                while out.count < count {
                    s &+= 0x9E37_79B9_7F4A_7C15
                    var z = s
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    z ^= z >> 31
                    for i in 0..<8 where out.count < count { out.append(UInt8(truncatingIfNeeded: z >> (8 * UInt64(i)))) }
                }
                return out
            }
        }
    }
}
