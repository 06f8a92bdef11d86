import SCSITransport
import SCSIWire

/// READ(16) and WRITE(16) with the statistics counted, shared by the host engine and the
/// verifier. Errors come back classified.
public struct BlockIO: Sendable {
    public let device: any SCSIDevice
    public let blockSize: Int
    public let statistics: CopyStatistics
    public var timeout: Duration

    public init(device: any SCSIDevice, blockSize: Int, statistics: CopyStatistics, timeout: Duration = .seconds(60)) {
        self.device = device
        self.blockSize = blockSize
        self.statistics = statistics
        self.timeout = timeout
    }

    public func read(lba: UInt64, blocks: Int, method: CopyMethod? = .host) async throws -> [UInt8] {
        let length = blocks * blockSize
        statistics.count("READ(16)")
        let r = try await transport { try await device.execute(SCSICommand(cdb: CDB.read16(lba: lba, blocks: UInt32(blocks)),
                                                                              data: .fromDevice(allocationLength: length), timeout: timeout)) }
        guard r.status == .good else { throw CopyError.classify(r, method: method, command: "READ(16) at \(lba)") }
        guard r.data.count == length else {
            throw CopyError(.transport, method: method, "READ(16) at \(lba): \(r.data.count) of \(length) bytes returned")
        }
        statistics.addRead(length)
        return r.data
    }

    public func write(lba: UInt64, data: [UInt8], method: CopyMethod? = .host) async throws {
        statistics.count("WRITE(16)")
        let r = try await transport { try await device.execute(SCSICommand(cdb: CDB.write16(lba: lba, blocks: UInt32(data.count / blockSize)),
                                                                              data: .toDevice(data), timeout: timeout)) }
        guard r.status == .good else { throw CopyError.classify(r, method: method, command: "WRITE(16) at \(lba)") }
        statistics.addWritten(data.count)
    }

    /// READ(16) of `blocks` blocks into the start of `buffer`, in place where the transport can.
    public func read(lba: UInt64, blocks: Int, into buffer: SCSIBuffer, method: CopyMethod? = .host) async throws {
        let length = blocks * blockSize
        let moved = try await buffered("READ(16)", CDB.read16(lba: lba, blocks: UInt32(blocks)), .fromDevice, buffer, length, lba, method)
        guard moved == length else {
            throw CopyError(.transport, method: method, "READ(16) at \(lba): \(moved) of \(length) bytes returned")
        }
        statistics.addRead(length)
    }

    /// WRITE(16) of the first `blocks` blocks of `buffer`.
    public func write(lba: UInt64, blocks: Int, from buffer: SCSIBuffer, method: CopyMethod? = .host) async throws {
        let length = blocks * blockSize
        _ = try await buffered("WRITE(16)", CDB.write16(lba: lba, blocks: UInt32(blocks)), .toDevice, buffer, length, lba, method)
        statistics.addWritten(length)
    }

    /// One buffered command, counted; GOOD or a classified error. Returns the bytes moved.
    private func buffered(_ name: String, _ cdb: [UInt8], _ direction: SCSIBufferedCommand.Direction, _ buffer: SCSIBuffer,
                          _ length: Int, _ lba: UInt64, _ method: CopyMethod?) async throws -> Int {
        statistics.count(name)
        let r = try await transport { try await device.execute(SCSIBufferedCommand(
            cdb: cdb, direction: direction, buffer: buffer, length: length, timeout: timeout)) }
        guard r.status == .good else { throw CopyError.classify(r, method: method, command: "\(name) at \(lba)") }
        return r.bufferedBytes
    }

    /// Runs a command, turning transport failures into `CopyError(.transport)`.
    public func transport<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as TransportError {
            throw CopyError(.transport, e.description)
        }
    }
}
