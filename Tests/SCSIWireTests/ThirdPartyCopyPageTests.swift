import Foundation
import Testing
@testable import SCSIWire

/// VPD page 0x8F. Vectors: sg3_utils `inhex/vpd_tpc.hex` (synthetic; expected values from the
/// inhex README and reference/initiators.md §2.3, i.e. what sg_vpd 1.46 prints), and the three
/// FreeBSD CTL pages in FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt — DERIVED FROM CTL
/// SOURCE, NOT A CAPTURE of a real target (reference/targets.md §5.2).
@Suite struct ThirdPartyCopyPageTests {

    // MARK: - vpd_tpc.hex

    @Test("vpd_tpc.hex: every descriptor decodes to the values sg_vpd 1.46 prints")
    func tpcVector() throws {
        let b = try TestVectors.inhex("vpd_tpc.hex")
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x000D])

        let bdrl = try #require(page.blockDeviceRODLimits)
        #expect(bdrl.maximumRangeDescriptors == 291)
        #expect(bdrl.maximumInactivityTimeout == 60)
        #expect(bdrl.defaultInactivityTimeout == 30)
        #expect(bdrl.maximumTokenTransferSize == 659_419_522_645, "0x99_8877_6655: needs more than 32 bits")
        #expect(bdrl.optimalTransferCount == 293_490_554_760)

        let commands = try #require(page.supportedCommands)
        #expect(commands == [SupportedCopyCommand(operationCode: .testUnitReady, serviceActions: []),
                             SupportedCopyCommand(operationCode: .requestSense, serviceActions: []),
                             SupportedCopyCommand(operationCode: .inquiry, serviceActions: []),
                             SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x10, 0x11]),
                             SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x07])])
        #expect(page.lists(.thirdPartyCopyOut, serviceAction: CopyOutServiceAction.populateToken.rawValue))
        #expect(page.lists(.thirdPartyCopyOut, serviceAction: CopyOutServiceAction.writeUsingToken.rawValue))
        #expect(page.lists(.thirdPartyCopyIn, serviceAction: CopyInServiceAction.receiveRODTokenInformation.rawValue))
        #expect(!page.lists(.thirdPartyCopyOut, serviceAction: CopyOutServiceAction.extendedCopyLID1.rawValue))
        #expect(!page.lists(.thirdPartyCopyIn, serviceAction: 0x03))

        let pd = try #require(page.parameterData)
        #expect(pd.maximumCSCDDescriptorCount == 28)
        #expect(pd.maximumSegmentDescriptorCount == 64)
        #expect(pd.maximumDescriptorListLength == 74291)
        #expect(pd.maximumInlineDataLength == 10_061_943, "read at descriptor offset 16 (sg3_utils >= 1.48 reads 17)")
        // The Parameter Data descriptor starts at page offset 60; offset 17 would give 0x99887700.
        #expect(Array(b[60..<64]) == [0x00, 0x04, 0x00, 0x1C])
        #expect(try b.be32(at: 60 + 16) == 0x0099_8877)
        #expect(pd.maximumInlineDataLength != (try b.be32(at: 60 + 17)))

        #expect(page.supportedDescriptorCodes == [0x02, 0xE9])
        #expect(page.supportedCSCDIDs == [0x0000, 0x0001, 0xC000, 0xFFFF])

        guard case let .copyGroupIdentifier(id)? = page.descriptors.last else {
            Issue.record("no copy group identifier"); return
        }
        #expect(id.count == 18 && id[0] == 0x10)
        #expect(Self.uuid(Array(id[2..<18])) == "11223344-5566-7788-99aa-bbccddeefedc")
        #expect(page.rodTokenFeatures == nil && page.supportedRODTypes == nil && page.generalCopyOperations == nil)
    }

    @Test("vpd_tpc.hex declares PAGE LENGTH 140 but carries 136 bytes: reported, nothing lost")
    func tpcVectorPageLength() throws {
        let b = try TestVectors.inhex("vpd_tpc.hex")
        #expect(b.count == 140 && b[2] == 0x00 && b[3] == 0x8C)
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.problems == ["page length says 140 bytes, only 136 returned"])
        #expect(page.descriptors.count == 6)
    }

    @Test("vpd_tpc.hex round trip: encode(parse(x)) == x except the vector's overstated PAGE LENGTH")
    func tpcRoundTrip() throws {
        var b = try TestVectors.inhex("vpd_tpc.hex")
        let page = try ThirdPartyCopyPage(parsing: b)
        b[3] = 0x88   // the sg3_utils vector says 0x8C for a 136-byte body
        #expect(page.encoded(deviceType: 0) == b)
        #expect(try ThirdPartyCopyPage(parsing: b).problems.isEmpty)
    }

    static func uuid(_ b: [UInt8]) -> String {
        let h = hexString(b)
        let i = h.startIndex
        func s(_ a: Int, _ z: Int) -> Substring { h[h.index(i, offsetBy: a)..<h.index(i, offsetBy: z)] }
        return [s(0, 8), s(8, 12), s(12, 16), s(16, 20), s(20, 32)].joined(separator: "-")
    }

    // MARK: - FreeBSD CTL (derived from source, not a capture)

    static let ctlVariants = ["main", "legacy-ffff", "truenas-early"]

    /// OPTIMAL BYTES TO / FROM TOKEN PER SEGMENT of each derived variant.
    static let ctlPerSegment: [String: (UInt64, UInt64)] = [
        "main": (.max, 32 << 20), "legacy-ffff": (.max, 16 << 20), "truenas-early": (16 << 20, 16 << 20),
    ]

    @Test("CTL derived 0x8F page (synthetic): 380 bytes, descriptors in CTL's order at their offsets",
          arguments: ctlVariants)
    func ctlLayout(variant: String) throws {
        let b = try #require(try TestVectors.ctlDerivedTPCPages()[variant])
        #expect(b.count == 380)
        #expect(Array(b[0..<4]) == [0x00, 0x8F, 0x01, 0x78])
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.problems.isEmpty)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x0106, 0x0108, 0x8001])
        // Walk the raw page: the descriptors start where targets.md §5.2 says.
        var offsets: [Int] = []
        var o = 4
        while o + 4 <= b.count { offsets.append(o); o += 4 + Int(try b.be16(at: o + 2)) }
        #expect(offsets == [0x04, 0x28, 0x3C, 0x5C, 0x68, 0x70, 0xD0, 0x158])
        #expect(o == 380)
        #expect(page.descriptors.map { $0.encoded().count } == zip(offsets, offsets.dropFirst() + [380]).map { $1 - $0 })
    }

    @Test("CTL derived 0x8F page (synthetic): every field", arguments: ctlVariants)
    func ctlFields(variant: String) throws {
        let page = try ThirdPartyCopyPage(parsing: try #require(try TestVectors.ctlDerivedTPCPages()[variant]))
        #expect(page.blockDeviceRODLimits == BlockDeviceRODLimits(maximumRangeDescriptors: 64, maximumInactivityTimeout: 600,
                                                                  defaultInactivityTimeout: 60, maximumTokenTransferSize: 0,
                                                                  optimalTransferCount: 0))
        // Service actions exactly as CTL lists them: 84h's are NOT sorted.
        #expect(page.supportedCommands == [
            SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x00, 0x01, 0x10, 0x11, 0x1C]),
            SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x00, 0x04, 0x05, 0x03, 0x07, 0x08]),
        ])
        for sa in CopyOutServiceAction.allCases { #expect(page.lists(.thirdPartyCopyOut, serviceAction: sa.rawValue), "83h/\(sa)") }
        for sa in [CopyInServiceAction.receiveCopyStatusLID1, .receiveCopyFailureDetailsLID1, .receiveCopyStatusLID4,
                   .receiveCopyOperatingParameters, .receiveRODTokenInformation, .reportAllRODTokens] {
            #expect(page.lists(.thirdPartyCopyIn, serviceAction: sa.rawValue), "84h/\(sa)")
        }
        #expect(!page.lists(.thirdPartyCopyIn, serviceAction: CopyInServiceAction.receiveCopyDataLID1.rawValue))
        #expect(page.parameterData == CopyParameterData(maximumCSCDDescriptorCount: 64, maximumSegmentDescriptorCount: 64,
                                                        maximumDescriptorListLength: 8192, maximumInlineDataLength: 0))
        #expect(page.supportedDescriptorCodes == [0x02, 0x07, 0x14, 0xE4])
        #expect(page.supportedCSCDIDs == [0xFFFF])
        let (to, from) = try #require(Self.ctlPerSegment[variant])
        #expect(page.rodTokenFeatures == RODTokenFeatures(
            remoteTokens: 0, minimumTokenLifetime: 1, maximumTokenLifetime: 0xFFFF_FFFF, maximumTokenInactivityTimeout: 600,
            blockDevice: BlockRODFeatures(optimalBlockRODLengthGranularity: 0, maximumBytesInBlockROD: 0,
                                          optimalBytesInBlockRODTransfer: 0, optimalBytesToTokenPerSegment: to,
                                          optimalBytesFromTokenPerSegment: from),
            otherDeviceTypeDescriptors: []))
        #expect(page.supportedRODTypes == [
            SupportedRODType(rodType: .accessUponReference, internalCopy: false, tokenIn: true, tokenOut: true, preferenceIndication: 0),
            SupportedRODType(rodType: .blockDeviceZero, internalCopy: false, tokenIn: true, tokenOut: false, preferenceIndication: 0),
        ])
        #expect(page.generalCopyOperations == GeneralCopyOperations(totalConcurrentCopies: 255, maximumIdentifiedConcurrentCopies: 255,
                                                                    maximumSegmentLength: 0, dataSegmentGranularityLog2: 0,
                                                                    inlineDataGranularityLog2: 0))
    }

    @Test("CTL derived 0x8F page (synthetic): encode(parse(x)) == x", arguments: ctlVariants)
    func ctlRoundTrip(variant: String) throws {
        let b = try #require(try TestVectors.ctlDerivedTPCPages()[variant])
        #expect(try ThirdPartyCopyPage(parsing: b).encoded(deviceType: 0) == b)
    }

    @Test("The three CTL variants differ only in the block ROD features at 0xB8...0xC7")
    func ctlVariantsDiffer() throws {
        let pages = try TestVectors.ctlDerivedTPCPages()
        let main = try #require(pages["main"])
        for variant in ["legacy-ffff", "truenas-early"] {
            let other = try #require(pages[variant])
            let differing = (0..<380).filter { main[$0] != other[$0] }
            #expect(!differing.isEmpty && differing.allSatisfy { (0xB8...0xC7).contains($0) }, "\(variant): \(differing)")
        }
    }

    // MARK: - Other descriptor types

    @Test("9101h, C001h and unknown descriptors: decoded or kept verbatim, and re-encoded")
    func rareDescriptors() throws {
        let b = TestVectors.hex("""
            00 8f 00 1c
            91 01 00 08  00 00 10 00 00 00 00 00
            c0 01 00 08  00 00 20 00 05 00 00 00
            12 34 00 00
            """)
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.problems.isEmpty)
        #expect(page.descriptors == [.streamCopyOperations(maximumStreamDeviceTransferSize: 4096),
                                     .heldData(limit: 8192, granularityLog2: 5),
                                     .unknown(type: 0x1234, bytes: [0x12, 0x34, 0x00, 0x00])])
        #expect(page.encoded() == b)
    }

    @Test("ROD token features: a non-block device-type descriptor is kept verbatim")
    func rodFeaturesOtherDeviceType() throws {
        var ctl = try #require(try TestVectors.ctlDerivedTPCPages()["main"])
        // Make the block-device entry (page offset 0xA0) claim PDT 01h (sequential access).
        ctl[0xA0] = 0x01
        let page = try ThirdPartyCopyPage(parsing: ctl)
        let features = try #require(page.rodTokenFeatures)
        #expect(features.blockDevice == nil)
        #expect(features.otherDeviceTypeDescriptors == [Array(ctl[0xA0..<0xD0])])
        #expect(page.encoded() == ctl)
    }

    // MARK: - Hostile input

    @Test("A descriptor whose length runs past the page ends the walk; earlier descriptors are kept")
    func overlongDescriptor() throws {
        var b = try TestVectors.inhex("vpd_tpc.hex")
        b[3] = 0x88
        // Supported CSCD IDs descriptor (page offset 100) claims 256 bytes.
        #expect(Array(b[100..<102]) == [0x00, 0x0C])
        b[102] = 0x01; b[103] = 0x00
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001, 0x0004, 0x0008])
        #expect(page.problems == ["descriptor 000ch at page offset 100 says 256 bytes, only 36 remain"])
    }

    @Test("A descriptor too short for its type is kept as unknown with a problem; the walk goes on")
    func shortDescriptor() throws {
        let b = TestVectors.hex("""
            00 8f 00 18
            00 00 00 04  00 00 00 00
            00 08 00 04  02 02 e4 00
            00 0c 00 04  00 00 00 00
            """)
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.descriptors.count == 3)
        #expect(page.descriptors.first == .unknown(type: 0, bytes: [0, 0, 0, 4, 0, 0, 0, 0]))
        #expect(page.problems.count == 1 && page.problems[0].hasPrefix("descriptor 0000h:"), "\(page.problems)")
        #expect(page.supportedDescriptorCodes == [0x02, 0xE4])
        #expect(page.supportedCSCDIDs == [], "a CSCD ID descriptor without a list")
        #expect(page.blockDeviceRODLimits == nil)
    }

    @Test("List lengths inside descriptors that overstate their data are clipped, never trap")
    func overstatedInnerLists() throws {
        let b = TestVectors.hex("""
            00 8f 00 24
            00 01 00 04  0f 83 05 00
            00 08 00 04  20 02 e4 00
            00 0c 00 04  00 7f ff ff
            01 08 00 08  00 00 00 40 00 01 00 00
            """)
        let page = try ThirdPartyCopyPage(parsing: b)
        #expect(page.problems.isEmpty)
        #expect(page.supportedCommands == [SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x00])])
        #expect(page.supportedDescriptorCodes == [0x02, 0xE4, 0x00])
        #expect(page.supportedCSCDIDs == [0xFFFF])
        #expect(page.supportedRODTypes == [], "a 64-byte ROD type entry that is not there is not invented")
    }

    @Test("Every truncation of the vectors: throws below 4 bytes, else keeps a prefix of the descriptors and reports")
    func everyTruncation() throws {
        var vectors = [("vpd_tpc.hex", try TestVectors.inhex("vpd_tpc.hex"))]
        vectors += try TestVectors.ctlDerivedTPCPages().sorted { $0.key < $1.key }.map { ("CTL \($0.key)", $0.value) }
        for (name, full) in vectors {
            let complete = try ThirdPartyCopyPage(parsing: full)
            for length in 0..<full.count {
                let prefix = Array(full.prefix(length))
                guard length >= 4 else {
                    #expect(throws: WireError.self) { try ThirdPartyCopyPage(parsing: prefix) }
                    continue
                }
                let page = try ThirdPartyCopyPage(parsing: prefix)
                #expect(complete.descriptors.starts(with: page.descriptors), "\(name) prefix \(length)")
                #expect(!page.problems.isEmpty, "\(name) prefix \(length): a cut page must be reported")
            }
        }
    }

    @Test("Random corruption of the CTL page never traps; parse(encode(parse(x))) is stable")
    func fuzz() throws {
        let seed = try #require(try TestVectors.ctlDerivedTPCPages()["main"])
        var state: UInt64 = 0x8F8F_8F8F
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<3000 {
            var b = seed
            for _ in 0..<(1 + Int(next()) % 8) { b[4 + (Int(next()) << 8 | Int(next())) % (b.count - 4)] = next() }
            let page = try ThirdPartyCopyPage(parsing: b)
            let again = try ThirdPartyCopyPage(parsing: page.encoded())
            #expect(again.descriptors.map(\.typeCode) == page.descriptors.map(\.typeCode))
        }
    }
}
