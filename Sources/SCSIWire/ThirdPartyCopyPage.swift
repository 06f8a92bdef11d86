/// VPD page 0x8F, third-party copy (SPC-4 7.8.17): the copy manager's own account of what it
/// does. Every descriptor type is decoded; 64-bit fields stay 64-bit; an unknown type is kept
/// verbatim. Often absent (LIO, SCST) or partial (QNAP), so callers must not require it.
public struct ThirdPartyCopyPage: Equatable, Sendable {
    public var descriptors: [ThirdPartyCopyDescriptor]
    /// Where the walk stopped early, one line each.
    public var problems: [String]

    public init(descriptors: [ThirdPartyCopyDescriptor], problems: [String] = []) {
        self.descriptors = descriptors
        self.problems = problems
    }

    public init(parsing b: [UInt8]) throws {
        let (header, body) = try VPDPageHeader.body(of: b, expecting: .thirdPartyCopy)
        var list: [ThirdPartyCopyDescriptor] = []
        var problems: [String] = []
        if body.count < header.pageLength {
            problems.append("page length says \(header.pageLength) bytes, only \(body.count) returned")
        }
        var offset = 0
        while offset + 4 <= body.count {
            let type = UInt16(body[offset]) << 8 | UInt16(body[offset + 1])
            let length = Int(UInt16(body[offset + 2]) << 8 | UInt16(body[offset + 3]))
            guard offset + 4 + length <= body.count else {
                problems.append("descriptor \(hexString([body[offset], body[offset + 1]]))h at page offset \(offset + 4) says \(length) bytes, only \(body.count - offset - 4) remain")
                break
            }
            let d = Array(body[offset..<(offset + 4 + length)])
            do {
                list.append(try ThirdPartyCopyDescriptor(parsing: d))
            } catch {
                problems.append("descriptor \(hexString([body[offset], body[offset + 1]]))h: \(error)")
                list.append(.unknown(type: type, bytes: d))
            }
            offset += 4 + length
        }
        descriptors = list
        self.problems = problems
    }

    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        VPDPageHeader.encode(.thirdPartyCopy, deviceType: deviceType, body: descriptors.flatMap { $0.encoded() })
    }

    public var blockDeviceRODLimits: BlockDeviceRODLimits? {
        descriptors.lazy.compactMap { if case let .blockDeviceRODLimits(v) = $0 { return v } else { return nil } }.first
    }
    public var supportedCommands: [SupportedCopyCommand]? {
        descriptors.lazy.compactMap { if case let .supportedCommands(v) = $0 { return v } else { return nil } }.first
    }
    public var parameterData: CopyParameterData? {
        descriptors.lazy.compactMap { if case let .parameterData(v) = $0 { return v } else { return nil } }.first
    }
    public var supportedDescriptorCodes: [UInt8]? {
        descriptors.lazy.compactMap { if case let .supportedDescriptors(v) = $0 { return v } else { return nil } }.first
    }
    public var supportedCSCDIDs: [UInt16]? {
        descriptors.lazy.compactMap { if case let .supportedCSCDIDs(v) = $0 { return v } else { return nil } }.first
    }
    public var rodTokenFeatures: RODTokenFeatures? {
        descriptors.lazy.compactMap { if case let .rodTokenFeatures(v) = $0 { return v } else { return nil } }.first
    }
    public var supportedRODTypes: [SupportedRODType]? {
        descriptors.lazy.compactMap { if case let .supportedRODTypes(v) = $0 { return v } else { return nil } }.first
    }
    public var generalCopyOperations: GeneralCopyOperations? {
        descriptors.lazy.compactMap { if case let .generalCopyOperations(v) = $0 { return v } else { return nil } }.first
    }

    /// Whether Supported Commands lists this operation code and service action.
    public func lists(_ opcode: OperationCode, serviceAction: UInt8) -> Bool {
        supportedCommands?.contains { $0.operationCode == opcode && $0.serviceActions.contains(serviceAction) } ?? false
    }
}

