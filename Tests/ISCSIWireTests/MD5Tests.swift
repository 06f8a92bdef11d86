import ISCSIWire
import Testing

@Suite struct MD5Tests {
    typealias S = WireTestSupport

    /// RFC 1321 A.5 test suite.
    @Test func rfc1321Vectors() {
        let cases: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, digest) in cases {
            #expect(S.hex(MD5.digest(Array(input.utf8))) == digest, "MD5(\"\(input)\")")
        }
    }

    /// Padding boundaries (55, 56, 63, 64, 65, 119, 120 bytes) and a long input; expected
    /// values from `python3 -c 'import hashlib; hashlib.md5(bytes(i % 251 for i in range(n)))'`.
    @Test func blockBoundaries() {
        let cases: [(Int, String)] = [
            (55, "6912ee65fff2d9f9ce2508cddf8bcda0"), (56, "51fdd1acda72405dfdfa03fcb85896d7"),
            (63, "48a6295221902e8e0938f773a7185e72"), (64, "b2d3f56bc197fd985d5965079b5e7148"),
            (65, "8bd7053801c768420faf816fadba971c"), (119, "1c772251899a7ff007400b888d6b2042"),
            (120, "b7ba1efc6022e9ed272f00b8831e26e6"), (1000, "a24f1e3ef66950e1327f210e3997ba2c"),
        ]
        for (n, digest) in cases {
            let input = (0..<n).map { UInt8($0 % 251) }
            #expect(S.hex(MD5.digest(input)) == digest, "\(n) bytes")
            // Fed in uneven pieces, the result is the same.
            var m = MD5()
            var i = 0
            var step = 1
            while i < n {
                let end = min(n, i + step)
                m.update(Array(input[i..<end]))
                i = end
                step = step * 2 + 1
            }
            #expect(S.hex(m.finalize()) == digest, "\(n) bytes, incremental")
        }
    }
}
