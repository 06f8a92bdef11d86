/// What a copy did, for the CLI's JSON and for the storage layer's decisions.
public struct CopyReport: Sendable {
    public struct Range: Sendable, Equatable {
        public var offset: UInt64
        public var length: UInt64
        public var method: CopyMethod
        public init(offset: UInt64, length: UInt64, method: CopyMethod) {
            self.offset = offset
            self.length = length
            self.method = method
        }
    }
    public struct Fallback: Sendable {
        public var offset: UInt64
        public var reason: String
        public var sense: String?
    }

    public var ranges: [Range] = []
    public var fallbacks: [Fallback] = []
    public var bytes: UInt64 = 0
    public var seconds: Double = 0
    public var hostBytesRead: UInt64 = 0
    public var hostBytesWritten: UInt64 = 0
    public var commands: [String: Int] = [:]
    public var verified: Verifier.Mode = .none
    public var ok = false
    /// Things the user should know although the copy succeeded (e.g. AUR tokens).
    public var warnings: [String] = []
    /// What the array's ROD tokens keep when ODX was used ("point in time", "access upon
    /// reference", "unknown"): with anything but point in time, writes to the source during
    /// the copy reach the destination. Nil when ODX was not used.
    public var rodTokens: String?

    /// "mixed" when more than one method copied data.
    public var method: String {
        let used = Set(ranges.map(\.method))
        if used.count == 1 { return used.first!.rawValue }
        return used.isEmpty ? "none" : "mixed"
    }

    /// Adds a range, merging it with the previous one when contiguous and of the same method.
    mutating func record(offset: UInt64, length: UInt64, method: CopyMethod) {
        guard length > 0 else { return }
        if let last = ranges.last, last.method == method, last.offset + last.length == offset {
            ranges[ranges.count - 1].length += length
        } else {
            ranges.append(Range(offset: offset, length: length, method: method))
        }
        bytes += length
    }
}
