/// VPD page 0x83: the designators that name the LU, its target port and target device.
/// Parsed defensively: real targets return descriptors whose length runs past the page (SCST)
/// or pages in a pre-T10 layout (old EMC Symmetrix). Such a descriptor ends the walk and is
/// reported in `problems`; everything before it is kept.
public struct DeviceIdentificationPage: Equatable, Sendable {
    public var designators: [Designator]
    /// Why parsing stopped early, one line each; empty for a well-formed page.
    public var problems: [String]

    public init(designators: [Designator], problems: [String] = []) {
        self.designators = designators
        self.problems = problems
    }

    public init(parsing b: [UInt8]) throws {
        let (header, body) = try VPDPageHeader.body(of: b, expecting: .deviceIdentification)
        var found: [Designator] = []
        var problems: [String] = []
        if body.count < header.pageLength {
            problems.append("page length says \(header.pageLength) bytes, only \(body.count) returned")
        }
        var offset = 0
        while offset < body.count {
            guard offset + 4 <= body.count else {
                problems.append("designator at page offset \(offset + 4): \(body.count - offset) bytes left, header needs 4")
                break
            }
            let length = Int(body[offset + 3])
            guard body[offset + 2] == 0 else {
                problems.append("designator at page offset \(offset + 4): reserved byte 2 is \(hexByte(body[offset + 2])), not a T10 designation descriptor")
                break
            }
            guard offset + 4 + length <= body.count else {
                problems.append("designator at page offset \(offset + 4) says it is \(length) bytes, only \(body.count - offset - 4) remain")
                break
            }
            found.append(Designator(
                protocolIdentifier: body[offset] >> 4,
                codeSet: .init(rawValue: body[offset]),
                piv: body[offset + 1] & 0x80 != 0,
                association: Designator.Association(rawValue: (body[offset + 1] >> 4) & 0x03)!,
                type: .init(rawValue: body[offset + 1]),
                value: Array(body[(offset + 4)..<(offset + 4 + length)])))
            offset += 4 + length
        }
        designators = found
        self.problems = problems
    }

    public func encoded(deviceType: UInt8 = 0) -> [UInt8] {
        VPDPageHeader.encode(.deviceIdentification, deviceType: deviceType, body: designators.flatMap { $0.encoded() })
    }

    /// Designators naming the logical unit itself: the only ones a CSCD may carry.
    public var logicalUnitDesignators: [Designator] { designators.filter { $0.association == .logicalUnit } }

    /// The designator to put in an 0xE4 CSCD for this LU: LU association, at most 20 bytes,
    /// NAA preferred (LIO accepts nothing else), then EUI-64, then T10 vendor ID.
    public var preferredCopyDesignator: Designator? {
        let lu = logicalUnitDesignators.filter { $0.value.count <= 20 && !$0.value.isEmpty }
        for type in [Designator.DesignatorType.naa, .eui64, .t10VendorID] {
            if let d = lu.first(where: { $0.type == type }) { return d }
        }
        return nil
    }
}
