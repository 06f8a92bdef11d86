import Testing
import SCSIWire

@Suite struct ExtendedCopyLID1Tests {
    typealias S = CopyTestSupport

    /// A complete LID1 parameter list as sg_xcopy sends it (list ID 1, discard, priority 1, two
    /// 0xE4 NAA-6 CSCDs, one 0x02 segment of 128 blocks). Derived from targets.md §11.2 and
    /// initiators.md §9, not captured.
    static let listVector: [UInt8] =
        [0x01,                                           // 0: list identifier
         0x11,                                           // 1: STR 0, LIST ID USAGE 10b (discard), priority 1
         0x00, 0x40,                                     // 2-3: CSCD descriptor list length 64
         0x00, 0x00, 0x00, 0x00,                         // 4-7: reserved
         0x00, 0x00, 0x00, 0x1C,                         // 8-11: segment descriptor list length 28
         0x00, 0x00, 0x00, 0x00]                         // 12-15: inline data length 0
        + S.e4NAAVector(S.naaSourceValue)               // 16-47: CSCD 0 (source)
        + S.e4NAAVector(S.naaDestinationValue)          // 48-79: CSCD 1 (destination)
        + [0x02, 0x00, 0x00, 0x18,                       // 80-83: segment 0x02, length 24
           0x00, 0x00, 0x00, 0x01,                       // 84-87: source index 0, destination index 1
           0x00, 0x00, 0x00, 0x80,                       // 88-91: reserved, 128 blocks
           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, // 92-99: source LBA 0x1000
           0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00] // 100-107: destination LBA 0x2_0000_0000

    static var list: ExtendedCopyLID1 {
        ExtendedCopyLID1(
            listIdentifier: 1, listIDUsage: .discard, priority: 1,
            cscdDescriptors: [
                .identification(IdentificationCSCD(logicalUnit: S.naaDesignator(S.naaSourceValue), diskBlockLength: 512)),
                .identification(IdentificationCSCD(logicalUnit: S.naaDesignator(S.naaDestinationValue), diskBlockLength: 512)),
            ],
            segmentDescriptors: [
                .blockToBlock(BlockToBlockSegment(sourceCSCDIndex: 0, destinationCSCDIndex: 1, numberOfBlocks: 128,
                                                  sourceLBA: 0x1000, destinationLBA: 0x2_0000_0000)),
            ])
    }

    @Test func cdbVector() throws {
        // 83 00 ... [10..13] = parameter list length (QEMU iscsi_xcopy_task, libiscsi).
        let cdb = ExtendedCopyLID1.cdb(parameterListLength: 108)
        #expect(cdb == [0x83, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x6C, 0, 0])
        let parsed = try ExtendedCopyLID1.CDB(parsing: cdb)
        #expect(parsed.parameterListLength == 108)
        #expect(parsed.control == 0)
        let big = ExtendedCopyLID1.CDB(parameterListLength: 0x0102_0304, control: 0x04)
        #expect(Array(big.encoded()[10..<14]) == [1, 2, 3, 4])
        #expect(big.encoded()[15] == 0x04)
        #expect(try ExtendedCopyLID1.CDB(parsing: big.encoded()) == big)
    }

    @Test func cdbParserRejectsOtherCommands() {
        var lid4 = ExtendedCopyLID1.cdb(parameterListLength: 16)
        lid4[1] = 0x01
        S.expectInvalidField { try ExtendedCopyLID1.CDB(parsing: lid4) }
        var receive = ExtendedCopyLID1.cdb(parameterListLength: 16)
        receive[0] = 0x84
        S.expectInvalidField { try ExtendedCopyLID1.CDB(parsing: receive) }
        S.expectTruncatedForEveryPrefix(ExtendedCopyLID1.cdb(parameterListLength: 16)) { try ExtendedCopyLID1.CDB(parsing: $0) }
    }

