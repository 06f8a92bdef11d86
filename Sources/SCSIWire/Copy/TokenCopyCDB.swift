/// A THIRD PARTY COPY OUT command whose CDB has the token-copy shape: POPULATE TOKEN and
/// WRITE USING TOKEN differ only in the service action.
public protocol TokenCopyOperation {
    static var serviceAction: CopyOutServiceAction { get }
    static var commandName: String { get }
}

/// The 16-byte token-copy CDB: 83h, SERVICE ACTION, LIST IDENTIFIER 6-9, PARAMETER LIST
/// LENGTH 10-13, GROUP NUMBER 14 (bits 4-0), CONTROL 15.
public struct TokenCopyCDB<Operation: TokenCopyOperation>: Equatable, Sendable {
    public static var length: Int { 16 }

    public var listIdentifier: UInt32
    public var parameterListLength: UInt32
    public var groupNumber: UInt8
    public var control: UInt8

    public init(listIdentifier: UInt32, parameterListLength: UInt32, groupNumber: UInt8 = 0, control: UInt8 = 0) {
        self.listIdentifier = listIdentifier
        self.parameterListLength = parameterListLength
        self.groupNumber = groupNumber
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        let what = "\(Operation.commandName) CDB"
        try cdb.checkRange(0, Self.length, what)
        let sa = Operation.serviceAction.rawValue
        guard cdb[0] == OperationCode.thirdPartyCopyOut.rawValue, cdb[1] & 0x1F == sa else {
            throw WireError.invalidField(what: what, detail: "opcode \(hexByte(cdb[0])) SA \(hexByte(cdb[1] & 0x1F)), expected 0x83/\(hexByte(sa))")
        }
        listIdentifier = try cdb.be32(at: 6)
        parameterListLength = try cdb.be32(at: 10)
        groupNumber = cdb[14] & 0x1F
        control = cdb[15]
    }

    public func encoded() throws -> [UInt8] {
        guard groupNumber <= 0x1F else {
            throw WireError.valueOutOfRange(what: "\(Operation.commandName) GROUP NUMBER", value: UInt64(groupNumber), maximum: 0x1F)
        }
        return bytes()
    }

    func bytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.length)
        out[0] = OperationCode.thirdPartyCopyOut.rawValue
        out[1] = Operation.serviceAction.rawValue
        out.setBE32(listIdentifier, at: 6)
        out.setBE32(parameterListLength, at: 10)
        out[14] = groupNumber
        out[15] = control
        return out
    }
}

extension TokenCopyOperation {
    /// The CDB for a parameter list of `parameterListLength` bytes (group number 0).
    public static func cdb(listIdentifier: UInt32, parameterListLength: UInt32) -> [UInt8] {
        TokenCopyCDB<Self>(listIdentifier: listIdentifier, parameterListLength: parameterListLength).bytes()
    }
}
