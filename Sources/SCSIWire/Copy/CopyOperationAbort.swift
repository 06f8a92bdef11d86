/// COPY OPERATION ABORT CDB (83h SA 1Ch, SPC-4 6.3): aborts the copy operation with the given
/// LID4 list identifier (bytes 2-5). CTL and ddptctl --abort implement it.
public struct CopyOperationAbort: Equatable, Sendable {
    public static let length = 16

    public var listIdentifier: UInt32
    public var control: UInt8

    public init(listIdentifier: UInt32, control: UInt8 = 0) {
        self.listIdentifier = listIdentifier
        self.control = control
    }

    public init(parsing cdb: [UInt8]) throws {
        let what = "COPY OPERATION ABORT CDB"
        try cdb.checkRange(0, CopyOperationAbort.length, what)
        guard cdb[0] == OperationCode.thirdPartyCopyOut.rawValue,
              cdb[1] & 0x1F == CopyOutServiceAction.copyOperationAbort.rawValue else {
            throw WireError.invalidField(what: what, detail: "opcode \(hexByte(cdb[0])) SA \(hexByte(cdb[1] & 0x1F)), expected 0x83/0x1C")
        }
        listIdentifier = try cdb.be32(at: 2)
        control = cdb[15]
    }

    public func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: CopyOperationAbort.length)
        out[0] = OperationCode.thirdPartyCopyOut.rawValue
        out[1] = CopyOutServiceAction.copyOperationAbort.rawValue
        out.setBE32(listIdentifier, at: 2)
        out[15] = control
        return out
    }

    public static func cdb(listIdentifier: UInt32) -> [UInt8] {
        CopyOperationAbort(listIdentifier: listIdentifier).encoded()
    }
}
