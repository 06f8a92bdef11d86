import Foundation
import OffloadProbe
import SCSIWire
import Testing

/// HexCapture against what users actually paste: sg3_utils `--inhex` files, `sg_vpd --hex`
/// and `sg_inq -H` dumps (offset and ASCII columns), `-HHHH` output, commas, binary.
/// The dumps below were produced by sg3_utils 1.46 (`sg_vpd --version`: 1.63 20210328) from
/// the repository's inhex files, e.g. `sg_vpd --inhex=Hardware/captures/sg3_utils-inhex/vpd_dev_id.hex --hex`.
@Suite("HexCapture")
struct HexCaptureTests {
    static let devIDBytes = ProbeTestSupport.hex("""
        00 83 00 48 01 03 00 08  50 00 c5 00 30 11 cb 2b
        61 93 00 08 50 00 c5 00  30 11 cb 29 61 94 00 04
        00 00 00 01 61 a3 00 08  50 00 c5 00 30 11 cb 28
        03 28 00 18 6e 61 61 2e  35 30 30 30 43 35 30 30
        33 30 31 31 43 42 32 38  00 00 00 00
        """)

    /// `sg_vpd --inhex=vpd_dev_id.hex --hex`, verbatim (title line, offset and ASCII columns).
    static let sgVpdHex = #"""
        Device Identification VPD page:
         00     00 83 00 48 01 03 00 08  50 00 c5 00 30 11 cb 2b    ...H....P...0..+
         10     61 93 00 08 50 00 c5 00  30 11 cb 29 61 94 00 04    a...P...0..)a...
         20     00 00 00 01 61 a3 00 08  50 00 c5 00 30 11 cb 28    ....a...P...0..(
         30     03 28 00 18 6e 61 61 2e  35 30 30 30 43 35 30 30    .(..naa.5000C500
         40     33 30 31 31 43 42 32 38  00 00 00 00                3011CB28....

        """#

    /// `sg_vpd --inhex=vpd_dev_id.hex -HHHH`, verbatim.
    static let sgVpdHHHH = """
        00 83 00 48 01 03 00 08  50 00 c5 00 30 11 cb 2b
        61 93 00 08 50 00 c5 00  30 11 cb 29 61 94 00 04
        00 00 00 01 61 a3 00 08  50 00 c5 00 30 11 cb 28
        03 28 00 18 6e 61 61 2e  35 30 30 30 43 35 30 30
        33 30 31 31 43 42 32 38  00 00 00 00

        """

    /// `sg_vpd --inhex=vpd_dev_id.hex -HH`, verbatim: the title, then bare hex.
    static let sgVpdHH = """
        Device Identification VPD page:
        00 83 00 48 01 03 00 08  50 00 c5 00 30 11 cb 2b
        61 93 00 08 50 00 c5 00  30 11 cb 29 61 94 00 04
        00 00 00 01 61 a3 00 08  50 00 c5 00 30 11 cb 28
        03 28 00 18 6e 61 61 2e  35 30 30 30 43 35 30 30
        33 30 31 31 43 42 32 38  00 00 00 00

        """

    /// `sg_inq -H` of a 36-byte LIO standard INQUIRY (no title line in sg_inq's dump).
    static let sgInqH = """
         00     00 00 06 12 5b 00 00 02  4c 49 4f 2d 4f 52 47 20    ....[...LIO-ORG\u{20}
         10     49 42 4c 4f 43 4b 20 20  20 20 20 20 20 20 20 20    IBLOCK\u{20}\u{20}\u{20}\u{20}\u{20}\u{20}\u{20}\u{20}\u{20}\u{20}
         20     34 2e 30 20                                         4.0\u{20}

        """
    static let inquiryBytes = ProbeTestSupport.hex("""
        00 00 06 12 5b 00 00 02 4c 49 4f 2d 4f 52 47 20 49 42 4c 4f 43 4b 20 20 20 20 20 20 20 20 20 20 34 2e 30 20
        """)

    // MARK: sg3_utils inhex files, byte for byte

    static let inhexFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: ProbeTestSupport.inhexDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".hex") }.sorted()
    }()

    @Test func theInhexDirectoryIsThere() {
        #expect(Self.inhexFiles.count >= 20, "Hardware/captures/sg3_utils-inhex not found from \(ProbeTestSupport.root.path)")
    }

    @Test(arguments: inhexFiles)
    func inhexFileDecodesToExactlyItsBytes(name: String) throws {
        let url = ProbeTestSupport.inhexDirectory.appendingPathComponent(name)
        let data = try [UInt8](Data(contentsOf: url))
        let expected = ProbeTestSupport.inhexReference(String(decoding: data, as: UTF8.self))
        #expect(!expected.isEmpty)
        let bytes = try HexCapture.decode(data)
        #expect(bytes.count == expected.count, "\(name): \(bytes.count) bytes, expected \(expected.count)")
        #expect(bytes == expected)
    }

    /// vpd_zbdc.raw is a binary page 0xB6 (it is not byte-identical to vpd_zbdc.hex upstream:
    /// the zone alignment word differs, so only the page header is compared with the hex).
    @Test func binaryCaptureIsTakenAsIs() throws {
        let raw = try [UInt8](Data(contentsOf: ProbeTestSupport.inhexDirectory.appendingPathComponent("vpd_zbdc.raw")))
        let hex = try ProbeTestSupport.text(ProbeTestSupport.inhexDirectory.appendingPathComponent("vpd_zbdc.hex"))
        #expect(try HexCapture.decode(raw) == raw)
        #expect(raw.count == 64)
        #expect(Array(raw.prefix(4)) == Array(ProbeTestSupport.inhexReference(hex).prefix(4)))
    }

    @Test func binaryWithOnlyAFewNonPrintableBytesIsStillBinary() throws {
        let lioRCOP = Personalities.lioRCOP
        #expect(try HexCapture.decode(lioRCOP) == lioRCOP)
    }

    // MARK: sg3_utils dumps

    @Test func sgVpdHHHHOutput() throws {
        #expect(try HexCapture.parseText(Self.sgVpdHHHH) == Self.devIDBytes)
    }

    @Test func sgInqHexDumpWithOffsetAndASCIIColumns() throws {
        #expect(try HexCapture.parseText(Self.sgInqH) == Self.inquiryBytes)
    }

    @Test func sgVpdHexDumpWithoutItsTitleLine() throws {
        let dump = Self.sgVpdHex.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
        #expect(try HexCapture.parseText(dump) == Self.devIDBytes)
    }

    /// `sg_vpd --hex` and `-HH` print the page name first; the file's own documentation names
    /// `sg_vpd --hex` as a supported form, so its verbatim output must decode.
    @Test func sgVpdHexOutputVerbatimWithTitleLine() throws {
        #expect(try HexCapture.parseText(Self.sgVpdHex) == Self.devIDBytes)
    }

    @Test func sgVpdHHOutputVerbatimWithTitleLine() throws {
        #expect(try HexCapture.parseText(Self.sgVpdHH) == Self.devIDBytes)
    }

    /// `sg_vpd --inhex=sn.hex --hex` for a unit serial number page with serial
    /// "Z1Z0ABCD000012" (title line left out): the last line has two bytes and its ASCII
    /// column reads "12", which is also a valid hex byte.
    @Test func asciiColumnThatLooksLikeHexIsNotData() throws {
        let dump = """
             00     00 80 00 0e 5a 31 5a 30  41 42 43 44 30 30 30 30    ....Z1Z0ABCD0000
             10     31 32                                               12

            """
        let expected = ProbeTestSupport.hex("00 80 00 0e 5a 31 5a 30 41 42 43 44 30 30 30 30 31 32")
        let bytes = try HexCapture.parseText(dump)
        #expect(bytes == expected, "got \(hexString(bytes))")
        #expect(try UnitSerialNumberPage(parsing: bytes).serialNumber == "Z1Z0ABCD000012")
    }

    /// `sg_vpd --all --inhex=vpd_sdeb.hex --hex`, first three pages: each page has a title and
    /// its own offsets starting again at 00.
    @Test func multiPageSgVpdHexDump() throws {
        let dump = #"""
            Supported VPD pages VPD page:
             00     00 00 00 0c 00 80 83 84  85 86 87 88 89 b0 b1 b2    ................
            Unit serial number VPD page:
             00     00 80 00 04 32 30 30 30                             ....2000
            Device Identification VPD page:
             00     00 83 00 70 02 01 00 1c  4c 69 6e 75 78 20 20 20    ...p....Linux   
             10     73 63 73 69 5f 64 65 62  75 67 20 20 20 20 20 20    scsi_debug      
             20     32 30 30 30 01 03 00 08  33 33 33 30 00 00 07 d0    2000....3330....
             30     61 94 00 04 00 00 00 01  61 93 00 08 32 22 22 20    a.......a...2"" 
             40     00 00 07 ce 61 95 00 04  00 00 01 00 61 a3 00 08    ....a.......a...
             50     32 22 22 20 00 00 07 cd  63 a8 00 18 6e 61 61 2e    2"" ....c...naa.
             60     33 32 32 32 32 32 32 30  30 30 30 30 30 37 43 44    32222220000007CD
             70     00 00 00 00                                         ....
            """#
        let sdeb = try ProbeTestSupport.text(ProbeTestSupport.inhexDirectory.appendingPathComponent("vpd_sdeb.hex"))
        let expected = Array(ProbeTestSupport.inhexReference(sdeb).prefix(16 + 8 + 116))
        #expect(try HexCapture.parseText(dump) == expected)
    }

    /// The same dump with the title lines removed: each page's offsets start again at 00,
    /// so the offset column cannot be recognised by equalling the running byte count.
    @Test func offsetColumnRestartsForEveryPage() throws {
        let dump = """
             00     00 00 00 0c 00 80 83 84  85 86 87 88 89 b0 b1 b2    ................
             00     00 80 00 04 32 30 30 30                             ....2000
             00     00 b2 00 04 00 00 00 00                             ........
            """
        #expect(try HexCapture.parseText(dump) == ProbeTestSupport.hex("""
            00 00 00 0c 00 80 83 84 85 86 87 88 89 b0 b1 b2  00 80 00 04 32 30 30 30  00 b2 00 04 00 00 00 00
            """))
    }

    @Test func xxdStyleOffsetWithColon() throws {
        let text = """
            0000: 00 b2 00 10 00 01 00 00 01 03 00 08 51 22 33 44
            0010: 55 66 77 88
            """
        #expect(try HexCapture.parseText(text) == ProbeTestSupport.hex("00 b2 00 10 00 01 00 00 01 03 00 08 51 22 33 44 55 66 77 88"))
    }

    // MARK: other forms

    @Test func commaSeparatedOverSeveralLines() throws {
        let text = "72,05,24,00,00,00,00,00\n# comment\n00,0a,80,00, 00,00,00,00,00,00,00,05\n"
        #expect(try HexCapture.parseText(text) == ProbeTestSupport.hex("72 05 24 00 00 00 00 00 00 0a 80 00 00 00 00 00 00 00 00 05"))
    }

    /// sg3_utils takes any number of bytes on one line (`sg_decode_sense 72,5,24,...`, and the
    /// inhex files themselves have 20-byte lines).
    @Test func commaSeparatedOnOneLineLongerThanSixteenBytes() throws {
        let text = "70,00,05,00,00,00,00,0a,00,00,00,00,24,00,00,00,00,00"
        let bytes = try HexCapture.parseText(text)
        #expect(bytes.count == 18)
        #expect(bytes == ProbeTestSupport.hex(text))
    }

    @Test func singleDigitTokensAndUpperCase() throws {
        #expect(try HexCapture.parseText("72 6 18 7 0 0 0 1C\nC A 1 2") == [0x72, 6, 0x18, 7, 0, 0, 0, 0x1C, 0x0C, 0x0A, 1, 2])
    }

    @Test func crlfLineEndings() throws {
        let text = Self.sgVpdHHHH.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try HexCapture.decode(Array(text.utf8)) == Self.devIDBytes)
    }

    // MARK: garbage

    @Test func emptyInputIsAnError() {
        #expect(throws: HexCapture.Failure.empty) { try HexCapture.decode([]) }
        #expect(throws: HexCapture.Failure.empty) { try HexCapture.parseText("# only a comment\n\n   \n") }
    }

    @Test func textThatIsNotHexIsAnError() {
        #expect(throws: HexCapture.Failure.notHex(line: 1, text: "hello, world")) {
            try HexCapture.decode(Array("hello, world".utf8))
        }
        #expect(throws: HexCapture.Failure.notHex(line: 3, text: "zz 83 00 48")) {
            try HexCapture.parseText("# header\n\nzz 83 00 48\n")
        }
    }

    /// A mistyped byte in an inhex file must not silently cut the line short.
    @Test func aTypoInsideTheHexIsAnError() {
        #expect(throws: HexCapture.Failure.self) {
            try HexCapture.parseText("00 80 00 04\n31 3g 33 34\n")
        }
    }

    /// A line of prose after some hex is not an ASCII column: it must be reported, not skipped.
    @Test func garbageLineAfterHexIsAnError() {
        #expect(throws: HexCapture.Failure.self) {
            try HexCapture.parseText("00 80 00 04 31 32 33 34\nthis line is not hex\n00 83 00 00\n")
        }
    }

    @Test func failureDescriptionsNameTheLine() {
        #expect(HexCapture.Failure.notHex(line: 7, text: "xyz").description == "line 7: cannot read 'xyz' as hex bytes")
        #expect(HexCapture.Failure.empty.description == "no data in the file")
    }
}
