import SCSIWire

/// REPORT SUPPORTED OPERATION CODES CDB (SPC-4 6.35.1): MAINTENANCE IN A3h / 0Ch; byte 2 RCTD
/// (bit 7) and REPORTING OPTIONS (bits 2-0); REQUESTED OPERATION CODE 3; REQUESTED SERVICE
/// ACTION 4-5; ALLOCATION LENGTH 6-9; CONTROL 11.
public struct ReportSupportedOperationCodesCDB: Equatable, Sendable {
    public static let length = 12
    public static let serviceAction: UInt8 = 0x0C

    /// REPORTING OPTIONS.
    public enum ReportingOptions: UInt8, Sendable {
        /// Every command (all_commands format).
        case all = 0
        /// One operation code that has no service actions.
        case operationCode = 1
        /// One operation code and service action; the code must have service actions.
        case operationCodeAndServiceAction = 2
        /// One operation code, with the service action only if the code has them (SPC-5).
        case operationCodeWithOptionalServiceAction = 3
    }

    public var returnCommandTimeoutsDescriptor: Bool
    /// Bits 2-0 of byte 2 as sent; `ReportingOptions(rawValue:)` is nil for reserved values.
    public var reportingOptions: UInt8
    public var requestedOperationCode: UInt8
    public var requestedServiceAction: UInt16
    public var allocationLength: UInt32
    public var control: UInt8

    public init(reportingOptions: ReportingOptions = .all, requestedOperationCode: UInt8 = 0,
                requestedServiceAction: UInt16 = 0, allocationLength: UInt32,
                returnCommandTimeoutsDescriptor: Bool = false, control: UInt8 = 0) {
        self.reportingOptions = reportingOptions.rawValue
        self.requestedOperationCode = requestedOperationCode
        self.requestedServiceAction = requestedServiceAction
        self.allocationLength = allocationLength
        self.returnCommandTimeoutsDescriptor = returnCommandTimeoutsDescriptor
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        try cdb.requireLength(Self.length, "REPORT SUPPORTED OPERATION CODES CDB")
        returnCommandTimeoutsDescriptor = cdb[2] & 0x80 != 0
        reportingOptions = cdb[2] & 0x07
        requestedOperationCode = cdb[3]
        requestedServiceAction = try cdb.be16(at: 4)
        allocationLength = try cdb.be32(at: 6)
        control = cdb[11]
    }

    public func encoded() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: Self.length)
        c[0] = OperationCode.maintenanceIn.rawValue
        c[1] = Self.serviceAction
        c[2] = (returnCommandTimeoutsDescriptor ? 0x80 : 0) | (reportingOptions & 0x07)
        c[3] = requestedOperationCode
        c.setBE16(requestedServiceAction, at: 4)
        c.setBE32(allocationLength, at: 6)
        c[11] = control
        return c
    }
}

/// Command timeouts descriptor (SPC-4 6.35.4), 12 bytes: DESCRIPTOR LENGTH 0-1 (= 0Ah),
/// COMMAND SPECIFIC 3, NOMINAL COMMAND PROCESSING TIMEOUT 4-7, RECOMMENDED COMMAND TIMEOUT 8-11
/// (seconds; 0 = not specified).
public struct CommandTimeoutsDescriptor: Equatable, Sendable {
    public var commandSpecific: UInt8
    public var nominalProcessingTimeout: UInt32
    public var recommendedTimeout: UInt32
    public init(commandSpecific: UInt8 = 0, nominalProcessingTimeout: UInt32 = 0, recommendedTimeout: UInt32 = 0) {
        self.commandSpecific = commandSpecific
        self.nominalProcessingTimeout = nominalProcessingTimeout
        self.recommendedTimeout = recommendedTimeout
    }

    public init(parsing b: [UInt8], at offset: Int = 0) throws {
        commandSpecific = try b.u8(at: offset + 3, "command timeouts descriptor")
        nominalProcessingTimeout = try b.be32(at: offset + 4, "nominal command processing timeout")
        recommendedTimeout = try b.be32(at: offset + 8, "recommended command timeout")
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 12)
        b.setBE16(0x000A, at: 0)
        b[3] = commandSpecific
        b.setBE32(nominalProcessingTimeout, at: 4)
        b.setBE32(recommendedTimeout, at: 8)
        return b
    }
}