/// One descriptor of page 0x8F, by type code.
public enum ThirdPartyCopyDescriptor: Equatable, Sendable {
    /// 0000h: limits for POPULATE TOKEN / WRITE USING TOKEN.
    case blockDeviceRODLimits(BlockDeviceRODLimits)
    /// 0001h.
    case supportedCommands([SupportedCopyCommand])
    /// 0004h: EXTENDED COPY limits.
    case parameterData(CopyParameterData)
    /// 0008h: CSCD and segment descriptor type codes.
    case supportedDescriptors([UInt8])
    /// 000Ch: CSCD IDs above 07FFh the copy manager accepts (e.g. FFFFh).
    case supportedCSCDIDs([UInt16])
    /// 000Dh: the copy group identifier designator (bytes verbatim).
    case copyGroupIdentifier([UInt8])
    /// 0106h.
    case rodTokenFeatures(RODTokenFeatures)
    /// 0108h.
    case supportedRODTypes([SupportedRODType])
    /// 8001h.
    case generalCopyOperations(GeneralCopyOperations)
    /// 9101h.
    case streamCopyOperations(maximumStreamDeviceTransferSize: UInt32)
    /// C001h.
    case heldData(limit: UInt32, granularityLog2: UInt8)
    /// Any other type, with its 4-byte header.
    case unknown(type: UInt16, bytes: [UInt8])

    public var typeCode: UInt16 {
        switch self {
        case .blockDeviceRODLimits: return 0x0000
        case .supportedCommands: return 0x0001
        case .parameterData: return 0x0004
        case .supportedDescriptors: return 0x0008
        case .supportedCSCDIDs: return 0x000C
        case .copyGroupIdentifier: return 0x000D
        case .rodTokenFeatures: return 0x0106
        case .supportedRODTypes: return 0x0108
        case .generalCopyOperations: return 0x8001
        case .streamCopyOperations: return 0x9101
        case .heldData: return 0xC001
        case let .unknown(type, _): return type
        }
    }

    /// `d` is the whole descriptor, header included.
    public init(parsing d: [UInt8]) throws {
        let type = try d.be16(at: 0, "third-party copy descriptor type")
        switch type {
        case 0x0000:
            self = .blockDeviceRODLimits(BlockDeviceRODLimits(
                maximumRangeDescriptors: try d.be16(at: 10, "BDRL maximum range descriptors"),
                maximumInactivityTimeout: try d.be32(at: 12, "BDRL maximum inactivity timeout"),
                defaultInactivityTimeout: try d.be32(at: 16, "BDRL default inactivity timeout"),
                maximumTokenTransferSize: try d.be64(at: 20, "BDRL maximum token transfer size"),
                optimalTransferCount: try d.be64(at: 28, "BDRL optimal transfer count")))
        case 0x0001:
            let listLength = Int(try d.u8(at: 4, "supported commands list length"))
            let list = d.clipped(from: 5, count: listLength)
            var commands: [SupportedCopyCommand] = []
            var i = 0
            while i + 2 <= list.count {
                let n = Int(list[i + 1])
                let sas = list.clipped(from: i + 2, count: n)
                commands.append(SupportedCopyCommand(operationCode: OperationCode(rawValue: list[i]), serviceActions: sas))
                i += 2 + n
            }
            self = .supportedCommands(commands)
        case 0x0004:
            self = .parameterData(CopyParameterData(
                maximumCSCDDescriptorCount: try d.be16(at: 8, "parameter data max CSCD count"),
                maximumSegmentDescriptorCount: try d.be16(at: 10, "parameter data max segment count"),
                maximumDescriptorListLength: try d.be32(at: 12, "parameter data max descriptor list length"),
                maximumInlineDataLength: try d.be32(at: 16, "parameter data max inline data length")))
        case 0x0008:
            let n = Int(try d.u8(at: 4, "supported descriptors list length"))
            self = .supportedDescriptors(d.clipped(from: 5, count: n))
        case 0x000C:
            let n = Int(try d.be16(at: 4, "supported CSCD IDs list length"))
            let list = d.clipped(from: 6, count: n)
            self = .supportedCSCDIDs(stride(from: 0, to: list.count - 1, by: 2).map { UInt16(list[$0]) << 8 | UInt16(list[$0 + 1]) })
        case 0x000D:
            let n = Int(try d.u8(at: 4, "copy group identifier length"))
            self = .copyGroupIdentifier(d.clipped(from: 5, count: n))
        case 0x0106:
            let remoteTokens = try d.u8(at: 4, "ROD token features byte 4") & 0x0F
            let listLength = Int(try d.be16(at: 46, "ROD device type specific features length"))
            let list = d.clipped(from: 48, count: listLength)
            var blockDevice: BlockRODFeatures?
            var others: [[UInt8]] = []
            var i = 0
            while i + 4 <= list.count {
                let len = Int(UInt16(list[i + 2]) << 8 | UInt16(list[i + 3]))
                let entry = list.clipped(from: i, count: 4 + len)
                if entry[0] & 0x1F == 0, entry.count >= 40 {
                    blockDevice = BlockRODFeatures(
                        optimalBlockRODLengthGranularity: try entry.be16(at: 6),
                        maximumBytesInBlockROD: try entry.be64(at: 8),
                        optimalBytesInBlockRODTransfer: try entry.be64(at: 16),
                        optimalBytesToTokenPerSegment: try entry.be64(at: 24),
                        optimalBytesFromTokenPerSegment: try entry.be64(at: 32))
                } else {
                    others.append(entry)
                }
                i += 4 + len
            }
            self = .rodTokenFeatures(RODTokenFeatures(
                remoteTokens: remoteTokens,
                minimumTokenLifetime: try d.be32(at: 16, "minimum token lifetime"),
                maximumTokenLifetime: try d.be32(at: 20, "maximum token lifetime"),
                maximumTokenInactivityTimeout: try d.be32(at: 24, "maximum token inactivity timeout"),
                blockDevice: blockDevice, otherDeviceTypeDescriptors: others))
        case 0x0108:
            let n = Int(try d.be16(at: 6, "ROD type descriptors length"))
            let list = d.clipped(from: 8, count: n)
            var types: [SupportedRODType] = []
            var i = 0
            while i + 64 <= list.count {
                types.append(SupportedRODType(
                    rodType: RODType(rawValue: try list.be32(at: i)),
                    internalCopy: list[i + 4] & 0x80 != 0,
                    tokenIn: list[i + 4] & 0x02 != 0,
                    tokenOut: list[i + 4] & 0x01 != 0,
                    preferenceIndication: try list.be16(at: i + 6)))
                i += 64
            }
            self = .supportedRODTypes(types)
        case 0x8001:
            self = .generalCopyOperations(GeneralCopyOperations(
                totalConcurrentCopies: try d.be32(at: 4, "total concurrent copies"),
                maximumIdentifiedConcurrentCopies: try d.be32(at: 8, "maximum identified concurrent copies"),
                maximumSegmentLength: try d.be32(at: 12, "maximum segment length"),
                dataSegmentGranularityLog2: try d.u8(at: 16, "data segment granularity"),
                inlineDataGranularityLog2: try d.u8(at: 17, "inline data granularity")))
        case 0x9101:
            self = .streamCopyOperations(maximumStreamDeviceTransferSize: try d.be32(at: 4, "maximum stream device transfer size"))
        case 0xC001:
            self = .heldData(limit: try d.be32(at: 4, "held data limit"), granularityLog2: try d.u8(at: 8, "held data granularity"))
        default:
            self = .unknown(type: type, bytes: d)
        }
    }

