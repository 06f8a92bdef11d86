import SCSIWire

/// Whether one LU can take part in an offloaded copy by one method, and the reason in words a
/// storage admin can act on.
public struct OffloadVerdict: Sendable, Equatable {
    public var supported: Bool
    public var reason: String
    public init(supported: Bool, reason: String) { self.supported = supported; self.reason = reason }
}

extension DeviceReport {
    /// EXTENDED COPY (LID1) with 0xE4 CSCDs and 0x02 segments, the variant every copy manager
    /// here implements. 0x8F is often absent, so RCOP and then the 3PC bit decide.
    public var xcopyVerdict: OffloadVerdict {
        guard inquiry.thirdPartyCopy else {
            return OffloadVerdict(supported: false, reason: "standard INQUIRY has 3PC=0: the LU has no copy manager")
        }
        let page = thirdPartyCopy.value
        if let page, page.supportedCommands != nil, !page.lists(.thirdPartyCopyOut, serviceAction: CopyOutServiceAction.extendedCopyLID1.rawValue) {
            return OffloadVerdict(supported: false, reason: "VPD 0x8F Supported Commands does not list EXTENDED COPY(LID1) (83h/00h)")
        }
        let limits = xcopyLimits
        if let codes = limits.implementedDescriptors, !codes.isEmpty {
            let missing = [UInt8(0x02), 0xE4].filter { !codes.contains($0) }
            if !missing.isEmpty {
                return OffloadVerdict(supported: false, reason: "copy manager does not implement descriptor type(s) \(missing.map(hexByte).joined(separator: ", ")) (needs 0x02 block-to-block and 0xE4 identification)")
            }
        }
        guard let designator = copyDesignator else {
            return OffloadVerdict(supported: false, reason: "VPD 0x83 has no LU designator (NAA, EUI-64 or T10) of at most 20 bytes to name the LU in a CSCD")
        }
        if let accepted = family?.cscdDesignators, !accepted.isEmpty, !accepted.contains("any"),
           !accepted.contains(Self.knowledgeName(designator.type)) {
            return OffloadVerdict(supported: false, reason: "\(family!.name) accepts only \(accepted.joined(separator: "/")) CSCD designators; this LU offers \(designator.type)")
        }
        var evidence: [String] = ["3PC=1"]
        switch (operatingParameters.value, page) {
        case (.some, _): evidence.append("RECEIVE COPY OPERATING PARAMETERS answered")
        case (nil, .some): evidence.append("VPD 0x8F present; RECEIVE COPY OPERATING PARAMETERS \(operatingParameters.absenceReason ?? "absent")")
        case (nil, nil):
            evidence.append("no VPD 0x8F and RECEIVE COPY OPERATING PARAMETERS \(operatingParameters.absenceReason ?? "absent"): limits unknown, only trying will tell")
        }
        if page == nil { evidence.append("VPD 0x8F absent (\(thirdPartyCopy.absenceReason ?? "not returned"))") }
        evidence.append("CSCD designator \(designator.type) \(designator.valueText)")
        return OffloadVerdict(supported: true, reason: evidence.joined(separator: "; "))
    }

    /// ODX needs the full token machinery advertised in 0x8F: BDRL plus PT, WUT and RRTI.
    public var odxVerdict: OffloadVerdict {
        guard let page = thirdPartyCopy.value else {
            return OffloadVerdict(supported: false, reason: "no VPD 0x8F (\(thirdPartyCopy.absenceReason ?? "absent")); ODX token support is only advertised there")
        }
        guard page.blockDeviceRODLimits != nil else {
            return OffloadVerdict(supported: false, reason: "VPD 0x8F has no Block Device ROD Token Limits descriptor (0000h)")
        }
        let needed: [(OperationCode, UInt8, String)] = [
            (.thirdPartyCopyOut, CopyOutServiceAction.populateToken.rawValue, "POPULATE TOKEN (83h/10h)"),
            (.thirdPartyCopyOut, CopyOutServiceAction.writeUsingToken.rawValue, "WRITE USING TOKEN (83h/11h)"),
            (.thirdPartyCopyIn, CopyInServiceAction.receiveRODTokenInformation.rawValue, "RECEIVE ROD TOKEN INFORMATION (84h/07h)"),
        ]
        let missing = needed.filter { !page.lists($0.0, serviceAction: $0.1) }.map(\.2)
        guard missing.isEmpty else {
            return OffloadVerdict(supported: false, reason: "VPD 0x8F Supported Commands lacks \(missing.joined(separator: ", "))")
        }
        var reason = "VPD 0x8F advertises POPULATE TOKEN, WRITE USING TOKEN and RRTI with ROD token limits"
        if let types = page.supportedRODTypes?.map(\.rodType) {
            reason += "; ROD types \(types.map(\.description).joined(separator: ", "))"
        }
        return OffloadVerdict(supported: true, reason: reason)
    }

    public var xcopyLimits: CopyLimits { CopyLimits(rcop: operatingParameters.value, page: thirdPartyCopy.value) }

    static func knowledgeName(_ t: Designator.DesignatorType) -> String {
        switch t {
        case .naa: return "naa"
        case .eui64: return "eui64"
        case .t10VendorID: return "t10"
        case .scsiNameString: return "scsiName"
        default: return t.description
        }
    }
}
