import Foundation

/// Limits a copy manager enforces below what it advertises, found out while copying. Arrays
/// advertise more segment descriptors than they accept (Pure: 32 advertised, 2 enforced;
/// arrays.md §3.2); after TOO MANY SEGMENT DESCRIPTORS the XCOPY engine retries with fewer and
/// records the number here, so later commands (and later engines given the same object) start
/// from it. Thread-safe.
public final class XCopyLearnedLimits: @unchecked Sendable {
    private let lock = NSLock()
    private var segments: Int?
    private var events: [String] = []

    public init() {}

    /// Segment descriptors per EXTENDED COPY known to be the most the copy manager takes, or
    /// nil while nothing has been refused.
    public var segmentsPerCommand: Int? { lock.withLock { segments } }

    /// What was learned, one line each, oldest first (for the job's report).
    public var notes: [String] { lock.withLock { events } }

    /// A command with `refused` segment descriptors got 26/08: from now on at most half as
    /// many (at least 1). Returns the new limit.
    @discardableResult
    func refused(segmentDescriptors refused: Int) -> Int {
        lock.withLock {
            let lowered = max(1, refused / 2)
            if lowered < (segments ?? Int.max) {
                segments = lowered
                events.append("TOO MANY SEGMENT DESCRIPTORS for \(refused) segment descriptors: now at most \(lowered) per EXTENDED COPY")
            }
            return segments!
        }
    }
}
