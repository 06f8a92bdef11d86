/// Gathers text split across PDUs with the C (continue) bit (RFC 7143 6.1, 11.10.2): a pair may
/// be cut anywhere, so nothing is parsed until the PDU without C arrives. The limit keeps a
/// hostile initiator from growing the buffer without end.
public struct TextAccumulator: Equatable, Sendable {
    public let limit: Int
    public private(set) var pending: [UInt8] = []
    /// True between a PDU with C and the one that ends the text.
    public private(set) var isContinuing = false

    public init(limit: Int = 64 * 1024) { self.limit = limit }

    /// Adds one PDU's data segment. Returns the whole text when `continues` is false, nil
    /// while more is expected. Throws (and resets) on overflow or malformed text.
    public mutating func append(_ data: [UInt8], continues: Bool, repeatableKeys: Set<String> = []) throws -> TextParameters? {
        guard pending.count + data.count <= limit else {
            let length = pending.count + data.count
            reset()
            throw ISCSIWireError.textTooLong(length: length, limit: limit)
        }
        pending += data
        if continues {
            isContinuing = true
            return nil
        }
        let all = pending
        reset()
        return try TextParameters(parsing: all, repeatableKeys: repeatableKeys)
    }

    public mutating func reset() {
        pending = []
        isContinuing = false
    }
}
