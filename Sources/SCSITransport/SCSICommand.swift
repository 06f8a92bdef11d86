import SCSIWire

/// One command for a device: the CDB, which way data moves, and how long the caller waits.
public struct SCSICommand: Sendable {
    public enum Data: Sendable, Equatable {
        case none
        /// Data-out: the parameter list or blocks sent to the device.
        case toDevice([UInt8])
        /// Data-in: at most this many bytes are accepted from the device.
        case fromDevice(allocationLength: Int)
    }

    public var cdb: [UInt8]
    public var data: Data
    /// Deadline for this command; past it the transport aborts the task and throws `.timeout`.
    public var timeout: Duration

    public init(cdb: [UInt8], data: Data = .none, timeout: Duration = .seconds(30)) {
        self.cdb = cdb
        self.data = data
        self.timeout = timeout
    }

    public var operationCode: OperationCode { OperationCode(rawValue: cdb.first ?? 0xFF) }
}

/// What the device answered. SCSI-level errors (CHECK CONDITION, BUSY) are answers, not
/// thrown errors: the caller decides, because a copy engine treats them very differently.
public struct SCSIResponse: Sendable, Equatable {
    public var status: SCSIStatus
    /// Data-in bytes actually returned (empty for data-out commands).
    public var data: [UInt8]
    /// Raw sense bytes as the target sent them (empty unless CHECK CONDITION).
    public var senseBytes: [UInt8]
    /// Bytes that moved through the caller's `SCSIBuffer` (buffered commands only; `data`
    /// then stays empty).
    public var bufferedBytes: Int = 0

    public init(status: SCSIStatus, data: [UInt8] = [], senseBytes: [UInt8] = []) {
        self.status = status
        self.data = data
        self.senseBytes = senseBytes
    }

    public static func good(_ data: [UInt8] = []) -> SCSIResponse { SCSIResponse(status: .good, data: data) }

    public static func checkCondition(_ sense: SenseData) -> SCSIResponse {
        SCSIResponse(status: .checkCondition, senseBytes: sense.encoded())
    }

    /// Parsed sense; nil when there is none or it cannot be parsed (the raw bytes remain).
    public var sense: SenseData? { senseBytes.isEmpty ? nil : try? SenseData(parsing: senseBytes) }
}
