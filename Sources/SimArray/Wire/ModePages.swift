import SCSIWire

/// Caching mode page 08h (SBC-4 6.5.5), 20 bytes: byte 2 WCE (bit 2) and RCD (bit 0); the
/// other fields (prefetch, segments) are left 0, meaning "not reported".
public struct CachingModePage: Equatable, Sendable {
    public static let pageCode: UInt8 = 0x08
    public static let length = 20
    public var writeCacheEnabled: Bool
    public var readCacheDisabled: Bool

    public init(writeCacheEnabled: Bool, readCacheDisabled: Bool = false) {
        self.writeCacheEnabled = writeCacheEnabled
        self.readCacheDisabled = readCacheDisabled
    }

    public init(parsing b: [UInt8]) throws {
        guard try b.u8(at: 0, "caching page") & 0x3F == Self.pageCode else {
            throw WireError.invalidField(what: "caching mode page", detail: "page code \(hexByte(b[0] & 0x3F))")
        }
        let flags = try b.u8(at: 2, "caching page flags")
        writeCacheEnabled = flags & 0x04 != 0
        readCacheDisabled = flags & 0x01 != 0
    }

    /// The page; `changeableMask` gives the PC=01b image (1 = changeable), here all zeros.
    public func encoded(changeableMask: Bool = false) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: Self.length)
        p[0] = Self.pageCode
        p[1] = UInt8(Self.length - 2)
        if !changeableMask { p[2] = (writeCacheEnabled ? 0x04 : 0) | (readCacheDisabled ? 0x01 : 0) }
        return p
    }
}

/// Control mode page 0Ah (SPC-4 7.5.8), 12 bytes: byte 2 D_SENSE (bit 2) and GLTSD (bit 1);
/// byte 3 QUEUE ALGORITHM MODIFIER (bits 7-4) and QERR (bits 2-1); byte 5 TAS (bit 6); BUSY
/// TIMEOUT PERIOD 8-9; EXTENDED SELF-TEST COMPLETION TIME 10-11.
public struct ControlModePage: Equatable, Sendable {
    public static let pageCode: UInt8 = 0x0A
    public static let length = 12
    public var descriptorSense: Bool
    public var globalLoggingTargetSaveDisable: Bool
    /// 0 restricted reordering, 1 unrestricted.
    public var queueAlgorithmModifier: UInt8
    public var taskAbortedStatus: Bool
    public var busyTimeoutPeriod: UInt16

    public init(descriptorSense: Bool = false, globalLoggingTargetSaveDisable: Bool = true, queueAlgorithmModifier: UInt8 = 1,
                taskAbortedStatus: Bool = false, busyTimeoutPeriod: UInt16 = 0) {
        self.descriptorSense = descriptorSense
        self.globalLoggingTargetSaveDisable = globalLoggingTargetSaveDisable
        self.queueAlgorithmModifier = queueAlgorithmModifier
        self.taskAbortedStatus = taskAbortedStatus
        self.busyTimeoutPeriod = busyTimeoutPeriod
    }

    public init(parsing b: [UInt8]) throws {
        guard try b.u8(at: 0, "control page") & 0x3F == Self.pageCode else {
            throw WireError.invalidField(what: "control mode page", detail: "page code \(hexByte(b[0] & 0x3F))")
        }
        let b2 = try b.u8(at: 2, "control page byte 2")
        descriptorSense = b2 & 0x04 != 0
        globalLoggingTargetSaveDisable = b2 & 0x02 != 0
        queueAlgorithmModifier = try b.u8(at: 3, "control page byte 3") >> 4
        taskAbortedStatus = try b.u8(at: 5, "control page byte 5") & 0x40 != 0
        busyTimeoutPeriod = try b.be16(at: 8, "busy timeout period")
    }

    public func encoded(changeableMask: Bool = false) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: Self.length)
        p[0] = Self.pageCode
        p[1] = UInt8(Self.length - 2)
        guard !changeableMask else { return p }
        p[2] = (descriptorSense ? 0x04 : 0) | (globalLoggingTargetSaveDisable ? 0x02 : 0)
        p[3] = (queueAlgorithmModifier & 0x0F) << 4
        p[5] = taskAbortedStatus ? 0x40 : 0
        p.setBE16(busyTimeoutPeriod, at: 8)
        return p
    }
}
