import SCSITransport
import SCSIWire

/// Initiator side of GET LBA STATUS(16) (SBC-4 5.8): the CDB, the parameter data, and whether
/// the descriptors show a range entirely unmapped (deallocated or anchored), which on an LU with
/// LBPRZ means it reads as zeros already.
enum HostCopyLBAStatus {
    /// One LBA status descriptor.
    struct Extent: Equatable, Sendable {
        var lba: UInt64
        var blocks: UInt32
        /// PROVISIONING STATUS: 0 mapped, 1 deallocated, 2 anchored, 3 mapped or unknown.
        var provisioningStatus: UInt8

        var isUnmapped: Bool { provisioningStatus == 1 || provisioningStatus == 2 }
    }

    /// Descriptors asked for per command.
    static let descriptorsPerQuery = 32
    static var allocationLength: UInt32 { UInt32(8 + 16 * descriptorsPerQuery) }

    /// SERVICE ACTION IN(16) 9Eh / 12h; STARTING LBA 2-9; ALLOCATION LENGTH 10-13; REPORT TYPE 0.
    static func cdb(lba: UInt64, allocationLength: UInt32 = allocationLength) -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 16)
        c[0] = OperationCode.serviceActionIn16.rawValue
        c[1] = 0x12
        c.setBE64(lba, at: 2)
        c.setBE32(allocationLength, at: 10)
        return c
    }

    /// PARAMETER DATA LENGTH (0-3, n - 3), reserved 4-7, then 16-byte descriptors: LBA 0-7,
    /// NUMBER OF LOGICAL BLOCKS 8-11, PROVISIONING STATUS 12 (bits 3-0). Reads as many whole
    /// descriptors as both the length field and the data returned allow.
    static func parse(_ b: [UInt8]) throws -> [Extent] {
        let length = Int(try b.be32(at: 0, "GET LBA STATUS parameter data length"))
        guard b.count >= 8 else { throw WireError.truncated(what: "GET LBA STATUS header", needed: 8, available: b.count) }
        let available = Swift.min(length - 4, b.count - 8)
        return try (0..<Swift.max(0, available / 16)).map { i in
            let o = 8 + 16 * i
            return Extent(lba: try b.be64(at: o), blocks: try b.be32(at: o + 8), provisioningStatus: b[o + 12] & 0x0F)
        }
    }

    /// How far from `lba` (exclusive end) the extents show unmapped blocks without a gap, up to
    /// `end`; `lba` itself when the first block is mapped, unknown or not described.
    static func unmappedEnd(of extents: [Extent], from lba: UInt64, to end: UInt64) -> UInt64 {
        var position = lba
        for e in extents where position < end {
            let eEnd = e.lba &+ UInt64(e.blocks)
            if eEnd <= position { continue }
            guard e.lba <= position, e.isUnmapped else { break }
            position = eEnd
        }
        return Swift.min(position, end)
    }

    /// What GET LBA STATUS says of a whole range.
    enum Answer: Equatable {
        /// Every block deallocated or anchored.
        case unmapped
        /// Mapped, unknown, unparsable, or a non-GOOD answer other than a refusal.
        case notKnown
        /// ILLEGAL REQUEST: the LU does not do GET LBA STATUS; do not ask again.
        case refused
    }

    /// One answer of the LU.
    enum Reply: Sendable {
        case extents([Extent])
        /// ILLEGAL REQUEST: the LU does not do GET LBA STATUS.
        case refused
        /// Another non-GOOD answer, or parameter data that does not parse.
        case notKnown
    }

    /// Asks the device once, from `lba`. Throws only when no SCSI answer came back.
    static func ask(lba: UInt64, device: any SCSIDevice, timeout: Duration, statistics: CopyStatistics) async throws -> Reply {
        statistics.count("GET LBA STATUS")
        let r: SCSIResponse
        do {
            r = try await device.execute(SCSICommand(cdb: cdb(lba: lba), data: .fromDevice(allocationLength: Int(allocationLength)),
                                                     timeout: timeout))
        } catch let e as TransportError {
            throw CopyError(.transport, e.description)
        }
        guard r.status == .good else { return r.sense?.key == .illegalRequest ? .refused : .notKnown }
        guard let extents = try? parse(r.data) else { return .notKnown }
        return .extents(extents)
    }

    /// Walks the range, answering from `map` where an earlier answer covers it and asking the
    /// device where none does (at most 8 times per call; each answer covers up to 32
    /// descriptors). Throws only when no SCSI answer came back.
    static func query(lba: UInt64, blocks: UInt64, device: any SCSIDevice, map: HostCopyLBAStatusMap, timeout: Duration,
                      statistics: CopyStatistics) async throws -> Answer {
        try await query(lba: lba, blocks: blocks, map: map) { at in
            try await ask(lba: at, device: device, timeout: timeout, statistics: statistics)
        }
    }

    /// The walk itself, with the question to the LU passed in.
    static func query(lba: UInt64, blocks: UInt64, map: HostCopyLBAStatusMap,
                      ask: @escaping @Sendable (UInt64) async throws -> Reply) async throws -> Answer {
        let end = lba + blocks
        var position = lba
        for _ in 0..<8 where position < end {
            let reply = try await map.describe(position, ask: ask)
            switch reply {
            case .refused: return .refused
            case .notKnown: return .notKnown
            case let .extents(extents):
                let next = unmappedEnd(of: extents, from: position, to: end)
                guard next > position else { return .notKnown }
                position = next
            }
        }
        return position >= end ? .unmapped : .notKnown
    }
}
