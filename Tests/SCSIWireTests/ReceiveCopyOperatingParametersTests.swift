import Testing
import SCSIWire

@Suite struct ReceiveCopyOperatingParametersTests {
    typealias S = CopyTestSupport

    /// LIO's exact 46-byte response (targets.md §1.3, target_rcr_operating_parameters()).
    static let lioResponse: [UInt8] = [
        0x00, 0x00, 0x00, 0x2A,             // 0-3: available data 42
        0x01, 0x00, 0x00, 0x00,             // 4: SNLID; 5-7 reserved
        0x00, 0x02,                         // 8-9: max CSCD descriptor count 2
        0x00, 0x01,                         // 10-11: max segment descriptor count 1
        0x00, 0x00, 0x04, 0x00,             // 12-15: max descriptor list length 1024
        0x10, 0x00, 0x00, 0x00,             // 16-19: max segment length 256 MiB
        0x00, 0x00, 0x00, 0x00,             // 20-23: max inline data length 0
        0x00, 0x00, 0x00, 0x00,             // 24-27: held data limit 0
        0x00, 0x00, 0x00, 0x00,             // 28-31: max stream device transfer size 0
        0x00, 0x00,                         // 32-33: reserved
        0x00, 0x01,                         // 34-35: total concurrent copies 1
        0x01,                               // 36: max concurrent copies 1
        0x09, 0x09, 0x09,                   // 37-39: granularities (log2) 9
        0x00, 0x00, 0x00,                   // 40-42: reserved
        0x02,                               // 43: implemented descriptor list length 2
        0x02, 0xE4,                         // 44-45: block to block, identification CSCD
    ]

    @Test func lioResponse() throws {
        let p = try ReceiveCopyOperatingParameters(parsing: Self.lioResponse)
        #expect(p.snlid)
        #expect(p.maximumCSCDDescriptorCount == 2)
        #expect(p.maximumSegmentDescriptorCount == 1)
        #expect(p.maximumDescriptorListLength == 1024)
        #expect(p.maximumSegmentLength == 268_435_456)
        #expect(p.maximumInlineDataLength == 0)
        #expect(p.heldDataLimit == 0)
        #expect(p.maximumStreamDeviceTransferSize == 0)
        #expect(p.totalConcurrentCopies == 1)
        #expect(p.maximumConcurrentCopies == 1)
        #expect(p.dataSegmentGranularityLog2 == 9)
        #expect(p.dataSegmentGranularity == 512)
        #expect(p.inlineDataGranularityLog2 == 9)
        #expect(p.heldDataGranularityLog2 == 9)
        #expect(p.implementedDescriptorTypeCodes == [.blockToBlock, .identification])
        #expect(p.implements(.identification))
        #expect(!p.implements(.verifyCSCD))
        #expect(try p.encoded() == Self.lioResponse)
    }

    @Test func ctlResponseFromDerivedImage() throws {
        // Hardware/captures/FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt: derived from
        // ctl_receive_copy_operating_parameters(), not a capture.
        let bytes = try S.hexDump(inCapture: "FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt",
                                  after: "=== RECEIVE COPY OPERATING PARAMETERS (84h/03h) response, 48 bytes ===")
        #expect(bytes.count == 48)
        let p = try ReceiveCopyOperatingParameters(parsing: bytes)
        #expect(Array(bytes[0..<4]) == [0, 0, 0, 0x2C])
        #expect(p.snlid)
        #expect(p.maximumCSCDDescriptorCount == 64)
        #expect(p.maximumSegmentDescriptorCount == 64)
        #expect(p.maximumDescriptorListLength == 8192)
        #expect(p.maximumSegmentLength == 0)
        #expect(p.maximumInlineDataLength == 0)
        #expect(p.heldDataLimit == 0)
        #expect(p.maximumStreamDeviceTransferSize == 0)
        #expect(p.totalConcurrentCopies == 255)
        #expect(p.maximumConcurrentCopies == 255)
        #expect(p.dataSegmentGranularityLog2 == 0)
        #expect(p.inlineDataGranularityLog2 == 0)
        #expect(p.heldDataGranularityLog2 == 0)
        #expect(p.implementedDescriptorTypeCodes == [.blockToBlock, .verifyCSCD, .registerPersistentReservationKey, .identification])
        #expect(try p.encoded() == bytes)
    }