    @Test func listVectorEncodesAndParses() throws {
        let encoded = try Self.list.encoded()
        #expect(encoded.count == 108)
        #expect(encoded == Self.listVector)
        let parsed = try ExtendedCopyLID1(parsing: Self.listVector)
        #expect(parsed == Self.list)
        #expect(parsed.listIdentifier == 1)
        #expect(parsed.str == false)
        #expect(parsed.listIDUsage == .discard)
        #expect(parsed.priority == 1)
        #expect(parsed.cscdDescriptors.count == 2)
        #expect(parsed.segmentDescriptors.count == 1)
        #expect(parsed.inlineData.isEmpty)
    }

    @Test func headerFields() throws {
        let header = try ExtendedCopyLID1.Header(parsing: Self.listVector)
        #expect(header.listIdentifier == 1)
        #expect(header.listIDUsage == .discard)
        #expect(header.priority == 1)
        #expect(header.cscdDescriptorListLength == 64)
        #expect(header.segmentDescriptorListLength == 28)
        #expect(header.inlineDataLength == 0)
        #expect(header.totalLength == 108)
        #expect(try Self.list.header() == header)
        #expect(try header.encoded() == Array(Self.listVector.prefix(16)))

        // STR, each LIST ID USAGE and the priority bits land where §11.2 puts them.
        var h = header
        h.str = true
        h.listIDUsage = .noListIdentifier
        h.priority = 7
        h.listIdentifier = 0
        #expect(try h.encoded()[1] == 0x20 | 0x18 | 0x07)
        for usage in ExtendedCopyLID1.ListIDUsage.allCases {
            h.listIDUsage = usage
            let b = try h.encoded()
            #expect((b[1] >> 3) & 0x03 == usage.rawValue)
            #expect(try ExtendedCopyLID1.Header(parsing: b).listIDUsage == usage)
        }
        S.expectTruncatedForEveryPrefix(Array(Self.listVector.prefix(16))) { try ExtendedCopyLID1.Header(parsing: $0) }
    }

    @Test func reservedListIDUsageParses() throws {
        var vector = Self.listVector
        vector[1] = 0x08
        let parsed = try ExtendedCopyLID1(parsing: vector)
        #expect(parsed.listIDUsage == .reserved)
        #expect(parsed.priority == 0)
    }

