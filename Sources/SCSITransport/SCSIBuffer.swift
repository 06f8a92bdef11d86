#if canImport(Glibc)
import Glibc
#endif

/// Page-aligned memory that a bulk READ lands in or a bulk WRITE is sent from, owned by the
/// caller and reused command after command.
///
/// Bulk data through `[UInt8]` costs a copy each way in the transport plus fresh pages for
/// every megabyte, which on a fast target takes more CPU than the wire. A transport that can
/// (libiscsi reads Data-In straight into it and sends Data-Out from it) uses this memory in
/// place. The caller must not touch the bytes while a command using the buffer is in flight.
public final class SCSIBuffer: @unchecked Sendable {
    /// Bytes usable.
    public let capacity: Int
    public let pointer: UnsafeMutableRawPointer

    public init(capacity: Int) {
        precondition(capacity >= 0, "negative buffer capacity")
        self.capacity = capacity
        let page = Swift.max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
        var raw: UnsafeMutableRawPointer?
        // Page alignment suits SG_IO too (the block layer maps user pages directly).
        guard posix_memalign(&raw, page, Swift.max(page, capacity)) == 0, let raw else {
            fatalError("cannot allocate a \(capacity)-byte SCSI buffer")
        }
        pointer = raw
    }

    deinit { free(pointer) }

    /// The first `count` bytes.
    public func bytes(_ count: Int) -> UnsafeMutableRawBufferPointer {
        precondition(count >= 0 && count <= capacity, "\(count) bytes asked of a \(capacity)-byte buffer")
        return UnsafeMutableRawBufferPointer(start: pointer, count: count)
    }

    /// A copy of the first `count` bytes.
    public func array(_ count: Int) -> [UInt8] { Array(bytes(count)) }

    /// Puts `data` at the start of the buffer.
    public func fill(with data: [UInt8]) {
        data.withUnsafeBytes { bytes(data.count).copyMemory(from: $0) }
    }

    /// Sets the first `count` bytes to zero.
    public func zero(_ count: Int) { memset(pointer, 0, count) }

    /// Whether the first `count` bytes are all zero (64 bytes per step).
    public func isAllZero(_ count: Int) -> Bool {
        let raw = bytes(count)
        var i = 0
        while i + 64 <= count {
            var acc: UInt64 = 0
            for k in stride(from: 0, to: 64, by: 8) { acc |= raw.loadUnaligned(fromByteOffset: i + k, as: UInt64.self) }
            if acc != 0 { return false }
            i += 64
        }
        while i < count {
            if raw[i] != 0 { return false }
            i += 1
        }
        return true
    }
}

/// A READ-like or WRITE-like command whose data moves through a `SCSIBuffer`.
public struct SCSIBufferedCommand: Sendable {
    public enum Direction: Sendable, Equatable {
        /// Data-In lands in the buffer's first `length` bytes.
        case fromDevice
        /// Data-Out is the buffer's first `length` bytes.
        case toDevice
    }

    public var cdb: [UInt8]
    public var direction: Direction
    public var buffer: SCSIBuffer
    public var length: Int
    public var timeout: Duration

    public init(cdb: [UInt8], direction: Direction, buffer: SCSIBuffer, length: Int, timeout: Duration = .seconds(30)) {
        precondition(length >= 0 && length <= buffer.capacity, "transfer of \(length) bytes through a \(buffer.capacity)-byte buffer")
        self.cdb = cdb
        self.direction = direction
        self.buffer = buffer
        self.length = length
        self.timeout = timeout
    }

    /// The same command with its data in arrays, for transports without a buffered path.
    public var arrayCommand: SCSICommand {
        switch direction {
        case .fromDevice: return SCSICommand(cdb: cdb, data: .fromDevice(allocationLength: length), timeout: timeout)
        case .toDevice: return SCSICommand(cdb: cdb, data: .toDevice(buffer.array(length)), timeout: timeout)
        }
    }
}
