/// Sense data in fixed (70h/71h) or descriptor (72h/73h) format (SPC-4 4.5). One model for
/// both, so callers ask for the key, ASC/ASCQ, information and the copy-specific fields without
/// caring which format a target chose.
public struct SenseData: Equatable, Sendable, CustomStringConvertible {
    public enum Format: Equatable, Sendable { case fixed, descriptor }

    public var format: Format
    /// Deferred error (71h/73h) rather than current (70h/72h).
    public var deferred: Bool
    public var key: SenseKey
    public var additionalSense: AdditionalSense
    /// INFORMATION: fixed format only when VALID is set; descriptor 00h otherwise.
    public var information: UInt64?
    /// COMMAND-SPECIFIC INFORMATION: for COPY ABORTED, the number of the failing segment.
    public var commandSpecificInformation: UInt64?
    public var senseKeySpecific: SenseKeySpecific?
    public var fieldReplaceableUnitCode: UInt8?
    /// FILEMARK, EOM, ILI: fixed format byte 2 bits 7-5; descriptor format carries them in the
    /// stream commands (04h) and block commands (05h, ILI only) descriptors.
    public var filemark = false, endOfMedium = false, incorrectLength = false
    /// Descriptor format byte 2... (SDAT_OVFL, byte 4 bit 7 of the descriptor header).
    public var senseDataOverflow = false
    /// Descriptors other than the four modelled above, kept verbatim (type, bytes incl. header).
    public var otherDescriptors: [SenseDescriptor]
    /// Forwarded sense (descriptor 0Ch): what the copy source or destination itself answered.
    public var forwarded: [ForwardedSense]

    public init(format: Format = .descriptor, deferred: Bool = false, key: SenseKey,
                additionalSense: AdditionalSense, information: UInt64? = nil,
                commandSpecificInformation: UInt64? = nil, senseKeySpecific: SenseKeySpecific? = nil,
                fieldReplaceableUnitCode: UInt8? = nil, otherDescriptors: [SenseDescriptor] = [],
                forwarded: [ForwardedSense] = []) {
        self.format = format
        self.deferred = deferred
        self.key = key
        self.additionalSense = additionalSense
        self.information = information
        self.commandSpecificInformation = commandSpecificInformation
        self.senseKeySpecific = senseKeySpecific
        self.fieldReplaceableUnitCode = fieldReplaceableUnitCode
        self.otherDescriptors = otherDescriptors
        self.forwarded = forwarded
    }

    /// Parses either format; a descriptor whose length runs past the data ends the list.
    public init(parsing bytes: [UInt8]) throws {
        let response = try bytes.u8(at: 0, "sense response code") & 0x7F
        switch response {
        case 0x70, 0x71:
            format = .fixed
            deferred = response == 0x71
            let b2 = try bytes.u8(at: 2, "fixed sense byte 2")
            key = SenseKey(rawValue: b2)
            filemark = b2 & 0x80 != 0
            endOfMedium = b2 & 0x40 != 0
            incorrectLength = b2 & 0x20 != 0
            if bytes[0] & 0x80 != 0 { information = UInt64(try bytes.be32(at: 3, "fixed sense INFORMATION")) }
            let additionalLength = Int(bytes.count > 7 ? bytes[7] : 0)
            let end = Swift.min(bytes.count, 8 + additionalLength)
            // Fields exist only as far as both the additional length and the data reach.
            func has(_ offset: Int, _ count: Int) -> Bool { offset + count <= end }
            // Kept even when 0: for COPY ABORTED it numbers the failing segment from 0.
            if has(8, 4) { commandSpecificInformation = UInt64(try bytes.be32(at: 8)) }
            additionalSense = has(12, 2) ? AdditionalSense(code: bytes[12], qualifier: bytes[13])
                                         : .noAdditionalSenseInformation
            if has(14, 1), bytes[14] != 0 { fieldReplaceableUnitCode = bytes[14] }
            if has(15, 3), bytes[15] & 0x80 != 0 {
                senseKeySpecific = SenseKeySpecific(bytes: [bytes[15], bytes[16], bytes[17]])
            }
            otherDescriptors = []
            forwarded = []
        case 0x72, 0x73:
            format = .descriptor
            deferred = response == 0x73
            key = SenseKey(rawValue: try bytes.u8(at: 1, "descriptor sense key"))
            additionalSense = AdditionalSense(code: try bytes.u8(at: 2, "ASC"), qualifier: try bytes.u8(at: 3, "ASCQ"))
            senseDataOverflow = try bytes.u8(at: 4, "descriptor sense byte 4") & 0x80 != 0
            let additionalLength = Int(try bytes.u8(at: 7, "additional sense length"))
            let end = Swift.min(bytes.count, 8 + additionalLength)
            otherDescriptors = []
            forwarded = []
            var offset = 8
            while offset + 2 <= end {
                let type = bytes[offset]
                let length = Int(bytes[offset + 1])
                guard offset + 2 + length <= end else { break }
                let descriptor = Array(bytes[offset..<(offset + 2 + length)])
                switch type {
                case 0x00 where length >= 0x0A:
                    information = try descriptor.be64(at: 4)
                case 0x01 where length >= 0x0A:
                    commandSpecificInformation = try descriptor.be64(at: 4)
                case 0x02 where length >= 0x06:
                    if descriptor[4] & 0x80 != 0 {
                        senseKeySpecific = SenseKeySpecific(bytes: [descriptor[4], descriptor[5], descriptor[6]])
                    }
                case 0x03 where length >= 0x02:
                    fieldReplaceableUnitCode = descriptor[3]
                case 0x0C where length >= 0x02:
                    forwarded.append(try ForwardedSense(parsing: descriptor))
                case 0x04 where length >= 0x02:
                    // Kept verbatim (wire order survives a round trip); the flags are read from it.
                    filemark = descriptor[3] & 0x80 != 0
                    endOfMedium = descriptor[3] & 0x40 != 0
                    incorrectLength = descriptor[3] & 0x20 != 0
                    otherDescriptors.append(SenseDescriptor(type: type, bytes: descriptor))
                case 0x05 where length >= 0x02:
                    incorrectLength = descriptor[3] & 0x20 != 0
                    otherDescriptors.append(SenseDescriptor(type: type, bytes: descriptor))
                default:
                    otherDescriptors.append(SenseDescriptor(type: type, bytes: descriptor))
                }
                offset += 2 + length
            }
        default:
            throw WireError.invalidField(what: "sense data", detail: "response code \(hexByte(response)) is neither fixed (70h/71h) nor descriptor (72h/73h) format")
        }
    }

