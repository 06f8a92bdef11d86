/// The THIRD PARTY COPY IN CDB (84h; "RECEIVE COPY RESULTS" before SPC-4 r34), for every
/// service action. The LID1 service actions carry a 1-byte list identifier at byte 2; the LID4
/// ones (copy status, copy data, RRTI) a 4-byte one at 2-5; operating parameters and REPORT
/// ALL ROD TOKENS none. ALLOCATION LENGTH is always at 10-13.
public struct ReceiveCopyResults: Equatable, Sendable {
    public static let length = 16
    /// LIO fails RECEIVE COPY OPERATING PARAMETERS with INVALID FIELD IN CDB below 54, although
    /// its response is 46 bytes.
    public static let minimumLIOAllocationLength: UInt32 = 54
    /// sg_copy_results' default.
    public static let defaultAllocationLength: UInt32 = 520

    public var serviceAction: CopyInServiceAction
    /// Held as 32 bits for all service actions; LID1 ones only carry the low byte.
    public var listIdentifier: UInt32
    public var allocationLength: UInt32
    public var control: UInt8

    public init(serviceAction: CopyInServiceAction, listIdentifier: UInt32 = 0,
                allocationLength: UInt32, control: UInt8 = 0) {
        self.serviceAction = serviceAction
        self.listIdentifier = listIdentifier
        self.allocationLength = allocationLength
        self.control = control
    }

    /// Where a service action keeps its list identifier.
    public enum ListIdentifierField: Equatable, Sendable {
        case none
        /// Byte 2.
        case oneByte
        /// Bytes 2-5.
        case fourBytes
    }

    public static func listIdentifierField(for serviceAction: CopyInServiceAction) -> ListIdentifierField {
        switch serviceAction {
        case .receiveCopyStatusLID1, .receiveCopyDataLID1, .receiveCopyFailureDetailsLID1:
            return .oneByte
        case .receiveCopyStatusLID4, .receiveCopyDataLID4, .receiveRODTokenInformation:
            return .fourBytes
        case .receiveCopyOperatingParameters, .reportAllRODTokens:
            return .none
        }
    }

    /// Throws `.invalidField` for another opcode or an unknown service action (a target answers
    /// INVALID FIELD IN CDB). Reserved bytes are not checked; a service action without a list
    /// identifier parses as list identifier 0.
    public init(parsing cdb: [UInt8]) throws {
        let what = "THIRD PARTY COPY IN CDB"
        try cdb.checkRange(0, ReceiveCopyResults.length, what)
        guard cdb[0] == OperationCode.thirdPartyCopyIn.rawValue else {
            throw WireError.invalidField(what: what, detail: "opcode \(hexByte(cdb[0])), expected 0x84")
        }
        guard let action = CopyInServiceAction(rawValue: cdb[1] & 0x1F) else {
            throw WireError.invalidField(what: "\(what) SERVICE ACTION", detail: "unsupported \(hexByte(cdb[1] & 0x1F))")
        }
        serviceAction = action
        switch ReceiveCopyResults.listIdentifierField(for: action) {
        case .none: listIdentifier = 0
        case .oneByte: listIdentifier = UInt32(cdb[2])
        case .fourBytes: listIdentifier = try cdb.be32(at: 2)
        }
        allocationLength = try cdb.be32(at: 10)
        control = cdb[15]
    }

    /// Throws `.valueOutOfRange` when the list identifier does not fit the service action's
    /// field (over 255 for LID1, non-zero where there is none).
    public func encoded() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ReceiveCopyResults.length)
        out[0] = OperationCode.thirdPartyCopyIn.rawValue
        out[1] = serviceAction.rawValue
        switch ReceiveCopyResults.listIdentifierField(for: serviceAction) {
        case .none:
            guard listIdentifier == 0 else {
                throw WireError.valueOutOfRange(what: "list identifier (service action \(hexByte(serviceAction.rawValue)) has none)",
                                                value: UInt64(listIdentifier), maximum: 0)
            }
        case .oneByte:
            guard listIdentifier <= 0xFF else {
                throw WireError.valueOutOfRange(what: "LID1 LIST IDENTIFIER", value: UInt64(listIdentifier), maximum: 0xFF)
            }
            out[2] = UInt8(listIdentifier)
        case .fourBytes:
            out.setBE32(listIdentifier, at: 2)
        }
        out.setBE32(allocationLength, at: 10)
        out[15] = control
        return out
    }

    // CDB builders; none of these can fail, the list identifier types match the fields.

    public static func operatingParameters(allocationLength: UInt32 = defaultAllocationLength) -> [UInt8] {
        lid1(.receiveCopyOperatingParameters, 0, allocationLength)
    }

    public static func copyStatusLID1(listIdentifier: UInt8, allocationLength: UInt32 = defaultAllocationLength) -> [UInt8] {
        lid1(.receiveCopyStatusLID1, listIdentifier, allocationLength)
    }

    public static func copyDataLID1(listIdentifier: UInt8, allocationLength: UInt32) -> [UInt8] {
        lid1(.receiveCopyDataLID1, listIdentifier, allocationLength)
    }

    public static func failureDetailsLID1(listIdentifier: UInt8, allocationLength: UInt32 = defaultAllocationLength) -> [UInt8] {
        lid1(.receiveCopyFailureDetailsLID1, listIdentifier, allocationLength)
    }

    public static func copyStatusLID4(listIdentifier: UInt32, allocationLength: UInt32 = defaultAllocationLength) -> [UInt8] {
        lid4(.receiveCopyStatusLID4, listIdentifier, allocationLength)
    }

    public static func copyDataLID4(listIdentifier: UInt32, allocationLength: UInt32) -> [UInt8] {
        lid4(.receiveCopyDataLID4, listIdentifier, allocationLength)
    }

    /// ddpt uses a 1024-byte buffer; the response with a token and no sense is 550 bytes.
    public static func rodTokenInformation(listIdentifier: UInt32, allocationLength: UInt32 = 1024) -> [UInt8] {
        lid4(.receiveRODTokenInformation, listIdentifier, allocationLength)
    }

    public static func reportAllRODTokens(allocationLength: UInt32) -> [UInt8] {
        lid1(.reportAllRODTokens, 0, allocationLength)
    }

    private static func lid1(_ sa: CopyInServiceAction, _ id: UInt8, _ length: UInt32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ReceiveCopyResults.length)
        out[0] = OperationCode.thirdPartyCopyIn.rawValue
        out[1] = sa.rawValue
        out[2] = id
        out.setBE32(length, at: 10)
        return out
    }

    private static func lid4(_ sa: CopyInServiceAction, _ id: UInt32, _ length: UInt32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ReceiveCopyResults.length)
        out[0] = OperationCode.thirdPartyCopyIn.rawValue
        out[1] = sa.rawValue
        out.setBE32(id, at: 2)
        out.setBE32(length, at: 10)
        return out
    }
}
