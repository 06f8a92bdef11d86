/// RECEIVE ROD TOKEN INFORMATION response (84h SA 07h): the LID4 status header of a POPULATE
/// TOKEN or WRITE USING TOKEN, then at 32 + byte 13 the ROD TOKEN DESCRIPTORS LENGTH (514 with
/// a token, 0 without), 2 reserved bytes and the 512-byte token. With no sense data the token
/// is at bytes 38-549 and the response is 550 bytes.
public struct ReceiveRODTokenInformation: Equatable, Sendable {
    /// ROD TOKEN DESCRIPTORS LENGTH with one token: 2 reserved bytes + 512.
    public static let tokenDescriptorsLength: UInt32 = 514

    /// RESPONSE TO SERVICE ACTION is 10h (POPULATE TOKEN) or 11h (WRITE USING TOKEN).
    public var status: ReceiveCopyStatusLID4
    /// The token a completed POPULATE TOKEN created; nil when none is reported.
    public var rodToken: RODToken?

    public init(status: ReceiveCopyStatusLID4, rodToken: RODToken?) {
        self.status = status
        self.rodToken = rodToken
    }

    /// Unlike the status alone, the token part must be complete: a response cut anywhere
    /// before the token's last byte throws `.truncated` (a partial token is useless). A
    /// descriptors length of 1-513 throws `.invalidField`; beyond 514 only the first token is
    /// read (ddpt does the same).
    public init(parsing bytes: [UInt8]) throws {
        let status = try ReceiveCopyStatusLID4(parsing: bytes)
        let offset = ReceiveCopyStatusLID4.headerLength + Int(bytes[13])
        let descriptorsLength = try bytes.be32(at: offset, "RRTI ROD TOKEN DESCRIPTORS LENGTH")
        self.status = status
        if descriptorsLength == 0 {
            rodToken = nil
            return
        }
        guard descriptorsLength >= ReceiveRODTokenInformation.tokenDescriptorsLength else {
            throw WireError.invalidField(what: "RRTI ROD TOKEN DESCRIPTORS LENGTH",
                                         detail: "\(descriptorsLength) is too short for a 512-byte token")
        }
        rodToken = try RODToken(parsing: try bytes.bytes(at: offset + 6, count: RODToken.length, "RRTI ROD token"))
    }

    /// 32 + sense field + 4 (+ 2 + 512 with a token); AVAILABLE DATA counts all but 4.
    public func encoded() throws -> [UInt8] {
        var tail = [UInt8](repeating: 0, count: 4)
        if let rodToken {
            tail.setBE32(ReceiveRODTokenInformation.tokenDescriptorsLength, at: 0)
            tail += [0, 0]
            tail += try rodToken.encoded()
        }
        return try status.encoded(bytesFollowing: tail.count) + tail
    }
}