    /// Builds the bytes; fixed format carries only 32-bit INFORMATION/COMMAND-SPECIFIC values.
    public func encoded() -> [UInt8] {
        switch format {
        case .fixed:
            var out = [UInt8](repeating: 0, count: 18)
            out[0] = (deferred ? 0x71 : 0x70) | (information != nil ? 0x80 : 0)
            out[2] = key.rawValue | (filemark ? 0x80 : 0) | (endOfMedium ? 0x40 : 0) | (incorrectLength ? 0x20 : 0)
            if let information { out.setBE32(UInt32(truncatingIfNeeded: information), at: 3) }
            out[7] = 10
            if let commandSpecificInformation { out.setBE32(UInt32(truncatingIfNeeded: commandSpecificInformation), at: 8) }
            out[12] = additionalSense.code
            out[13] = additionalSense.qualifier
            out[14] = fieldReplaceableUnitCode ?? 0
            if let s = senseKeySpecific { out[15] = s.bytes[0] | 0x80; out[16] = s.bytes[1]; out[17] = s.bytes[2] }
            return out
        case .descriptor:
            var out: [UInt8] = [deferred ? 0x73 : 0x72, key.rawValue, additionalSense.code,
                                additionalSense.qualifier, senseDataOverflow ? 0x80 : 0, 0, 0, 0]
            if let information {
                var d: [UInt8] = [0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0]
                d.setBE64(information, at: 4)
                out += d
            }
            if let commandSpecificInformation {
                var d: [UInt8] = [0x01, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
                d.setBE64(commandSpecificInformation, at: 4)
                out += d
            }
            if let s = senseKeySpecific { out += [0x02, 0x06, 0, 0, s.bytes[0] | 0x80, s.bytes[1], s.bytes[2], 0] }
            if let fru = fieldReplaceableUnitCode { out += [0x03, 0x02, 0, fru] }
            for f in forwarded { out += f.encoded() }
            // Flags set in code get their descriptor unless a parsed one is carried verbatim.
            let carriesFlags = otherDescriptors.contains { $0.type == 0x04 || $0.type == 0x05 }
            if !carriesFlags, filemark || endOfMedium {
                out += [0x04, 0x02, 0, (filemark ? 0x80 : 0) | (endOfMedium ? 0x40 : 0) | (incorrectLength ? 0x20 : 0)]
            } else if !carriesFlags, incorrectLength {
                out += [0x05, 0x02, 0, 0x20]
            }
            for d in otherDescriptors { out += d.bytes }
            out[7] = UInt8(truncatingIfNeeded: out.count - 8)
            return out
        }
    }

    public var description: String {
        var s = "\(key), \(additionalSense)"
        if let information { s += ", information \(information)" }
        if let csi = commandSpecificInformation, csi != 0 || key == .copyAborted { s += ", command-specific \(csi)" }
        if let senseKeySpecific, let text = senseKeySpecific.describe(for: key) { s += ", \(text)" }
        for f in forwarded { s += ", forwarded from \(f.source): \(f.sense.map(\.description) ?? "status \(hexByte(f.status))")" }
        return s
    }
}

/// A sense data descriptor this model does not break out, kept with its 2-byte header.
public struct SenseDescriptor: Equatable, Sendable {
    public var type: UInt8
    public var bytes: [UInt8]
    public init(type: UInt8, bytes: [UInt8]) { self.type = type; self.bytes = bytes }
}

/// The 3 SENSE KEY SPECIFIC bytes (SKSV set). Meaning depends on the sense key.
public struct SenseKeySpecific: Equatable, Sendable {
    /// The three bytes with SKSV (bit 7 of the first) cleared.
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = [bytes[0] & 0x7F, bytes[1], bytes[2]] }

