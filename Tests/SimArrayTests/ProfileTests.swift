import Foundation
import SCSIWire
import SimArray
import Testing

/// Array profiles: the shipped files, loading by name and path, one clear error for a bad file,
/// and how a profile becomes the LUs' personality.
@Suite struct ProfileTests {
    static let shipped = ["advertise-more", "ctl", "lio", "plain", "qnap", "scst"]

    @Test("Every shipped profile loads by name, names itself, and has no problems")
    func shippedProfiles() throws {
        #expect(ArrayProfile.availableNames(in: TestProfiles.directory) == Self.shipped)
        for name in Self.shipped {
            let p = try TestProfiles.load(name)
            #expect(p.name == name && p.problems().isEmpty)
        }
    }

    @Test("A profile survives encoding and decoding unchanged")
    func roundTrip() throws {
        for name in Self.shipped {
            let p = try TestProfiles.load(name)
            #expect(try ArrayProfile.decode(p.encodedJSON(), source: name) == p)
        }
    }

    @Test("The shipped values: ctl, lio, qnap, scst, advertise-more, plain")
    func shippedValues() throws {
        let ctl = try TestProfiles.load("ctl")
        #expect(ctl.xcopy?.maxCSCDDescriptors == 64 && ctl.xcopy?.enforcedMaxSegmentDescriptors == 64)
        #expect(ctl.odx?.tokenType == .aur && ctl.odx?.maxRangeDescriptors == 64 && ctl.odx?.defaultInactivitySeconds == 60)
        #expect(ctl.thirdPartyCopyVPD?.descriptors == [0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x0106, 0x0108, 0x8001])

        let lio = try TestProfiles.load("lio")
        #expect(lio.thirdPartyCopyVPD == nil && lio.odx == nil && lio.xcopy?.cscdDesignators == .naa)
        #expect(lio.xcopy?.maxCSCDDescriptors == 2 && lio.xcopy?.maxSegmentDescriptors == 1 && lio.xcopy?.maxDescriptorListLength == 1024)
        #expect(lio.xcopy?.receiveCopyStatus == false && lio.xcopy?.rcopMinimumAllocationLength == 54)
        #expect(lio.xcopy?.blockSizeMismatch == .notReady && lio.has(.receivingLUMustParticipate))

        let qnap = try TestProfiles.load("qnap")
        #expect(qnap.thirdPartyCopyVPD == ArrayProfile.ThirdPartyCopyVPD(descriptors: [0x0000, 0x0001], minimumAllocationLength: .wholePage))
        #expect(qnap.odx?.tokenType == .pit && qnap.odx?.maxRangeDescriptors == 8 && qnap.odx?.maxTokenTransferBytes == 512 << 20)
        #expect(qnap.odx?.defaultInactivitySeconds == 30 && qnap.odx?.maxInactivitySeconds == 32)

        let scst = try TestProfiles.load("scst")
        #expect(scst.xcopy?.dataSegmentGranularityLog2 == 16 && scst.thirdPartyCopyVPD == nil && scst.xcopy?.cscdBlockLengthMustMatch == true)
        #expect(scst.identity.designators.contains(.truncated(.eui64, keptBytes: 4)))

        let more = try TestProfiles.load("advertise-more")
        #expect(more.xcopy?.maxSegmentDescriptors == 32 && more.xcopy?.enforcedMaxSegmentDescriptors == 2)

        let plain = try TestProfiles.load("plain")
        #expect(!plain.offloads && !plain.inquiry.thirdPartyCopy)
    }

