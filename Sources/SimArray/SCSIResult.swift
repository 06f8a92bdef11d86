import SCSIWire

/// What a command produced: status, Data-In bytes and, for CHECK CONDITION, sense bytes.
public struct SCSIResult: Equatable, Sendable {
    public var status: SCSIStatus
    public var dataIn: [UInt8]
    /// Encoded sense data (fixed format unless the initiator asked for descriptor format).
    public var sense: [UInt8]
    /// For commands that take Data-Out: how many bytes the CDB asked for (SPDTL), so the
    /// transport can report a residual against what the initiator said it would send.
    public var dataOutLength: Int?

    public init(status: SCSIStatus, dataIn: [UInt8] = [], sense: [UInt8] = []) {
        self.status = status
        self.dataIn = dataIn
        self.sense = sense
    }

    public static func good(_ dataIn: [UInt8] = []) -> SCSIResult { SCSIResult(status: .good, dataIn: dataIn) }

    /// GOOD with `data` cut to the CDB's allocation length.
    public static func good(_ data: [UInt8], allocationLength: Int) -> SCSIResult {
        SCSIResult(status: .good, dataIn: data.count > allocationLength ? Array(data.prefix(Swift.max(0, allocationLength))) : data)
    }

    public static func checkCondition(_ sense: SenseData) -> SCSIResult {
        SCSIResult(status: .checkCondition, sense: sense.encoded())
    }

    /// CHECK CONDITION with `error`'s sense in the initiator's format.
    public init(error: SCSICommandError, for initiator: InitiatorContext) {
        self.init(status: .checkCondition, sense: error.senseData(format: initiator.senseFormat).encoded())
    }

    /// The sense data, parsed; nil when there is none.
    public var senseData: SenseData? { sense.isEmpty ? nil : try? SenseData(parsing: sense) }

    /// Data-In as a transport with expected length `edtl` sends it, and the iSCSI residual:
    /// positive = underflow (less than expected), negative = overflow (more was available).
    public func dataIn(clippedTo edtl: Int) -> (bytes: ArraySlice<UInt8>, residual: Int) {
        let n = Swift.min(dataIn.count, Swift.max(0, edtl))
        return (dataIn[0..<n], edtl - dataIn.count)
    }
}
