import SCSIWire

/// Decodes saved bytes (captures attached to bug reports, sg3_utils vectors) without a device.
public enum OfflineDecoder {
    public enum Kind: Equatable, Sendable {
        /// A VPD page; nil = recognise each page by its page code.
        case vpd(VPDPageCode?)
        case operatingParameters
        case sense
        case standardInquiry
        case readCapacity16

        /// `--page` values: 0xNN (or NN hex), rcop, sense, inquiry, readcap.
        public init?(option: String) {
            switch option.lowercased() {
            case "rcop": self = .operatingParameters
            case "sense": self = .sense
            case "inquiry", "std": self = .standardInquiry
            case "readcap", "rc16": self = .readCapacity16
            default:
                let hex = option.lowercased().hasPrefix("0x") ? String(option.dropFirst(2)) : option
                guard hex.count <= 2, let v = UInt8(hex, radix: 16) else { return nil }
                self = .vpd(VPDPageCode(rawValue: v))
            }
        }
    }

    public struct Decoded {
        public var json: JSONValue
        public var text: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case unrecognised(String)
        case malformed(String)
        public var description: String {
            switch self {
            case let .unrecognised(s): return s
            case let .malformed(s): return s
            }
        }
    }

    static let knownPages: Set<UInt8> = [0x00, 0x80, 0x83, 0x8F, 0xB0, 0xB2]

    public static func decode(_ bytes: [UInt8], as kind: Kind) throws -> Decoded {
        do {
            switch kind {
            case .operatingParameters:
                let p = try ReceiveCopyOperatingParameters(parsing: bytes)
                return Decoded(json: .object([("receiveCopyOperatingParameters", ReportJSON.operatingParameters(p))]),
                               text: (["RECEIVE COPY OPERATING PARAMETERS:"] + ReportText.operatingParameters(p).map { "  " + $0 }).joined(separator: "\n"))
            case .sense:
                let s = try SenseData(parsing: bytes)
                return Decoded(json: .object([("sense", ReportJSON.sense(s))]), text: "Sense: \(s)")
            case .standardInquiry:
                let i = try StandardInquiry(parsing: bytes)
                return Decoded(json: .object([("inquiry", .object([
                    ("vendor", .string(i.vendor)), ("product", .string(i.product)), ("revision", .string(i.revision)),
                    ("peripheralQualifier", .from(i.peripheralQualifier)), ("peripheralDeviceType", .from(i.peripheralDeviceType)),
                    ("version", .from(i.version)), ("thirdPartyCopy", .bool(i.thirdPartyCopy)), ("tpgs", .from(i.tpgs)),
                    ("versionDescriptors", .array(i.versionDescriptors.map { .from($0) }))]))]),
                    text: "Standard INQUIRY: \(i.vendor) \(i.product) rev \(i.revision), version \(i.version), 3PC=\(i.thirdPartyCopy ? 1 : 0), TPGS=\(i.tpgs)")
            case .readCapacity16:
                let c = try ReadCapacity16Data(parsing: bytes)
                return Decoded(json: .object([("readCapacity16", .object([
                    ("blocks", .from(c.blockCount)), ("blockSize", .from(c.blockLength)), ("lbpme", .bool(c.lbpme)),
                    ("lbprz", .bool(c.lbprz)), ("logicalBlocksPerPhysicalBlockExponent", .from(c.logicalBlocksPerPhysicalBlockExponent)),
                    ("lowestAlignedLBA", .from(c.lowestAlignedLBA))]))]),
                    text: "READ CAPACITY(16): \(c.blockCount) blocks of \(c.blockLength) bytes, LBPME=\(c.lbpme ? 1 : 0) LBPRZ=\(c.lbprz ? 1 : 0)")
            case let .vpd(forced):
                return try decodePages(bytes, forced: forced)
            }
        } catch let e as WireError {
            throw Failure.malformed(e.description)
        }
    }