    /// The descriptor with its header, padded to a multiple of 4 bytes as the standard asks.
    public func encoded() -> [UInt8] {
        var body: [UInt8]
        switch self {
        case let .blockDeviceRODLimits(v):
            body = [UInt8](repeating: 0, count: 32)
            body.setBE16(v.maximumRangeDescriptors, at: 6)
            body.setBE32(v.maximumInactivityTimeout, at: 8)
            body.setBE32(v.defaultInactivityTimeout, at: 12)
            body.setBE64(v.maximumTokenTransferSize, at: 16)
            body.setBE64(v.optimalTransferCount, at: 24)
        case let .supportedCommands(list):
            let entries = list.flatMap { [$0.operationCode.rawValue, UInt8($0.serviceActions.count)] + $0.serviceActions }
            body = [UInt8(truncatingIfNeeded: entries.count)] + entries
        case let .parameterData(v):
            body = [UInt8](repeating: 0, count: 28)
            body.setBE16(v.maximumCSCDDescriptorCount, at: 4)
            body.setBE16(v.maximumSegmentDescriptorCount, at: 6)
            body.setBE32(v.maximumDescriptorListLength, at: 8)
            body.setBE32(v.maximumInlineDataLength, at: 12)
        case let .supportedDescriptors(codes):
            body = [UInt8(truncatingIfNeeded: codes.count)] + codes
        case let .supportedCSCDIDs(ids):
            body = [0, 0] + ids.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            body.setBE16(UInt16(ids.count * 2), at: 0)
        case let .copyGroupIdentifier(id):
            body = [UInt8(truncatingIfNeeded: id.count)] + id
        case let .rodTokenFeatures(v):
            var features: [UInt8] = []
            if let blk = v.blockDevice {
                var e = [UInt8](repeating: 0, count: 48)
                e.setBE16(0x002C, at: 2)
                e.setBE16(blk.optimalBlockRODLengthGranularity, at: 6)
                e.setBE64(blk.maximumBytesInBlockROD, at: 8)
                e.setBE64(blk.optimalBytesInBlockRODTransfer, at: 16)
                e.setBE64(blk.optimalBytesToTokenPerSegment, at: 24)
                e.setBE64(blk.optimalBytesFromTokenPerSegment, at: 32)
                features += e
            }
            for other in v.otherDeviceTypeDescriptors { features += other }
            body = [UInt8](repeating: 0, count: 44)
            body[0] = v.remoteTokens & 0x0F
            body.setBE32(v.minimumTokenLifetime, at: 12)
            body.setBE32(v.maximumTokenLifetime, at: 16)
            body.setBE32(v.maximumTokenInactivityTimeout, at: 20)
            body.setBE16(UInt16(truncatingIfNeeded: features.count), at: 42)
            body += features
        case let .supportedRODTypes(types):
            body = [0, 0, 0, 0]
            body.setBE16(UInt16(truncatingIfNeeded: types.count * 64), at: 2)
            for t in types {
                var e = [UInt8](repeating: 0, count: 64)
                e.setBE32(t.rodType.rawValue, at: 0)
                e[4] = (t.internalCopy ? 0x80 : 0) | (t.tokenIn ? 0x02 : 0) | (t.tokenOut ? 0x01 : 0)
                e.setBE16(t.preferenceIndication, at: 6)
                body += e
            }
        case let .generalCopyOperations(v):
            body = [UInt8](repeating: 0, count: 32)
            body.setBE32(v.totalConcurrentCopies, at: 0)
            body.setBE32(v.maximumIdentifiedConcurrentCopies, at: 4)
            body.setBE32(v.maximumSegmentLength, at: 8)
            body[12] = v.dataSegmentGranularityLog2
            body[13] = v.inlineDataGranularityLog2
        case let .streamCopyOperations(size):
            body = [UInt8](repeating: 0, count: 8)
            body.setBE32(size, at: 0)
        case let .heldData(limit, granularity):
            body = [UInt8](repeating: 0, count: 8)
            body.setBE32(limit, at: 0)
            body[4] = granularity
        case let .unknown(_, bytes):
            return bytes
        }
        while body.count % 4 != 0 { body.append(0) }
        var header: [UInt8] = [0, 0, 0, 0]
        header.setBE16(typeCode, at: 0)
        header.setBE16(UInt16(truncatingIfNeeded: body.count), at: 2)
        return header + body
    }
}

