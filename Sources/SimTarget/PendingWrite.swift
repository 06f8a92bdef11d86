import ISCSIWire

/// A write command still collecting its Data-Out: immediate data, then unsolicited Data-Out up
/// to FirstBurstLength (when InitialR2T=No), then R2T-solicited bursts of MaxBurstLength, one
/// R2T outstanding at a time (we offer MaxOutstandingR2T=1), in order (DataPDUInOrder=Yes).
struct PendingWrite {
    let command: SCSICommandPDU
    let lun: UInt64
    var buffer: [UInt8]
    /// Bytes received so far, contiguous from offset 0.
    var received: Int
    /// Where unsolicited data ends; solicited bursts start here.
    let unsolicitedEnd: Int
    /// The R2T in flight: its tag and the end of the burst it asked for.
    var outstandingR2T: (tag: UInt32, end: Int)?
    var r2tSN: UInt32 = 0
    /// The DataSN the next Data-Out must carry: from 0 for unsolicited data and per R2T.
    var nextDataSN: UInt32 = 0

    var expected: Int { buffer.count }
    var complete: Bool { received >= expected }
}