    static func ctlJSON() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: TestProfiles.directory.appendingPathComponent("ctl.json"))) as! [String: Any]
    }

    static func reason(_ object: [String: Any]) -> String? {
        do {
            _ = try ArrayProfile.decode(JSONSerialization.data(withJSONObject: object), source: "test.json")
            return nil
        } catch let e as ArrayProfileError {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    @Test("A misspelt key is one error naming where it is")
    func unknownKey() throws {
        var o = try Self.ctlJSON()
        var x = o["xcopy"] as! [String: Any]
        x["maxSegmentDescriptor"] = 3
        o["xcopy"] = x
        let r = try #require(Self.reason(o))
        #expect(r.hasPrefix("test.json: not a valid array profile: xcopy.maxSegmentDescriptor: unknown key 'maxSegmentDescriptor'"), "\(r)")
    }

    @Test("A missing key, a wrong type, a bad choice, a bad hex byte, an unknown quirk: one line each")
    func badValues() throws {
        var o = try Self.ctlJSON()
        var x = o["xcopy"] as! [String: Any]
        x.removeValue(forKey: "copyScope")
        o["xcopy"] = x
        #expect(Self.reason(o)?.contains("missing key 'xcopy.copyScope'") == true, "\(Self.reason(o) ?? "")")

        o = try Self.ctlJSON()
        x = o["xcopy"] as! [String: Any]
        x["maxCSCDDescriptors"] = "many"
        o["xcopy"] = x
        #expect(Self.reason(o)?.contains("xcopy.maxCSCDDescriptors") == true)

        o = try Self.ctlJSON()
        x = o["xcopy"] as! [String: Any]
        x["blockSizeMismatch"] = "sometimes"
        o["xcopy"] = x
        let choice = Self.reason(o) ?? ""
        #expect(choice.contains("xcopy.blockSizeMismatch") && choice.contains("\"not-ready\", \"multiples\""), "\(choice)")

        o = try Self.ctlJSON()
        o["vpdPages"] = ["80", "ZZ"]
        #expect(Self.reason(o)?.contains("vpdPages: item 1 'ZZ' is not a hex byte") == true, "\(Self.reason(o) ?? "")")

        o = try Self.ctlJSON()
        o["quirks"] = ["make-it-fast"]
        #expect(Self.reason(o)?.contains("unknown quirk 'make-it-fast'") == true, "\(Self.reason(o) ?? "")")

        o = try Self.ctlJSON()
        var i = o["identity"] as! [String: Any]
        i["designators"] = ["naa", ["truncated": "uuid", "keptBytes": 2]]
        o["identity"] = i
        #expect(Self.reason(o)?.contains("identity.designators[1]") == true, "\(Self.reason(o) ?? "")")
    }

    @Test("Parts that contradict each other are refused")
    func inconsistent() throws {
        var o = try Self.ctlJSON()
        o["vpdPages"] = ["80", "83", "B0"]
        #expect(Self.reason(o)?.contains("vpdPages lists 8F is missing although thirdPartyCopyVPD describes it") == true,
                "\(Self.reason(o) ?? "")")
        o = try Self.ctlJSON()
        o["odx"] = NSNull()
        #expect(Self.reason(o)?.contains("thirdPartyCopyVPD lists 0000h but odx is null") == true, "\(Self.reason(o) ?? "")")
        o = try Self.ctlJSON()
        var x = o["xcopy"] as! [String: Any]
        x["segmentTypes"] = ["02", "03"]
        o["xcopy"] = x
        #expect(Self.reason(o)?.contains("03 is not implemented") == true)
    }

    @Test("Not JSON at all: one error with the file's path")
    func notJSON() throws {
        let dir = try TemporaryDirectory()
        try Data("{ nope".utf8).write(to: dir.url.appendingPathComponent("broken.json"))
        #expect(throws: ArrayProfileError.self) { try ArrayProfile.load(contentsOf: dir.url.appendingPathComponent("broken.json")) }
        do {
            _ = try ArrayProfile.load(dir.path("broken.json"))
        } catch let e as ArrayProfileError {
            #expect(e.description.hasPrefix(dir.path("broken.json") + ": not a valid array profile"))
        }
        #expect(throws: ArrayProfileError.self) { try ArrayProfile.load(dir.path("missing.json")) }
    }

    @Test("Loading by name: an unknown name lists what there is; a file whose name differs is refused")
    func byName() throws {
        #expect(throws: ArrayProfileError.notFound(name: "emc", directory: TestProfiles.directory.path, available: Self.shipped)) {
            try ArrayProfile.load(named: "emc", in: TestProfiles.directory)
        }
        let dir = try TemporaryDirectory()
        try Data(contentsOf: TestProfiles.directory.appendingPathComponent("lio.json")).write(to: dir.url.appendingPathComponent("other.json"))
        #expect(throws: ArrayProfileError.self) { try ArrayProfile.load(named: "other", in: dir.url) }
        #expect(try ArrayProfile.load(dir.path("other.json")).name == "lio")
    }

    @Test("Hardware/profiles is found beside OFFLOAD_HARDWARE_DIR, upwards from the executable, or from the current directory")
    func locate() throws {
        let root = TestProfiles.directory.deletingLastPathComponent().deletingLastPathComponent()
        let env = ["OFFLOAD_HARDWARE_DIR": root.appendingPathComponent("Hardware/arrays").path]
        #expect(ArrayProfile.locateDirectory(environment: env, executable: "", currentDirectory: "/")?.standardized
                == TestProfiles.directory.standardized)
        let exe = root.appendingPathComponent(".build/debug/offload-sim").path
        #expect(ArrayProfile.locateDirectory(environment: [:], executable: exe, currentDirectory: "/")?.standardized
                == TestProfiles.directory.standardized)
        #expect(ArrayProfile.locateDirectory(environment: [:], executable: "", currentDirectory: root.appendingPathComponent("Sources").path)?
            .standardized == TestProfiles.directory.standardized)
    }

    @Test("apply(to:) gives options the INQUIRY text, 3PC and VPD pages and leaves the rest")
    func applyOptions() throws {
        var o = LogicalUnitOptions()
        o.thinProvisioned = false
        o.maximumTransferLength = 128
        try TestProfiles.load("lio").apply(to: &o)
        #expect(o.vendor == "LIO-ORG" && o.product == "IBLOCK" && o.revision == "4.0" && o.thirdPartyCopy)
        #expect(o.vpdPages == [0x80, 0x83, 0xB0, 0xB1, 0xB2])
        #expect(!o.thinProvisioned && o.maximumTransferLength == 128)
        try TestProfiles.load("plain").apply(to: &o)
        #expect(!o.thirdPartyCopy)
    }

    @Test("A LU created with a profile shows its designators in VPD 0x83 and its INQUIRY strings")
    func createLogicalUnit() throws {
        let array = try SimulatedArray()
        let scst = try TestProfiles.load("scst")
        let unit = try scst.createLogicalUnit(in: array, lun: 3, blockSize: 4096, blockCount: 100)
        #expect(unit.identity.exposedDesignators == [.t10VendorID, .naa, .truncated(.eui64, keptBytes: 4)])
        #expect(unit.identity.t10VendorID == "SCST_BIO" && unit.blockSize == 4096)
        #expect(unit.standardInquiry().vendor == "SCST_BIO")
        var identity = unit.identity
        try TestProfiles.load("lio").apply(to: &identity)
        #expect(identity.exposedDesignators == [.naa, .t10VendorID] && identity.naa == unit.identity.naa)
        try TestProfiles.load("ctl").apply(to: array)
        #expect(array.logicalUnit(lun: 3)!.options.vendor == "FREEBSD")
    }

    @Test("ODX parameters for the token manager: ROD type, token sizes in blocks")
    func odxParameters() throws {
        let qnap = try #require(TestProfiles.load("qnap").odx)
        #expect(qnap.rodType == .pointInTimeDefault && ArrayProfile.ODX.blocks(qnap.maxTokenTransferBytes, blockSize: 4096) == 131_072)
        let ctl = try #require(TestProfiles.load("ctl").odx)
        #expect(ctl.rodType == .accessUponReference && ctl.zeroROD && !ctl.immediate && ctl.remoteTokens == 0)
        #expect(ctl.optimalBytesToTokenPerSegment == nil && ctl.optimalBytesFromTokenPerSegment == 32 << 20)
    }
}