/// 0000h Block Device ROD Token Limits. Times in seconds; sizes in logical blocks.
public struct BlockDeviceRODLimits: Equatable, Sendable {
    public var maximumRangeDescriptors: UInt16
    /// 0 = not reported; FFFFFFFFh = no maximum.
    public var maximumInactivityTimeout: UInt32
    public var defaultInactivityTimeout: UInt32
    public var maximumTokenTransferSize: UInt64
    public var optimalTransferCount: UInt64
    public init(maximumRangeDescriptors: UInt16, maximumInactivityTimeout: UInt32, defaultInactivityTimeout: UInt32,
                maximumTokenTransferSize: UInt64, optimalTransferCount: UInt64) {
        self.maximumRangeDescriptors = maximumRangeDescriptors
        self.maximumInactivityTimeout = maximumInactivityTimeout
        self.defaultInactivityTimeout = defaultInactivityTimeout
        self.maximumTokenTransferSize = maximumTokenTransferSize
        self.optimalTransferCount = optimalTransferCount
    }
}

/// One entry of 0001h Supported Commands: an operation code and its service actions.
public struct SupportedCopyCommand: Equatable, Sendable {
    public var operationCode: OperationCode
    public var serviceActions: [UInt8]
    public init(operationCode: OperationCode, serviceActions: [UInt8]) {
        self.operationCode = operationCode
        self.serviceActions = serviceActions
    }
}

/// 0004h Parameter Data: EXTENDED COPY limits. MAXIMUM INLINE DATA LENGTH is at offset 16
/// (sg3_utils >= 1.48 wrongly reads 17).
public struct CopyParameterData: Equatable, Sendable {
    public var maximumCSCDDescriptorCount: UInt16
    public var maximumSegmentDescriptorCount: UInt16
    public var maximumDescriptorListLength: UInt32
    public var maximumInlineDataLength: UInt32
    public init(maximumCSCDDescriptorCount: UInt16, maximumSegmentDescriptorCount: UInt16,
                maximumDescriptorListLength: UInt32, maximumInlineDataLength: UInt32) {
        self.maximumCSCDDescriptorCount = maximumCSCDDescriptorCount
        self.maximumSegmentDescriptorCount = maximumSegmentDescriptorCount
        self.maximumDescriptorListLength = maximumDescriptorListLength
        self.maximumInlineDataLength = maximumInlineDataLength
    }
}

