import Foundation
import OffloadProbe
import SCSIWire
import Testing

/// OfflineDecoder on every page it supports, RCOP, sense, INQUIRY and READ CAPACITY, with the
/// sg3_utils inhex vectors (oracle: sg_vpd 1.46 / sg_decode_sense 1.21 output, quoted where used).
@Suite("OfflineDecoder")
struct OfflineDecoderTests {
    func inhex(_ name: String) throws -> [UInt8] {
        ProbeTestSupport.inhexReference(try ProbeTestSupport.text(ProbeTestSupport.inhexDirectory.appendingPathComponent(name)))
    }

    /// The JSON a decode produced, read back through Foundation.
    func parsed(_ d: OfflineDecoder.Decoded) throws -> [String: Any] {
        let data = Data(d.json.rendered().utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func onlyPage(_ d: OfflineDecoder.Decoded) throws -> [String: Any] {
        let pages = try #require(try parsed(d)["pages"] as? [[String: Any]])
        try #require(pages.count == 1)
        return pages[0]
    }

    func int(_ v: Any?) -> Int? { (v as? NSNumber)?.intValue }
    func uint64(_ v: Any?) -> UInt64? { (v as? NSNumber)?.uint64Value }

    // MARK: --page option

    @Test func pageOptionSpellings() {
        #expect(OfflineDecoder.Kind(option: "rcop") == .operatingParameters)
        #expect(OfflineDecoder.Kind(option: "RCOP") == .operatingParameters)
        #expect(OfflineDecoder.Kind(option: "sense") == .sense)
        #expect(OfflineDecoder.Kind(option: "inquiry") == .standardInquiry)
        #expect(OfflineDecoder.Kind(option: "std") == .standardInquiry)
        #expect(OfflineDecoder.Kind(option: "readcap") == .readCapacity16)
        #expect(OfflineDecoder.Kind(option: "rc16") == .readCapacity16)
        #expect(OfflineDecoder.Kind(option: "0x8f") == .vpd(.thirdPartyCopy))
        #expect(OfflineDecoder.Kind(option: "0x8F") == .vpd(.thirdPartyCopy))
        #expect(OfflineDecoder.Kind(option: "b0") == .vpd(.blockLimits))
        #expect(OfflineDecoder.Kind(option: "0x100") == nil)
        #expect(OfflineDecoder.Kind(option: "tpc") == nil)
        #expect(OfflineDecoder.Kind(option: "") == nil)
    }

    // MARK: every supported VPD page

    @Test func supportedPagesAndSerialFromScsiDebug() throws {
        let sdeb = try inhex("vpd_sdeb.hex")
        let d00 = try onlyPage(try OfflineDecoder.decode(Array(sdeb.prefix(16)), as: .vpd(nil)))
        #expect(int(d00["pageCode"]) == 0)
        #expect(d00["name"] as? String == "Supported VPD pages")
        #expect((d00["pages"] as? [NSNumber])?.map(\.intValue) == [0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0xB0, 0xB1, 0xB2])
        let d80 = try onlyPage(try OfflineDecoder.decode(Array(sdeb[16..<24]), as: .vpd(nil)))
        #expect(int(d80["pageCode"]) == 0x80)
        #expect(d80["serialNumber"] as? String == "2000")
    }

    /// sg_vpd 1.46: NAA 5 5000c5003011cb2b (LU); NAA 5000c5003011cb29 (SAS target port);
    /// relative target port 1; NAA 5000c5003011cb28 (target device); SCSI name
    /// "naa.5000C5003011CB28" (target device).
    @Test func deviceIdentification() throws {
        let decoded = try OfflineDecoder.decode(try inhex("vpd_dev_id.hex"), as: .vpd(nil))
        let page = try onlyPage(decoded)
        #expect(int(page["pageCode"]) == 0x83)
        let designators = try #require(page["designators"] as? [[String: Any]])
        #expect(designators.map { $0["type"] as? String } == ["NAA", "NAA", "relative target port", "NAA", "SCSI name string"])
        #expect(designators.map { $0["association"] as? String } == ["logical unit", "target port", "target port", "target device", "target device"])
        #expect(designators[0]["hex"] as? String == "5000c5003011cb2b")
        #expect(designators[1]["protocolIdentifier"].flatMap(int) == 6, "SAS")
        #expect(designators[0]["protocolIdentifier"] is NSNull, "PIV=0: no protocol")
        #expect(designators[4]["value"] as? String == "naa.5000C5003011CB28")
        #expect((page["problems"] as? [Any])?.isEmpty == true)
        #expect(decoded.text.contains("naa.5000C5003011CB28"))
    }

    /// The pre-T10 EMC Symmetrix page: flagged, not crashed on, nothing invented.
    @Test func oldSymmetrixDeviceIdentificationIsFlagged() throws {
        let page = try onlyPage(try OfflineDecoder.decode(try inhex("vpd_di_old_emc_symm.hex"), as: .vpd(nil)))
        #expect((page["designators"] as? [Any])?.isEmpty == true)
        let problems = try #require(page["problems"] as? [String])
        #expect(problems.count == 1)
        #expect(problems.first?.contains("reserved byte 2") == true)
    }

    /// sg_vpd 1.46 on vpd_tpc.hex: max range descriptors 291, inactivity 60/30 s, token size
    /// 659419522645, optimal 293490554760; commands 00, 03, 12, 83 {10 11}, 84 {07}; 28 CSCD,
    /// 64 segments, list 74291, inline 10061943; descriptors 02, E9; CSCD IDs 0000 0001 C000 FFFF.
    @Test func thirdPartyCopySyntheticVector() throws {
        let decoded = try OfflineDecoder.decode(try inhex("vpd_tpc.hex"), as: .vpd(nil))
        let page = try onlyPage(decoded)
        #expect(int(page["pageCode"]) == 0x8F)
        let descriptors = try #require(page["descriptors"] as? [[String: Any]])
        #expect(descriptors.map { $0["type"] as? String } == ["0000h", "0001h", "0004h", "0008h", "000ch", "000dh"])
        let bdrl = descriptors[0]
        #expect(int(bdrl["maximumRangeDescriptors"]) == 291)
        #expect(int(bdrl["maximumInactivityTimeout"]) == 60)
        #expect(int(bdrl["defaultInactivityTimeout"]) == 30)
        #expect(uint64(bdrl["maximumTokenTransferSize"]) == 659_419_522_645)
        #expect(uint64(bdrl["optimalTransferCount"]) == 293_490_554_760)
        let commands = try #require(descriptors[1]["commands"] as? [[String: Any]])
        #expect(commands.map { int($0["operationCode"]) } == [0x00, 0x03, 0x12, 0x83, 0x84])
        #expect((commands[3]["serviceActions"] as? [NSNumber])?.map(\.intValue) == [0x10, 0x11])
        let params = descriptors[2]
        #expect(int(params["maximumCSCDDescriptorCount"]) == 28)
        #expect(int(params["maximumSegmentDescriptorCount"]) == 64)
        #expect(int(params["maximumDescriptorListLength"]) == 74291)
        #expect(int(params["maximumInlineDataLength"]) == 10_061_943, "offset 16, not 17")
        #expect((descriptors[3]["codes"] as? [NSNumber])?.map(\.intValue) == [0x02, 0xE9])
        #expect((descriptors[4]["ids"] as? [NSNumber])?.map(\.intValue) == [0x0000, 0x0001, 0xC000, 0xFFFF])
        #expect(descriptors[5]["hex"] as? String == "1000112233445566778899aabbccddeefedc")
        // The vector's PAGE LENGTH (0x8C) counts its own 4-byte header: 140 bytes in all.
        #expect((page["problems"] as? [String]) == ["page length says 140 bytes, only 136 returned"])
    }

    @Test func thirdPartyCopyFreeBSDCTLDerivedPage() throws {
        let page = try onlyPage(try OfflineDecoder.decode(try Personalities.ctlThirdPartyCopyPage(), as: .vpd(nil)))
        let descriptors = try #require(page["descriptors"] as? [[String: Any]])
        #expect(descriptors.map { $0["type"] as? String } == ["0000h", "0001h", "0004h", "0008h", "000ch", "0106h", "0108h", "8001h"])
        let rodTypes = try #require(descriptors[6]["rodTypes"] as? [[String: Any]])
        #expect(rodTypes.map { $0["name"] as? String } == ["access upon reference", "block device zero ROD"])
        #expect(int(descriptors[7]["totalConcurrentCopies"]) == 255)
        #expect(int(descriptors[7]["maximumSegmentLength"]) == 0)
    }

    /// sg_vpd 1.46: WSNZ 0, granularity 8, MTL 65535, OTL 0, max unmap LBA 393216, max unmap
    /// descriptors 512, optimal unmap granularity 8, alignment invalid, max write same 0.
    @Test func blockLimits() throws {
        let page = try onlyPage(try OfflineDecoder.decode(try inhex("vpd_bl.hex"), as: .vpd(nil)))
        #expect(int(page["pageCode"]) == 0xB0)
        #expect(page["writeSameNonZero"] as? Bool == false)
        #expect(int(page["optimalTransferLengthGranularity"]) == 8)
        #expect(int(page["maximumTransferLength"]) == 65535)
        #expect(int(page["optimalTransferLength"]) == 0)
        #expect(int(page["maximumUnmapLBACount"]) == 393_216)
        #expect(int(page["maximumUnmapBlockDescriptorCount"]) == 512)
        #expect(int(page["optimalUnmapGranularity"]) == 8)
        #expect(page["unmapGranularityAlignment"] is NSNull)
        #expect(int(page["maximumWriteSameLength"]) == 0)
    }

    /// sg_vpd 1.46: LBPU 0, LBPWS 0, LBPWS10 0, LBPRZ 0, ANC_SUP 0, DP 1, provisioning type 0.
    @Test func logicalBlockProvisioning() throws {
        let decoded = try OfflineDecoder.decode(try inhex("vpd_lbpv.hex"), as: .vpd(nil))
        let page = try onlyPage(decoded)
        #expect(int(page["pageCode"]) == 0xB2)
        #expect(page["lbpu"] as? Bool == false)
        #expect(page["lbpws"] as? Bool == false)
        #expect(page["descriptorPresent"] as? Bool == true)
        #expect(int(page["provisioningType"]) == 0)
        #expect(page["provisioningTypeName"] as? String == "not reported")
    }

    @Test func forcedPageCodeReadsTheBytesAsThatPage() throws {
        var bytes = try inhex("vpd_lbpv.hex")
        bytes[1] = 0xC0  // vendor page code, forced as 0xB2
        let page = try onlyPage(try OfflineDecoder.decode(bytes, as: .vpd(.logicalBlockProvisioning)))
        #expect(int(page["pageCode"]) == 0xB2)
        #expect(page["descriptorPresent"] as? Bool == true)
    }

    // MARK: several pages

    /// vpd_sdeb.hex: scsi_debug pages 00 80 83 84 85 86 87 88 89 B0 B1 B2 back to back.
    @Test func multiPageFileDecodesTheLeadingKnownPages() throws {
        let decoded = try OfflineDecoder.decode(try inhex("vpd_sdeb.hex"), as: .vpd(nil))
        let pages = try #require(try parsed(decoded)["pages"] as? [[String: Any]])
        #expect(pages.prefix(3).map { int($0["pageCode"]) } == [0x00, 0x80, 0x83])
        #expect(decoded.text.contains("Unit serial number: 2000"))
    }

    /// The same file also holds B0 and B2 after pages the decoder does not know; every page
    /// it knows must be decoded (each page carries its own length, so unknown ones can be
    /// stepped over), not silently dropped.
    @Test func multiPageFileDecodesEveryKnownPage() throws {
        let decoded = try OfflineDecoder.decode(try inhex("vpd_sdeb.hex"), as: .vpd(nil))
        let codes = try #require(try parsed(decoded)["pages"] as? [[String: Any]]).compactMap { int($0["pageCode"]) }
        #expect(codes.contains(0xB0), "decoded pages: \(codes.map { String($0, radix: 16) })")
        #expect(codes.contains(0xB2), "decoded pages: \(codes.map { String($0, radix: 16) })")
    }

    @Test func twoKnownPagesBackToBack() throws {
        let bytes = try inhex("vpd_bl.hex") + inhex("vpd_lbpv.hex")
        let pages = try #require(try parsed(try OfflineDecoder.decode(bytes, as: .vpd(nil)))["pages"] as? [[String: Any]])
        #expect(pages.map { int($0["pageCode"]) } == [0xB0, 0xB2])
    }

    // MARK: unknown pages and bad input

    @Test func unknownPageIsAnError() throws {
        do {
            _ = try OfflineDecoder.decode(try inhex("vpd_sfs.hex"), as: .vpd(nil))
            Issue.record("page 0x92 decoded")
        } catch let e as OfflineDecoder.Failure {
            guard case let .unrecognised(message) = e else { Issue.record("expected unrecognised, got \(e)"); return }
            #expect(message.contains("0x92"))
        }
    }

    @Test func forcedUnknownPageIsAnError() throws {
        let kind = try #require(OfflineDecoder.Kind(option: "0x86"))
        #expect(throws: OfflineDecoder.Failure.self) {
            _ = try OfflineDecoder.decode(try inhex("vpd_lbpv.hex"), as: kind)
        }
    }

    @Test func tooShortForAPageHeaderIsAnError() {
        #expect(throws: OfflineDecoder.Failure.self) { _ = try OfflineDecoder.decode([0x00, 0x83, 0x00], as: .vpd(nil)) }
    }

    @Test func truncatedRCOPIsMalformed() {
        do {
            _ = try OfflineDecoder.decode(Array(Personalities.lioRCOP.prefix(40)), as: .operatingParameters)
            Issue.record("40 bytes decoded as RCOP")
        } catch let e as OfflineDecoder.Failure {
            guard case .malformed = e else { Issue.record("expected malformed, got \(e)"); return }
        } catch {
            Issue.record("unexpected error type \(type(of: error))")
        }
    }

    @Test func senseWithAnUnknownResponseCodeIsMalformed() {
        #expect(throws: OfflineDecoder.Failure.self) { _ = try OfflineDecoder.decode([0x12, 0, 5, 0, 0, 0, 0, 0], as: .sense) }
    }

    // MARK: rcop, sense, inquiry, readcap

    @Test func lioRCOP() throws {
        let decoded = try OfflineDecoder.decode(Personalities.lioRCOP, as: .operatingParameters)
        let p = try #require(try parsed(decoded)["receiveCopyOperatingParameters"] as? [String: Any])
        #expect(p["snlid"] as? Bool == true)
        #expect(int(p["maximumCSCDDescriptorCount"]) == 2)
        #expect(int(p["maximumSegmentDescriptorCount"]) == 1)
        #expect(int(p["maximumDescriptorListLength"]) == 1024)
        #expect(int(p["maximumSegmentLength"]) == 268_435_456)
        #expect(int(p["totalConcurrentCopies"]) == 1)
        #expect(int(p["maximumConcurrentCopies"]) == 1)
        #expect(int(p["dataSegmentGranularityLog2"]) == 9)
        #expect((p["implementedDescriptorTypeCodes"] as? [NSNumber])?.map(\.intValue) == [0x02, 0xE4])
        #expect(decoded.text.hasPrefix("RECEIVE COPY OPERATING PARAMETERS:"))
        #expect(decoded.text.contains("max CSCD descriptors 2, max segment descriptors 1, max descriptor list length 1024"))
    }

    /// sg_decode_sense 1.21: fixed, current; Medium Error; 11/00 Unrecovered read error;
    /// Info 0x1234; FRU 119; actual retry count 0x0198.
    @Test func fixedSense() throws {
        let decoded = try OfflineDecoder.decode(try inhex("fixed_sense.hex"), as: .sense)
        let s = try #require(try parsed(decoded)["sense"] as? [String: Any])
        #expect(s["format"] as? String == "fixed")
        #expect(s["deferred"] as? Bool == false)
        #expect(int(s["senseKey"]) == 3)
        #expect(s["senseKeyName"] as? String == "MEDIUM ERROR")
        #expect(int(s["asc"]) == 0x11 && int(s["ascq"]) == 0)
        #expect(int(s["information"]) == 0x1234)
        #expect(int(s["fieldReplaceableUnitCode"]) == 119)
        #expect(s["senseKeySpecific"] as? String == "actual retry count 408")
        #expect(decoded.text.hasPrefix("Sense: MEDIUM ERROR"))
    }

    @Test func descriptorSense() throws {
        let s = try #require(try parsed(try OfflineDecoder.decode(try inhex("descriptor_sense.hex"), as: .sense))["sense"] as? [String: Any])
        #expect(s["format"] as? String == "descriptor")
        #expect(int(s["senseKey"]) == 1)
        #expect(int(s["asc"]) == 0x03 && int(s["ascq"]) == 0x02)
        #expect(uint64(s["information"]) == 0x1122_3344_5566_77BB)
        #expect(uint64(s["commandSpecificInformation"]) == 0x3344_5566_77BB_CCFF)
        #expect(int(s["fieldReplaceableUnitCode"]) == 0x45)
    }

    /// sg_decode_sense 1.21: Unit Attention 18/07 with a forwarded-sense descriptor from
    /// "Extended copy command destination device 0", status Check Condition.
    @Test func forwardedSense() throws {
        let s = try #require(try parsed(try OfflineDecoder.decode(try inhex("forwarded_sense.hex"), as: .sense))["sense"] as? [String: Any])
        #expect(int(s["senseKey"]) == 6)
        #expect(int(s["asc"]) == 0x18 && int(s["ascq"]) == 0x07)
        #expect(uint64(s["information"]) == 0x1122_3344_5566_7788)
        #expect(int(s["fieldReplaceableUnitCode"]) == 0x99)
        let forwarded = try #require(s["forwarded"] as? [[String: Any]])
        #expect(forwarded.count == 1)
        #expect(forwarded.first?["source"] as? String == "copy destination device 0")
        #expect(int(forwarded.first?["status"]) == 2)
        let inner = try #require(forwarded.first?["sense"] as? [String: Any])
        #expect(int(inner["senseKey"]) == 6)
    }

    @Test func standardInquiry() throws {
        let bytes = try HexCapture.parseText(HexCaptureTests.sgInqH)
        let decoded = try OfflineDecoder.decode(bytes, as: .standardInquiry)
        let i = try #require(try parsed(decoded)["inquiry"] as? [String: Any])
        #expect(i["vendor"] as? String == "LIO-ORG")
        #expect(i["product"] as? String == "IBLOCK")
        #expect(i["revision"] as? String == "4.0")
        #expect(int(i["version"]) == 6)
        #expect(int(i["peripheralDeviceType"]) == 0)
        #expect(i["thirdPartyCopy"] as? Bool == false)
        #expect(decoded.text == "Standard INQUIRY: LIO-ORG IBLOCK rev 4.0, version 6, 3PC=0, TPGS=0")
    }

    @Test func standardInquiryWithVersionDescriptors() throws {
        let i = try #require(try parsed(try OfflineDecoder.decode(Personalities.lio().inquiry, as: .standardInquiry))["inquiry"] as? [String: Any])
        #expect(i["thirdPartyCopy"] as? Bool == true)
        #expect((i["versionDescriptors"] as? [NSNumber])?.map(\.intValue) == [0x00A0, 0x0960, 0x0460, 0x04C0])
    }

    @Test func readCapacity16() throws {
        let data = ReadCapacity16Data(lastLBA: 262_143, blockLength: 4096, logicalBlocksPerPhysicalBlockExponent: 0,
                                      lbpme: true, lbprz: true).encoded()
        let decoded = try OfflineDecoder.decode(data, as: .readCapacity16)
        let c = try #require(try parsed(decoded)["readCapacity16"] as? [String: Any])
        #expect(int(c["blocks"]) == 262_144)
        #expect(int(c["blockSize"]) == 4096)
        #expect(c["lbpme"] as? Bool == true)
        #expect(c["lbprz"] as? Bool == true)
        #expect(decoded.text == "READ CAPACITY(16): 262144 blocks of 4096 bytes, LBPME=1 LBPRZ=1")
    }

    @Test func everyDecodeRendersValidJSON() throws {
        let inputs: [([UInt8], OfflineDecoder.Kind)] = [
            (try inhex("vpd_di_all.hex"), .vpd(nil)),
            (try inhex("vpd_di_bad_all.hex"), .vpd(nil)),
            (try inhex("vpd_di_name_inject.hex"), .vpd(nil)),
            (try inhex("vpd_tpc.hex"), .vpd(nil)),
            (Personalities.lioRCOP, .operatingParameters),
            (try inhex("forwarded_sense.hex"), .sense),
        ]
        for (bytes, kind) in inputs {
            let decoded = try OfflineDecoder.decode(bytes, as: kind)
            for pretty in [false, true] {
                let data = Data(decoded.json.rendered(pretty: pretty).utf8)
                #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: data) }
            }
        }
    }
}
