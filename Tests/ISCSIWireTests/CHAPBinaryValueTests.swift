import ISCSIWire
import Testing

/// RFC 7143 6.1 binary and numerical values.
@Suite struct CHAPBinaryValueTests {
    typealias S = WireTestSupport

    @Test func hexAndBase64() throws {
        #expect(try CHAPBinaryValue.decode("0x0aFF") == [0x0A, 0xFF])
        #expect(try CHAPBinaryValue.decode("0XaFF") == [0x0A, 0xFF])  // odd count: leading zero nibble
        #expect(CHAPBinaryValue.encodeHex([0x0A, 0xFF, 0x00]) == "0x0aff00")
        // Base64 of MD5(0x2a || "initiator-secret" || 00..0f), from Python's base64 module.
        let digest = S.compactHex("146466a8b34b56526e0619fa9872f517")
        #expect(CHAPBinaryValue.encodeBase64(digest) == "0bFGRmqLNLVlJuBhn6mHL1Fw==")
        #expect(try CHAPBinaryValue.decode("0bFGRmqLNLVlJuBhn6mHL1Fw==") == digest)
        #expect(try CHAPBinaryValue.decode("0BFGRmqLNLVlJuBhn6mHL1Fw") == digest)  // padding optional
        for n in 0..<8 {
            let bytes = (0..<n).map { UInt8(200 + $0) }
            if n > 0 { #expect(try CHAPBinaryValue.decode(CHAPBinaryValue.encodeBase64(bytes)) == bytes) }
            #expect(try CHAPBinaryValue.decode(CHAPBinaryValue.encodeHex(bytes + [1])) == bytes + [1])
        }
    }

    @Test func malformedValuesThrow() {
        for bad in ["", "0", "0x", "0b", "1x00", "0z00", "0xg0", "0b@@@@", "0bA", "0bAA=A", "0bAAA=="] {
            S.expectWireError({ try CHAPBinaryValue.decode(bad) }, S.isInvalidField)
        }
    }

    @Test func numbersAndIdentifiers() throws {
        #expect(NumericValue.parse("262144") == 262_144)
        #expect(NumericValue.parse("0x40000") == 262_144)
        #expect(NumericValue.parse("18446744073709551615") == UInt64.max)
        for bad in ["", "-1", "+1", "1.5", "18446744073709551616", "0x", "0x10000000000000000", "12a"] {
            #expect(NumericValue.parse(bad) == nil, "\(bad)")
        }
        #expect(try CHAPBinaryValue.decodeIdentifier("255") == 255)
        #expect(try CHAPBinaryValue.decodeIdentifier("0x2a") == 42)
        S.expectWireError({ try CHAPBinaryValue.decodeIdentifier("256") }, S.isInvalidField)
    }
}
