/// AsyncEvent codes (RFC 7143 11.9.1).
public struct AsyncEvent: RawRepresentable, Equatable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A SCSI asynchronous event; the sense data carries it (e.g. a unit attention).
    public static let scsiAsyncEvent = AsyncEvent(rawValue: 0)
    /// Please log out within Parameter3 seconds.
    public static let logoutRequest = AsyncEvent(rawValue: 1)
    /// Connection Parameter1 will be dropped; Parameter2 Time2Wait, Parameter3 Time2Retain.
    public static let connectionDrop = AsyncEvent(rawValue: 2)
    /// All connections will be dropped; Parameter2 Time2Wait, Parameter3 Time2Retain.
    public static let sessionDrop = AsyncEvent(rawValue: 3)
    /// Please start text negotiation within Parameter3 seconds.
    public static let parameterNegotiation = AsyncEvent(rawValue: 4)
    public static let vendorSpecific = AsyncEvent(rawValue: 255)
}

/// Asynchronous Message (RFC 7143 11.9), encoded only: the target tells the initiator
/// something unasked.
///
///     byte 1 1   8-15 LUN   16-19 0xffffffff   24-27 StatSN   28-31 ExpCmdSN   32-35 MaxCmdSN
///     36 AsyncEvent   37 AsyncVCode   38-39 Parameter1   40-41 Parameter2   42-43 Parameter3
///     data: SenseLength (2 bytes) + sense data, then iSCSI event data
public struct AsyncMessage: Equatable, Sendable, ISCSIPDUEncodable {
    public static let opcode = ISCSIOpcode.asyncMessage

    public var lun: UInt64
    public var statSN: UInt32
    public var expCmdSN: UInt32
    public var maxCmdSN: UInt32
    public var event: AsyncEvent
    public var vendorCode: UInt8
    public var parameter1: UInt16
    public var parameter2: UInt16
    public var parameter3: UInt16
    public var senseData: [UInt8]
    public var eventData: [UInt8]

    public init(lun: UInt64 = 0, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32, event: AsyncEvent, vendorCode: UInt8 = 0,
                parameter1: UInt16 = 0, parameter2: UInt16 = 0, parameter3: UInt16 = 0, senseData: [UInt8] = [],
                eventData: [UInt8] = []) {
        self.lun = lun
        self.statSN = statSN
        self.expCmdSN = expCmdSN
        self.maxCmdSN = maxCmdSN
        self.event = event
        self.vendorCode = vendorCode
        self.parameter1 = parameter1
        self.parameter2 = parameter2
        self.parameter3 = parameter3
        self.senseData = senseData
        self.eventData = eventData
    }

    public var pdu: ISCSIPDU {
        var h = BasicHeaderSegment(opcode: Self.opcode, final: true)
        h.lun = lun
        h.initiatorTaskTag = BasicHeaderSegment.reservedTag
        h[.bytes24] = statSN
        h[.bytes28] = expCmdSN
        h[.bytes32] = maxCmdSN
        h.setByte(event.rawValue, 36)
        h.setByte(vendorCode, 37)
        h.setBE16(parameter1, 38)
        h.setBE16(parameter2, 40)
        h.setBE16(parameter3, 42)
        var data: [UInt8] = []
        if !senseData.isEmpty || !eventData.isEmpty {
            data.appendBE16(UInt16(truncatingIfNeeded: senseData.count))
            data += senseData + eventData
        }
        return ISCSIPDU(header: h, data: data)
    }
}
