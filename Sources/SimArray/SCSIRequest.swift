/// One SCSI command as the front end hands it over: the LUN it is addressed to, the CDB, the
/// Data-Out bytes (already gathered) and the nexus it came from.
public struct SCSIRequest: Sendable {
    /// The LUN number (decoded from the 8-byte LUN field; see `ReportLunsData.lunNumber`).
    public var lun: UInt64
    public var cdb: [UInt8]
    /// Data-Out buffer; empty for commands that transfer nothing to the target.
    public var dataOut: [UInt8]
    /// The transport's expected Data-In length (iSCSI EDTL for reads). The dispatcher's Data-In
    /// never exceeds the CDB's own allocation/transfer length; clipping to this value and the
    /// residual count are the transport's job (`SCSIResult.dataIn(clippedTo:)`).
    public var expectedDataInLength: Int
    public var initiator: InitiatorContext

    public init(lun: UInt64, cdb: [UInt8], dataOut: [UInt8] = [], expectedDataInLength: Int = 0,
                initiator: InitiatorContext) {
        self.lun = lun
        self.cdb = cdb
        self.dataOut = dataOut
        self.expectedDataInLength = expectedDataInLength
        self.initiator = initiator
    }
}