    /// ILLEGAL REQUEST field pointer: which CDB or parameter byte (and bit) was wrong.
    public static func fieldPointer(inCDB: Bool, byte: UInt16, bit: UInt8? = nil) -> SenseKeySpecific {
        SenseKeySpecific(bytes: [(inCDB ? 0x40 : 0) | (bit.map { 0x08 | ($0 & 7) } ?? 0),
                                 UInt8(byte >> 8), UInt8(byte & 0xFF)])
    }

    /// COPY ABORTED segment pointer: SD set means the byte is in the segment descriptor,
    /// otherwise in the parameter list.
    public static func segmentPointer(inSegmentDescriptor: Bool, byte: UInt16, bit: UInt8? = nil) -> SenseKeySpecific {
        SenseKeySpecific(bytes: [(inSegmentDescriptor ? 0x20 : 0) | (bit.map { 0x08 | ($0 & 7) } ?? 0),
                                 UInt8(byte >> 8), UInt8(byte & 0xFF)])
    }

    public var pointerValue: UInt16 { UInt16(bytes[1]) << 8 | UInt16(bytes[2]) }
    public var commandData: Bool { bytes[0] & 0x40 != 0 }
    public var segmentDescriptor: Bool { bytes[0] & 0x20 != 0 }
    public var bitPointer: UInt8? { bytes[0] & 0x08 != 0 ? bytes[0] & 0x07 : nil }

    /// Progress for NOT READY / NO SENSE: fraction of 65536.
    public var progress: Double { Double(pointerValue) / 65536.0 }

    public func describe(for key: SenseKey) -> String? {
        let bit = bitPointer.map { " bit \($0)" } ?? ""
        switch key {
        case .illegalRequest:
            return "field pointer: \(commandData ? "CDB" : "parameter list") byte \(pointerValue)\(bit)"
        case .copyAborted:
            return "segment pointer: \(segmentDescriptor ? "segment descriptor" : "parameter list") byte \(pointerValue)\(bit)"
        case .notReady, .noSense:
            return "progress \((progress * 100).rounded())%"
        case .recoveredError, .mediumError, .hardwareError:
            return "actual retry count \(pointerValue)"
        default:
            return nil
        }
    }
}

/// Forwarded sense data descriptor (0Ch, SPC-5 4.4.2.9): the status and sense a copy source or
/// destination returned to the copy manager, carried inside the copy manager's own sense.
public struct ForwardedSense: Equatable, Sendable {
    public enum Source: Equatable, Sendable, CustomStringConvertible {
        case copySource
        /// The nth copy destination, counted from 0.
        case copyDestination(Int)
        public var description: String {
            switch self {
            case .copySource: return "copy source device"
            case let .copyDestination(n): return "copy destination device \(n)"
            }
        }
    }

    public var truncated: Bool
    public var source: Source
    /// SCSI status the device returned (02h CHECK CONDITION, ...).
    public var status: UInt8
    public var senseBytes: [UInt8]
    public var sense: SenseData? { senseBytes.isEmpty ? nil : try? SenseData(parsing: senseBytes) }

    public init(truncated: Bool = false, source: Source, status: UInt8, senseBytes: [UInt8]) {
        self.truncated = truncated
        self.source = source
        self.status = status
        self.senseBytes = senseBytes
    }

    /// Parses one descriptor including its 2-byte header.
    public init(parsing d: [UInt8]) throws {
        let b2 = try d.u8(at: 2, "forwarded sense byte 2")
        truncated = b2 & 0x80 != 0
        let code = Int(b2 & 0x0F)
        source = code == 0 ? .copySource : .copyDestination(code - 1)
        status = try d.u8(at: 3, "forwarded status")
        senseBytes = d.count > 4 ? Array(d[4...]) : []
    }

    public func encoded() -> [UInt8] {
        let code: UInt8
        switch source {
        case .copySource: code = 0
        case let .copyDestination(n): code = UInt8(Swift.min(n + 1, 15))
        }
        return [0x0C, UInt8(truncatingIfNeeded: 2 + senseBytes.count), (truncated ? 0x80 : 0) | code, status] + senseBytes
    }
}