/// One command descriptor of the all_commands format (SPC-4 6.35.2): OPERATION CODE 0, SERVICE
/// ACTION 2-3, byte 5 CTDP (bit 1) and SERVACTV (bit 0), CDB LENGTH 6-7, then a 12-byte
/// timeouts descriptor when CTDP is set.
public struct SupportedCommandDescriptor: Equatable, Sendable {
    public var operationCode: UInt8
    /// nil for a command without service actions (SERVACTV 0).
    public var serviceAction: UInt16?
    public var cdbLength: UInt16
    public var timeouts: CommandTimeoutsDescriptor?

    public init(operationCode: UInt8, serviceAction: UInt16?, cdbLength: UInt16, timeouts: CommandTimeoutsDescriptor? = nil) {
        self.operationCode = operationCode
        self.serviceAction = serviceAction
        self.cdbLength = cdbLength
        self.timeouts = timeouts
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 8)
        b[0] = operationCode
        b.setBE16(serviceAction ?? 0, at: 2)
        b[5] = (timeouts != nil ? 0x02 : 0) | (serviceAction != nil ? 0x01 : 0)
        b.setBE16(cdbLength, at: 6)
        return b + (timeouts?.encoded() ?? [])
    }
}

/// REPORT SUPPORTED OPERATION CODES all_commands parameter data: COMMAND DATA LENGTH 0-3
/// (n-3), then command descriptors of 8 or 20 bytes.
public struct SupportedOperationCodesList: Equatable, Sendable {
    public var commands: [SupportedCommandDescriptor]
    public init(commands: [SupportedCommandDescriptor]) { self.commands = commands }

    /// Reads descriptors as far as COMMAND DATA LENGTH and the data both reach.
    public init(parsing b: [UInt8]) throws {
        let length = Int(try b.be32(at: 0, "COMMAND DATA LENGTH"))
        let end = Swift.min(b.count, 4 + length)
        var list: [SupportedCommandDescriptor] = []
        var o = 4
        while o + 8 <= end {
            let ctdp = b[o + 5] & 0x02 != 0
            let servactv = b[o + 5] & 0x01 != 0
            var timeouts: CommandTimeoutsDescriptor?
            if ctdp {
                guard o + 20 <= end else { break }
                timeouts = try CommandTimeoutsDescriptor(parsing: b, at: o + 8)
            }
            list.append(SupportedCommandDescriptor(operationCode: b[o], serviceAction: servactv ? try b.be16(at: o + 2) : nil,
                                                   cdbLength: try b.be16(at: o + 6), timeouts: timeouts))
            o += ctdp ? 20 : 8
        }
        commands = list
    }

    public func encoded() -> [UInt8] {
        let body = commands.flatMap { $0.encoded() }
        var header = [UInt8](repeating: 0, count: 4)
        header.setBE32(UInt32(truncatingIfNeeded: body.count), at: 0)
        return header + body
    }
}

/// REPORT SUPPORTED OPERATION CODES one_command parameter data (SPC-4 6.35.3): byte 1 CTDP
/// (bit 7) and SUPPORT (bits 2-0); CDB SIZE 2-3; CDB USAGE DATA from byte 4; then a timeouts
/// descriptor when CTDP is set.
public struct SupportedOperationCodeOne: Equatable, Sendable {
    /// SUPPORT values.
    public enum Support: UInt8, Sendable {
        case notAvailable = 0
        case notSupported = 1
        case supportedStandard = 3
        case supportedVendorSpecific = 5
    }

    public var support: UInt8
    /// Byte 0 is the operation code; each other byte has a 1 for every bit the device server
    /// looks at (for service-action commands, byte 1 carries the service action itself).
    public var cdbUsageData: [UInt8]
    public var timeouts: CommandTimeoutsDescriptor?

    public init(support: Support, cdbUsageData: [UInt8], timeouts: CommandTimeoutsDescriptor? = nil) {
        self.support = support.rawValue
        self.cdbUsageData = cdbUsageData
        self.timeouts = timeouts
    }

    public init(parsing b: [UInt8]) throws {
        let b1 = try b.u8(at: 1, "one_command SUPPORT")
        support = b1 & 0x07
        let size = Int(try b.be16(at: 2, "CDB SIZE"))
        cdbUsageData = try b.bytes(at: 4, count: size, "CDB USAGE DATA")
        timeouts = b1 & 0x80 != 0 ? try CommandTimeoutsDescriptor(parsing: b, at: 4 + size) : nil
    }

    public func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 4)
        b[1] = (timeouts != nil ? 0x80 : 0) | (support & 0x07)
        b.setBE16(UInt16(truncatingIfNeeded: cdbUsageData.count), at: 2)
        return b + cdbUsageData + (timeouts?.encoded() ?? [])
    }
}
