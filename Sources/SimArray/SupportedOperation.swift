import SCSIWire

/// One command a LU serves, as REPORT SUPPORTED OPERATION CODES describes it: operation code,
/// service action, CDB length and CDB USAGE DATA. The usage data is also how the dispatcher
/// rejects reserved or unsupported bits (as FreeBSD CTL does): a CDB bit outside the mask gets
/// ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at that byte and bit.
public struct SupportedOperation: Equatable, Sendable {
    public var operationCode: UInt8
    /// nil for a command without service actions.
    public var serviceAction: UInt8?
    /// Byte 0 is the operation code; bits set in the others are the ones the device server
    /// uses. For a service-action command byte 1 holds the service action in bits 4-0 (plus any
    /// usable bits above them). The count is the CDB length.
    public var usage: [UInt8]

    public init(operationCode: UInt8, serviceAction: UInt8? = nil, usage: [UInt8]) {
        self.operationCode = operationCode
        self.serviceAction = serviceAction
        self.usage = usage
    }

    public var cdbLength: Int { usage.count }

    /// The first CDB bit this command does not use: (byte, highest offending bit), or nil when
    /// the CDB is clean. The service action bits of byte 1 are not checked here.
    public func firstUnusedBit(in cdb: [UInt8]) -> (byte: Int, bit: UInt8)? {
        let end = Swift.min(cdb.count, usage.count)
        guard end > 1 else { return nil }
        for i in 1..<end {
            var allowed = usage[i]
            if i == 1, serviceAction != nil { allowed = (allowed & 0xE0) | 0x1F }
            let extra = cdb[i] & ~allowed
            if extra != 0 { return (i, UInt8(7 - extra.leadingZeroBitCount)) }
        }
        return nil
    }

    // MARK: - Third-party copy defaults

    /// The usual CDB usage for a THIRD PARTY COPY OUT (83h) or IN (84h) service action, from
    /// the SPC-4 CDB layouts (targets.md §11.1); nil for a service action SPC does not define.
    public static func thirdPartyCopy(operationCode: UInt8, serviceAction: UInt8) -> SupportedOperation? {
        var u = [UInt8](repeating: 0, count: 16)
        u[0] = operationCode
        u[1] = serviceAction
        switch (operationCode, serviceAction) {
        case (0x83, 0x00), (0x83, 0x01):                // EXTENDED COPY LID1/LID4
            u[10...13] = [0xFF, 0xFF, 0xFF, 0xFF]
        case (0x83, 0x10), (0x83, 0x11):                // POPULATE TOKEN, WRITE USING TOKEN
            u[6...13] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            u[14] = 0x1F
        case (0x83, 0x1C):                              // COPY OPERATION ABORT
            u[2...5] = [0xFF, 0xFF, 0xFF, 0xFF]
        case (0x84, 0x00), (0x84, 0x01), (0x84, 0x04):  // RECEIVE COPY STATUS/DATA/FAILURE DETAILS (LID1)
            u[2] = 0xFF
            u[10...13] = [0xFF, 0xFF, 0xFF, 0xFF]
        case (0x84, 0x03), (0x84, 0x08):                // RCOP, REPORT ALL ROD TOKENS
            u[10...13] = [0xFF, 0xFF, 0xFF, 0xFF]
        case (0x84, 0x05), (0x84, 0x06), (0x84, 0x07):  // RECEIVE COPY STATUS/DATA (LID4), RRTI
            u[2...5] = [0xFF, 0xFF, 0xFF, 0xFF]
            u[10...13] = [0xFF, 0xFF, 0xFF, 0xFF]
        default:
            return nil
        }
        return SupportedOperation(operationCode: operationCode, serviceAction: serviceAction, usage: u)
    }
}
