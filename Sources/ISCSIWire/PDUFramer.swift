/// Cuts PDUs out of a TCP byte stream (RFC 7143 11.1): works out each PDU's length from its
/// BHS (TotalAHSLength, DataSegmentLength, 4-byte padding, the digests in force), checks the
/// digests and the data segment limit, and decodes.
///
/// The limit is the MaxRecvDataSegmentLength *we* declared (8192 until login negotiates
/// another, RFC 7143 13.12). An oversized segment is still consumed whole before the error is
/// thrown, so the stream stays framed and the target can answer with a Reject.
public struct PDUFramer: Equatable, Sendable {
    public var digests: DigestSettings
    public var maxRecvDataSegmentLength: Int

    public init(digests: DigestSettings = .none, maxRecvDataSegmentLength: Int = 8192) {
        self.digests = digests
        self.maxRecvDataSegmentLength = maxRecvDataSegmentLength
    }

    /// Total bytes of the PDU at the front of `buffer` (digests and padding included), or nil
    /// while fewer than 48 bytes are present.
    public func frameLength(in buffer: [UInt8]) -> Int? {
        guard buffer.count >= BasicHeaderSegment.length else { return nil }
        return frameLength(totalAHSWords: buffer[4], dataSegmentLength: Int(buffer[5]) << 16 | Int(buffer[6]) << 8 | Int(buffer[7]))
    }

    /// Total bytes of a PDU with this header under the current digest settings.
    public func frameLength(of header: BasicHeaderSegment) -> Int {
        frameLength(totalAHSWords: header.totalAHSLength, dataSegmentLength: Int(header.dataSegmentLength))
    }

    private func frameLength(totalAHSWords: UInt8, dataSegmentLength: Int) -> Int {
        var n = BasicHeaderSegment.length + Int(totalAHSWords) * 4 + digests.header.length
        if dataSegmentLength > 0 { n += wordAligned(dataSegmentLength) + digests.data.length }
        return n
    }

    /// Removes and decodes the PDU at the front of `buffer`; nil (buffer untouched) while the
    /// PDU is incomplete. When decoding throws, the PDU's bytes have already been removed.
    public func nextPDU(from buffer: inout [UInt8]) throws -> ISCSIPDU? {
        guard let length = frameLength(in: buffer), buffer.count >= length else { return nil }
        let frame = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return try decode(frame: frame)
    }

    /// Decodes one complete PDU image (bytes after it are ignored). Checks, in order: header
    /// digest (fatal), data segment limit, data digest, AHS structure.
    public func decode(frame: [UInt8]) throws -> ISCSIPDU {
        let header = try BasicHeaderSegment(parsing: frame)
        let ahsEnd = BasicHeaderSegment.length + Int(header.totalAHSLength) * 4
        try frame.requireRange(0, ahsEnd + digests.header.length, "PDU header (BHS, AHS, header digest)")
        if digests.header == .crc32c {
            let computed = CRC32C.checksum(Array(frame[0..<ahsEnd]))
            let received = frame.leUInt32(at: ahsEnd)
            guard computed == received else { throw ISCSIWireError.headerDigestMismatch(computed: computed, received: received) }
        }
        let dataLength = Int(header.dataSegmentLength)
        guard dataLength <= maxRecvDataSegmentLength else {
            throw ISCSIWireError.dataSegmentTooLong(length: dataLength, limit: maxRecvDataSegmentLength, header: header)
        }
        let dataStart = ahsEnd + digests.header.length
        var data: [UInt8] = []
        if dataLength > 0 {
            let padded = wordAligned(dataLength)
            try frame.requireRange(dataStart, padded + digests.data.length, "data segment (\(dataLength) bytes, padded to \(padded))")
            if digests.data == .crc32c {
                var crc = CRC32C()
                crc.update(frame[dataStart..<(dataStart + padded)])
                let received = frame.leUInt32(at: dataStart + padded)
                guard crc.value == received else {
                    throw ISCSIWireError.dataDigestMismatch(computed: crc.value, received: received, header: header)
                }
            }
            data = Array(frame[dataStart..<(dataStart + dataLength)])
        }
        let ahs = try AdditionalHeaderSegment.parseAll(Array(frame[BasicHeaderSegment.length..<ahsEnd]))
        return ISCSIPDU(header: header, additionalHeaderSegments: ahs, data: data)
    }
}