    /// One or more VPD pages back to back (as `sg_vpd --all --inhex` files hold them). A page this
    /// decoder does not know is stepped over by its length and listed as not decoded.
    static func decodePages(_ bytes: [UInt8], forced: VPDPageCode?) throws -> Decoded {
        var pages: [JSONValue] = []
        var texts: [String] = []
        var skipped: [UInt8] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            var page = Array(bytes[offset...])
            let code = forced ?? VPDPageCode(rawValue: page[1])
            let length = 4 + (Int(page[2]) << 8 | Int(page[3]))
            page = Array(page.prefix(length))
            offset += length
            guard knownPages.contains(code.rawValue) else {
                skipped.append(page[1])
                texts.append("VPD page \(hexByte(page[1])): not decoded (\(length) bytes)")
                continue
            }
            page[1] = code.rawValue  // a forced decode reads the page as that code
            let (json, text) = try decodePage(page, code)
            pages.append(json)
            texts.append(text)
            if forced != nil { break }
        }
        guard !pages.isEmpty else {
            if let first = skipped.first {
                throw Failure.unrecognised("byte 1 is \(hexByte(first)), not a VPD page this decoder knows (00, 80, 83, 8F, B0, B2); use --page rcop|sense|inquiry|readcap|0xNN")
            }
            throw Failure.malformed("fewer than 4 bytes: no VPD page header")
        }
        return Decoded(json: .object([("pages", .array(pages)), ("notDecoded", .array(skipped.map { .from($0) }))]),
                       text: texts.joined(separator: "\n"))
    }

    static func decodePage(_ page: [UInt8], _ code: VPDPageCode) throws -> (JSONValue, String) {
        let head: [(String, JSONValue)] = [("pageCode", .from(code.rawValue)), ("name", .string(code.description))]
        switch code {
        case .supportedPages:
            let p = try SupportedVPDPages(parsing: page)
            return (.object(head + [("pages", .array(p.pages.map { .from($0.rawValue) }))]),
                    "Supported VPD pages: " + p.pages.map { "\(hexByte($0.rawValue)) \($0)" }.joined(separator: ", "))
        case .unitSerialNumber:
            let p = try UnitSerialNumberPage(parsing: page)
            return (.object(head + [("serialNumber", .string(p.serialNumber))]), "Unit serial number: \(p.serialNumber)")
        case .deviceIdentification:
            let p = try DeviceIdentificationPage(parsing: page)
            let lines = p.designators.map { "  \($0.association): \($0.type) [\($0.codeSet)] \($0.valueText)" } + p.problems.map { "  ! \($0)" }
            return (.object(head + [("designators", .array(p.designators.map(ReportJSON.designator))),
                                    ("problems", .array(p.problems.map(JSONValue.string)))]),
                    (["Device identification:"] + lines).joined(separator: "\n"))
        case .thirdPartyCopy:
            let p = try ThirdPartyCopyPage(parsing: page)
            guard case let .object(fields) = ReportJSON.thirdPartyCopy(p) else { fatalError("object expected") }
            return (.object(head + fields), (["Third-party copy:"] + ReportText.thirdPartyCopy(p).map { "  " + $0 }).joined(separator: "\n"))
        case .blockLimits:
            let p = try BlockLimitsPage(parsing: page)
            guard case let .object(fields) = ReportJSON.blockLimits(p) else { fatalError("object expected") }
            return (.object(head + fields), "Block limits: max transfer \(p.maximumTransferLength), optimal \(p.optimalTransferLength), granularity \(p.optimalTransferLengthGranularity), max unmap LBAs \(p.maximumUnmapLBACount.map(String.init) ?? "-"), max unmap descriptors \(p.maximumUnmapBlockDescriptorCount.map(String.init) ?? "-"), max write same \(p.maximumWriteSameLength.map(String.init) ?? "-")")
        case .logicalBlockProvisioning:
            let p = try LogicalBlockProvisioningPage(parsing: page)
            guard case let .object(fields) = ReportJSON.provisioning(p) else { fatalError("object expected") }
            return (.object(head + fields), "Logical block provisioning: \(p.provisioningTypeName), LBPU=\(p.lbpu ? 1 : 0) LBPWS=\(p.lbpws ? 1 : 0) LBPWS10=\(p.lbpws10 ? 1 : 0) LBPRZ=\(p.lbprz)")
        default:
            throw Failure.unrecognised("no decoder for VPD page \(hexByte(code.rawValue))")
        }
    }
}