/// 0106h ROD Token Features. Lifetimes and timeouts in seconds.
public struct RODTokenFeatures: Equatable, Sendable {
    public var remoteTokens: UInt8
    public var minimumTokenLifetime: UInt32
    public var maximumTokenLifetime: UInt32
    public var maximumTokenInactivityTimeout: UInt32
    public var blockDevice: BlockRODFeatures?
    /// Device-type-specific descriptors for other device types, verbatim.
    public var otherDeviceTypeDescriptors: [[UInt8]]
    public init(remoteTokens: UInt8, minimumTokenLifetime: UInt32, maximumTokenLifetime: UInt32,
                maximumTokenInactivityTimeout: UInt32, blockDevice: BlockRODFeatures?,
                otherDeviceTypeDescriptors: [[UInt8]] = []) {
        self.remoteTokens = remoteTokens
        self.minimumTokenLifetime = minimumTokenLifetime
        self.maximumTokenLifetime = maximumTokenLifetime
        self.maximumTokenInactivityTimeout = maximumTokenInactivityTimeout
        self.blockDevice = blockDevice
        self.otherDeviceTypeDescriptors = otherDeviceTypeDescriptors
    }
}

/// The block-device (PDT 0) descriptor inside 0106h. Sizes in bytes.
public struct BlockRODFeatures: Equatable, Sendable {
    public var optimalBlockRODLengthGranularity: UInt16
    public var maximumBytesInBlockROD: UInt64
    public var optimalBytesInBlockRODTransfer: UInt64
    public var optimalBytesToTokenPerSegment: UInt64
    public var optimalBytesFromTokenPerSegment: UInt64
    public init(optimalBlockRODLengthGranularity: UInt16, maximumBytesInBlockROD: UInt64,
                optimalBytesInBlockRODTransfer: UInt64, optimalBytesToTokenPerSegment: UInt64,
                optimalBytesFromTokenPerSegment: UInt64) {
        self.optimalBlockRODLengthGranularity = optimalBlockRODLengthGranularity
        self.maximumBytesInBlockROD = maximumBytesInBlockROD
        self.optimalBytesInBlockRODTransfer = optimalBytesInBlockRODTransfer
        self.optimalBytesToTokenPerSegment = optimalBytesToTokenPerSegment
        self.optimalBytesFromTokenPerSegment = optimalBytesFromTokenPerSegment
    }
}

/// One 64-byte entry of 0108h.
public struct SupportedRODType: Equatable, Sendable {
    public var rodType: RODType
    public var internalCopy: Bool
    public var tokenIn: Bool
    public var tokenOut: Bool
    public var preferenceIndication: UInt16
    public init(rodType: RODType, internalCopy: Bool, tokenIn: Bool, tokenOut: Bool, preferenceIndication: UInt16) {
        self.rodType = rodType
        self.internalCopy = internalCopy
        self.tokenIn = tokenIn
        self.tokenOut = tokenOut
        self.preferenceIndication = preferenceIndication
    }
}

/// 8001h General Copy Operations. MAXIMUM SEGMENT LENGTH 0 means "not reported".
public struct GeneralCopyOperations: Equatable, Sendable {
    public var totalConcurrentCopies: UInt32
    public var maximumIdentifiedConcurrentCopies: UInt32
    public var maximumSegmentLength: UInt32
    public var dataSegmentGranularityLog2: UInt8
    public var inlineDataGranularityLog2: UInt8
    public init(totalConcurrentCopies: UInt32, maximumIdentifiedConcurrentCopies: UInt32, maximumSegmentLength: UInt32,
                dataSegmentGranularityLog2: UInt8, inlineDataGranularityLog2: UInt8) {
        self.totalConcurrentCopies = totalConcurrentCopies
        self.maximumIdentifiedConcurrentCopies = maximumIdentifiedConcurrentCopies
        self.maximumSegmentLength = maximumSegmentLength
        self.dataSegmentGranularityLog2 = dataSegmentGranularityLog2
        self.inlineDataGranularityLog2 = inlineDataGranularityLog2
    }
}