    @Test func unknownDescriptorTypesAreKeptNotRejected() throws {
        // A target must answer 26/07 / 26/09 for these, so parsing keeps them.
        var fcCSCD = [UInt8](repeating: 0, count: 32)
        fcCSCD[0] = 0xE0
        var ipv6CSCD = [UInt8](repeating: 0x5A, count: 64)
        ipv6CSCD[0] = 0xEA
        let verifySegment: [UInt8] = [0x07, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        let list = ExtendedCopyLID1(
            listIdentifier: 9, listIDUsage: .hold,
            cscdDescriptors: [.unsupported(typeCode: 0xE0, bytes: fcCSCD),
                              .unsupported(typeCode: 0xEA, bytes: ipv6CSCD),
                              .identification(IdentificationCSCD(logicalUnit: S.naaDesignator(S.naaSourceValue), diskBlockLength: 512))],
            segmentDescriptors: [.unsupported(typeCode: 0x07, bytes: verifySegment),
                                 .blockToBlock(BlockToBlockSegment(sourceCSCDIndex: 2, destinationCSCDIndex: 2, numberOfBlocks: 1,
                                                                   sourceLBA: 0, destinationLBA: 1))])
        let bytes = try list.encoded()
        #expect(bytes.count == 16 + 32 + 64 + 32 + 12 + 28)
        #expect(Array(bytes[2..<4]) == [0x00, 0x80])
        #expect(Array(bytes[8..<12]) == [0, 0, 0, 40])
        #expect(bytes[16] == 0xE0 && bytes[48] == 0xEA && bytes[112] == 0xE4 && bytes[144] == 0x07 && bytes[156] == 0x02)
        let parsed = try ExtendedCopyLID1(parsing: bytes)
        #expect(parsed == list)
        #expect(parsed.cscdDescriptors.map(\.typeCode) == [0xE0, 0xEA, 0xE4])
        #expect(parsed.segmentDescriptors.map(\.typeCode) == [0x07, 0x02])
    }

    @Test func inlineDataAndTrailingBytes() throws {
        var list = Self.list
        list.inlineData = [0xDE, 0xAD, 0xBE, 0xEF]
        let bytes = try list.encoded()
        #expect(Array(bytes[12..<16]) == [0, 0, 0, 4])
        #expect(Array(bytes.suffix(4)) == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(try ExtendedCopyLID1(parsing: bytes) == list)
        // A parameter list longer than the header says (padding) parses the same.
        #expect(try ExtendedCopyLID1(parsing: Self.listVector + [0, 0, 0, 0]) == Self.list)
    }

    @Test func descriptorsRunningPastTheirListAreInvalid() {
        // CSCD list length 48: one 32-byte CSCD and half of the next.
        var cscdShort = Self.listVector
        cscdShort[3] = 0x30
        cscdShort[11] = 0x2C // keep the total the same
        S.expectInvalidField { try ExtendedCopyLID1(parsing: cscdShort) }

        // Segment list length 20: a 28-byte descriptor cannot fit.
        var segShort = Self.listVector
        segShort[11] = 0x14
        S.expectInvalidField { try ExtendedCopyLID1(parsing: segShort) }

        // Segment list with 2 stray bytes after the descriptor.
        var segStray = Self.listVector + [0x02, 0x00]
        segStray[11] = 0x1E
        S.expectInvalidField { try ExtendedCopyLID1(parsing: segStray) }

        // A 0x02 descriptor with a wrong DESCRIPTOR LENGTH (LIO: 26/00).
        var badLength = Self.listVector
        badLength[83] = 0x14
        badLength[11] = 0x18
        S.expectInvalidField { try ExtendedCopyLID1(parsing: badLength) }
    }

    @Test func declaredLengthsPastTheDataAreTruncated() {
        var longer = Self.listVector
        longer[15] = 0x04 // inline data length 4, not present
        S.expectTruncatedForEveryPrefix(longer + [0, 0, 0], upTo: longer.count + 4) { try ExtendedCopyLID1(parsing: $0) }
        var huge = Self.listVector
        huge[8] = 0xFF // segment list length ~4 GiB
        do {
            _ = try ExtendedCopyLID1(parsing: huge)
            Issue.record("expected truncated")
        } catch let error as WireError {
            guard case .truncated = error else { Issue.record("got \(error)"); return }
        } catch { Issue.record("got \(error)") }
    }

    @Test func emptyLists() throws {
        let empty = ExtendedCopyLID1(listIdentifier: 0, listIDUsage: .noListIdentifier,
                                     cscdDescriptors: [], segmentDescriptors: [])
        let bytes = try empty.encoded()
        #expect(bytes == [0x00, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try ExtendedCopyLID1(parsing: bytes) == empty)
    }

    @Test func roundTrips() throws {
        #expect(try ExtendedCopyLID1(parsing: Self.list.encoded()) == Self.list)
        #expect(try ExtendedCopyLID1(parsing: Self.listVector).encoded() == Self.listVector)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.listVector) { try ExtendedCopyLID1(parsing: $0) }
    }

    @Test func valueOverflowThrows() {
        var list = Self.list
        list.priority = 8
        S.expectOutOfRange { try list.encoded() }

        var tooManyBlocks = Self.list
        tooManyBlocks.segmentDescriptors = [.blockToBlock(BlockToBlockSegment(
            sourceCSCDIndex: 0, destinationCSCDIndex: 1, numberOfBlocks: 70000, sourceLBA: 0, destinationLBA: 0))]
        S.expectOutOfRange { try tooManyBlocks.encoded() }

        // 2048 CSCDs are 65536 bytes: one more than the 16-bit CSCD list length holds.
        var tooManyCSCDs = Self.list
        let cscd = Self.list.cscdDescriptors[0]
        tooManyCSCDs.cscdDescriptors = Array(repeating: cscd, count: 2048)
        S.expectOutOfRange { try tooManyCSCDs.encoded() }
        tooManyCSCDs.cscdDescriptors.removeLast()
        #expect((try? tooManyCSCDs.header().cscdDescriptorListLength) == 65504)
    }
}