    @Test func scstJovianDSSValuesAsSgCopyResultsPrintedThem() throws {
        // Hardware/captures/SCST-JovianDSS-rcop-inquiry-xcopy.txt (a transcription, not a raw
        // dump). Total concurrent copies and max stream transfer size were not printed: 0 here.
        let p = ReceiveCopyOperatingParameters(
            snlid: true, maximumCSCDDescriptorCount: 5, maximumSegmentDescriptorCount: 143,
            maximumDescriptorListLength: 65535, maximumSegmentLength: 4_294_967_295,
            maximumInlineDataLength: 0, heldDataLimit: 0, maximumStreamDeviceTransferSize: 0,
            totalConcurrentCopies: 0, maximumConcurrentCopies: 255,
            dataSegmentGranularityLog2: 16, inlineDataGranularityLog2: 0, heldDataGranularityLog2: 0,
            implementedDescriptorTypeCodes: [.blockToBlock, .identification])
        let b = try p.encoded()
        #expect(b.count == 46)
        #expect(Array(b[0..<4]) == [0, 0, 0, 42])
        #expect(b[4] == 0x01)
        #expect(Array(b[8..<10]) == [0x00, 0x05])
        #expect(Array(b[10..<12]) == [0x00, 0x8F])
        #expect(Array(b[12..<16]) == [0x00, 0x00, 0xFF, 0xFF])
        #expect(Array(b[16..<20]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(b[36] == 255)
        #expect(b[37] == 16)
        #expect(p.dataSegmentGranularity == 65536)
        #expect(b[38] == 0 && b[39] == 0)
        #expect(b[43] == 2)
        #expect(Array(b[44...]) == [0x02, 0xE4])
        #expect(try ReceiveCopyOperatingParameters(parsing: b) == p)
    }

    @Test func descriptorListIsClippedToTheDataReturned() throws {
        // A short allocation length cuts the list; the fixed part still parses.
        for cut in 44..<Self.lioResponse.count {
            let p = try ReceiveCopyOperatingParameters(parsing: Array(Self.lioResponse.prefix(cut)))
            #expect(p.implementedDescriptorTypeCodes.count == cut - 44)
        }
        // A list length running past the data is clipped too.
        var lying = Self.lioResponse
        lying[43] = 200
        #expect(try ReceiveCopyOperatingParameters(parsing: lying).implementedDescriptorTypeCodes == [.blockToBlock, .identification])
        // Bytes after the list are ignored.
        #expect(try ReceiveCopyOperatingParameters(parsing: Self.lioResponse + [0xAA, 0xBB]).encoded() == Self.lioResponse)
    }

    @Test func granularitySaturates() throws {
        var p = try ReceiveCopyOperatingParameters(parsing: Self.lioResponse)
        p.dataSegmentGranularityLog2 = 63
        #expect(p.dataSegmentGranularity == 1 << 63)
        p.dataSegmentGranularityLog2 = 64
        #expect(p.dataSegmentGranularity == UInt64.max)
    }

    @Test func descriptorTypeCodeNames() {
        #expect(CopyDescriptorTypeCode.blockToBlock.description == "block to block")
        #expect(CopyDescriptorTypeCode.identification.description == "identification CSCD")
        #expect(CopyDescriptorTypeCode(rawValue: 0x42).description == "descriptor type 0x42")
        #expect(CopyDescriptorTypeCode.identification.isCSCDDescriptor)
        #expect(!CopyDescriptorTypeCode.blockToBlock.isCSCDDescriptor)
    }

    @Test func roundTrips() throws {
        let p = try ReceiveCopyOperatingParameters(parsing: Self.lioResponse)
        #expect(try ReceiveCopyOperatingParameters(parsing: p.encoded()) == p)
        #expect(try ReceiveCopyOperatingParameters(parsing: Self.lioResponse).encoded() == Self.lioResponse)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.lioResponse, upTo: ReceiveCopyOperatingParameters.fixedLength) {
            try ReceiveCopyOperatingParameters(parsing: $0)
        }
    }

    @Test func valueOverflowThrows() throws {
        var p = try ReceiveCopyOperatingParameters(parsing: Self.lioResponse)
        p.implementedDescriptorTypeCodes = Array(repeating: .blockToBlock, count: 256)
        S.expectOutOfRange { try p.encoded() }
    }
}
