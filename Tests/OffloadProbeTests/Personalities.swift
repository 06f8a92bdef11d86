import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import Testing

// Deterministic twins of real targets for the prober, the pair planner and the JSON reports.
// Every answer is built with the SCSIWire encoders where one exists, and follows
// /work/shared/reference/targets.md (§1 LIO, §3 tgt, §5 FreeBSD CTL, §6 QNAP, §4 SCST) and
// arrays.md §3/§6. Literal bytes are used only where the reference gives them (LIO's RCOP
// answer, the FreeBSD CTL page read from Hardware/captures).

/// Repository files and small helpers shared by the OffloadProbe tests.
enum ProbeTestSupport {
    /// The package root, found from this file's path (Tests/OffloadProbeTests/<file>).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var arraysDirectory: URL { root.appendingPathComponent("Hardware/arrays") }
    static var capturesDirectory: URL { root.appendingPathComponent("Hardware/captures") }
    static var inhexDirectory: URL { capturesDirectory.appendingPathComponent("sg3_utils-inhex") }

    static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    /// The Hardware/arrays knowledge base of this checkout.
    static func knowledge() throws -> HardwareKnowledge {
        try HardwareKnowledge.load(directory: arraysDirectory)
    }

    /// Bytes from hex written in a test: whitespace/comma separated, one or two digits each.
    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for token in text.split(whereSeparator: { " \n\t,".contains($0) }) {
            guard token.count <= 2, let b = UInt8(token, radix: 16) else {
                Issue.record("bad hex byte in a test literal: '\(token)'")
                continue
            }
            out.append(b)
        }
        return out
    }

    /// A reference reader for sg3_utils `--inhex` files, independent of HexCapture: drop
    /// `#` comments, split on whitespace and commas, every token is 1-2 hex digits.
    static func inhexReference(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            out += hex(String(content))
        }
        return out
    }

    /// One section of a capture file laid out as " 0000  00 8f 01 78 ..." lines: from the
    /// first line containing `header` to the next line starting with "===" or a blank line.
    static func offsetDump(in text: String, after header: String) -> [UInt8] {
        var out: [UInt8] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !inside {
                if line.contains(header) { inside = true }
                continue
            }
            if line.hasPrefix("===") || line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            let tokens = line.split(separator: " ")
            guard tokens.count > 1 else { break }
            out += hex(tokens.dropFirst().joined(separator: " "))
        }
        return out
    }

    static func be16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) << 8 | Int(b[at + 1]) }
    static func be32(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3]) }

    static func sense(_ key: SenseKey, _ asc: AdditionalSense) -> SCSIResponse {
        .checkCondition(SenseData(format: .fixed, key: key, additionalSense: asc))
    }
}

/// What one LU answers. A value type, so a test can take a personality and change one thing.
struct Personality: Sendable {
    var name: String
    /// Standard INQUIRY data as the target returns it (before allocation-length truncation).
    var inquiry: [UInt8]
    /// VPD pages served, by page code (full pages, header included).
    var vpd: [UInt8: [UInt8]]
    /// Pages answered with CHECK CONDITION instead of data.
    var vpdRefusals: [UInt8: SCSIResponse] = [:]
    /// Smallest INQUIRY allocation length a page is served for (QNAP: the page size).
    var vpdMinimumAllocation: [UInt8: Int] = [:]
    var capacity: ReadCapacity16Data
    /// The RECEIVE COPY OPERATING PARAMETERS answer; nil = answered with `rcopRefusal`.
    var rcop: [UInt8]?
    var rcopMinimumAllocation = 0
    var rcopRefusal: SCSIResponse = .invalidOperationCode
    /// THIRD PARTY COPY IN with LIST IDENTIFIER != 0 is refused with 24/00 (LIO).
    var rcopRejectsListIdentifier = false
    /// INQUIRY (any) answered with this instead of data.
    var inquiryRefusal: SCSIResponse?
    var readCapacityRefusal: SCSIResponse?
    /// READ CAPACITY(16) answers this many UNIT ATTENTIONs before its data.
    var unitAttentionsBeforeCapacity = 0
    /// READ CAPACITY(16) data replaced by these bytes (malformed answers).
    var capacityOverride: [UInt8]?

    /// The responder as an in-memory device at `url` (an iSCSI URL gives the address a real
    /// session would have, so nexus comparisons are realistic).
    func device(at url: String = "iscsi://192.0.2.10/iqn.2003-01.org.linux-iscsi.test:t1/0") -> InMemoryDevice {
        let address: DeviceAddress
        do { address = try ISCSIURL(parsing: url).address } catch {
            Issue.record("test URL does not parse: \(error)")
            address = DeviceAddress(kind: .memory, nexus: url, lun: 0, display: url)
        }
        let state = PersonalityState(unitAttentions: unitAttentionsBeforeCapacity)
        let me = self
        return InMemoryDevice(address: address) { command in me.respond(to: command, state: state) }
    }

    func respond(to command: SCSICommand, state: PersonalityState) -> SCSIResponse {
        let cdb = command.cdb
        guard let op = cdb.first else { return .invalidOperationCode }
        switch op {
        case 0x12:
            guard cdb.count >= 6 else { return .invalidFieldInCDB }
            if let inquiryRefusal { return inquiryRefusal }
            let allocation = Int(cdb[3]) << 8 | Int(cdb[4])
            guard cdb[1] & 0x01 != 0 else {
                guard cdb[2] == 0 else { return .invalidFieldInCDB }
                return .good(Array(inquiry.prefix(allocation)))
            }
            if let refusal = vpdRefusals[cdb[2]] { return refusal }
            guard let page = vpd[cdb[2]] else { return .invalidFieldInCDB }
            if let minimum = vpdMinimumAllocation[cdb[2]], allocation < minimum { return .invalidFieldInCDB }
            return .good(Array(page.prefix(allocation)))
        case 0x9E where cdb.count >= 16 && cdb[1] & 0x1F == 0x10:
            if state.takeUnitAttention() {
                return ProbeTestSupport.sense(.unitAttention, .powerOnResetOrBusDeviceReset)
            }
            if let readCapacityRefusal { return readCapacityRefusal }
            let allocation = ProbeTestSupport.be32(cdb, 10)
            return .good(Array((capacityOverride ?? capacity.encoded()).prefix(allocation)))
        case 0x84 where cdb.count >= 16 && cdb[1] & 0x1F == 0x03:
            guard let rcop else { return rcopRefusal }
            if rcopRejectsListIdentifier, cdb[2] != 0 { return .invalidFieldInCDB }
            let allocation = ProbeTestSupport.be32(cdb, 10)
            guard allocation >= rcopMinimumAllocation else { return .invalidFieldInCDB }
            return .good(rcop)
        case 0x00:
            return .good()
        default:
            return .invalidOperationCode
        }
    }
}

/// Mutable per-device state, shared by the responder's invocations.
final class PersonalityState: @unchecked Sendable {
    private let lock = NSLock()
    private var unitAttentions: Int
    init(unitAttentions: Int) { self.unitAttentions = unitAttentions }
    func takeUnitAttention() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard unitAttentions > 0 else { return false }
        unitAttentions -= 1
        return true
    }
}

enum Personalities {
    static let lioIQN = "iqn.2003-01.org.linux-iscsi.lio.x8664:sn.0123456789ab"

    // MARK: designators

    /// LIO's NAA (spc_gen_naa_6h_vendor_specific): 6, company id 0x001405, then up to 25 hex
    /// digits of the unit serial, other characters skipped, zero padded to 16 bytes.
    static func lioNAA(serial: String) -> [UInt8] {
        var nibbles: [UInt8] = [6, 0, 0, 1, 4, 0, 5]
        for c in serial.lowercased() where nibbles.count < 32 {
            if let v = c.hexDigitValue { nibbles.append(UInt8(v)) }
        }
        while nibbles.count < 32 { nibbles.append(0) }
        return stride(from: 0, to: 32, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    static func naa(_ value: [UInt8]) -> Designator {
        Designator(codeSet: .binary, association: .logicalUnit, type: .naa, value: value)
    }

    static func t10(_ text: String) -> Designator {
        Designator(codeSet: .ascii, association: .logicalUnit, type: .t10VendorID, value: Array(text.utf8))
    }

    static func eui64(_ value: [UInt8]) -> Designator {
        Designator(codeSet: .binary, association: .logicalUnit, type: .eui64, value: value)
    }

    static func relativePort(_ n: UInt16) -> Designator {
        Designator(protocolIdentifier: 5, codeSet: .binary, piv: true, association: .targetPort,
                   type: .relativeTargetPort, value: [0, 0, UInt8(n >> 8), UInt8(n & 0xFF)])
    }

    static func targetPortGroup(_ n: UInt16) -> Designator {
        Designator(codeSet: .binary, association: .targetPort, type: .targetPortGroup,
                   value: [0, 0, UInt8(n >> 8), UInt8(n & 0xFF)])
    }

    /// SCSI name string, NUL-terminated and padded to a multiple of 4 bytes.
    static func scsiName(_ text: String, association: Designator.Association) -> Designator {
        var v = Array(text.utf8) + [0]
        while v.count % 4 != 0 { v.append(0) }
        return Designator(protocolIdentifier: 5, codeSet: .utf8, piv: true, association: association,
                          type: .scsiNameString, value: v)
    }

    static func page83(_ designators: [Designator]) -> [UInt8] {
        DeviceIdentificationPage(designators: designators).encoded()
    }

    static func supported(_ codes: [UInt8]) -> [UInt8] {
        SupportedVPDPages(pages: codes.map(VPDPageCode.init(rawValue:))).encoded()
    }

    static func capacity(blocks: UInt64, blockSize: UInt32, lbpme: Bool = false) -> ReadCapacity16Data {
        ReadCapacity16Data(lastLBA: blocks - 1, blockLength: blockSize, lbpme: lbpme)
    }

    // MARK: (a) LIO, Debian bookworm 6.1

    /// LIO's RCOP answer, byte for byte from targets.md §1.3 (46 bytes, AVAILABLE DATA 42).
    static let lioRCOP: [UInt8] = ProbeTestSupport.hex("""
        00 00 00 2a  01 00 00 00  00 02 00 01  00 00 04 00
        10 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00
        00 00 00 01  01 09 09 09  00 00 00 02  02 e4
        """)

    static func lio(serial: String = "3f2a1c5e-8b7d-4e21-9a0c-5d6e7f809a1b", blockSize: UInt32 = 512,
                    blocks: UInt64 = 2_097_152, product: String = "IBLOCK") -> Personality {
        let inquiry = StandardInquiry(version: 6, hiSup: true, responseDataFormat: 2, thirdPartyCopy: true,
                                      cmdQue: true, vendor: "LIO-ORG", product: product, revision: "4.0",
                                      versionDescriptors: [0x00A0, 0x0960, 0x0460, 0x04C0]).encoded()
        let ids = page83([
            naa(lioNAA(serial: serial)),
            t10("LIO-ORG " + product + ":" + serial),
            relativePort(1),
            scsiName(lioIQN + ",t,0x0001", association: .targetPort),
            scsiName(lioIQN, association: .targetDevice),
        ])
        let blockLimits = BlockLimitsPage(writeSameNonZero: true, maximumCompareAndWriteLength: 1,
                                          optimalTransferLengthGranularity: 1,
                                          maximumTransferLength: UInt32(8 * 1024 * 1024) / blockSize,
                                          optimalTransferLength: UInt32(8 * 1024 * 1024) / blockSize).encoded()
        let provisioning = LogicalBlockProvisioningPage(lbpu: false, lbpws: false, lbprz: 0, provisioningType: 0).encoded()
        return Personality(
            name: "LIO \(product) \(blockSize)",
            inquiry: inquiry,
            vpd: [0x00: supported([0x00, 0x80, 0x83, 0x86, 0xB0, 0xB1, 0xB2, 0xB3]),
                  0x80: UnitSerialNumberPage(serialNumber: serial).encoded(),
                  0x83: ids, 0xB0: blockLimits, 0xB2: provisioning],
            // No 0x8F handler upstream: INVALID FIELD IN CDB.
            vpdRefusals: [0x8F: .invalidFieldInCDB],
            capacity: capacity(blocks: blocks, blockSize: blockSize),
            rcop: lioRCOP,
            rcopMinimumAllocation: 54,
            rcopRefusal: .invalidOperationCode,
            rcopRejectsListIdentifier: true)
    }

    // MARK: (b) tgt 1.0.85

    static func tgt(tid: UInt32 = 1, lun: UInt32 = 1, blocks: UInt64 = 2_097_152) -> Personality {
        // 66 bytes: VERSION 5 (SPC-3), byte 3 = 0x12, 3PC=0, byte 7 = 0x02.
        var inquiry = StandardInquiry(version: 5, hiSup: true, responseDataFormat: 2, thirdPartyCopy: false,
                                      cmdQue: true, vendor: "IET", product: "VIRTUAL-DISK", revision: "0001").encoded()
        inquiry += [UInt8](repeating: 0, count: 30)
        inquiry[4] = 61
        let scsiID = String(format: "IET     %04x%04x", tid, lun)
        let naa3: [UInt8] = [0x30, 0, 0, UInt8(tid), 0, 0, 0, UInt8(lun)]
        let naa6: [UInt8] = [0x60] + [UInt8](repeating: 0, count: 11) + [0, UInt8(tid), 0, UInt8(lun)]
        let ids = page83([t10(scsiID), naa(naa3), naa(naa6)])
        let blockLimits = BlockLimitsPage(maximumCompareAndWriteLength: 128, optimalTransferLengthGranularity: 0,
                                          maximumTransferLength: 0, optimalTransferLength: 0,
                                          maximumUnmapLBACount: 0, maximumUnmapBlockDescriptorCount: 0,
                                          optimalUnmapGranularity: 0, maximumWriteSameLength: 0).encoded()
        let provisioning = LogicalBlockProvisioningPage(lbpu: false, lbpws: false, lbprz: 0, provisioningType: 0).encoded()
        return Personality(
            name: "tgt",
            inquiry: inquiry,
            vpd: [0x00: supported([0x00, 0x80, 0x83, 0xB0, 0xB2]),
                  0x80: UnitSerialNumberPage(serialNumber: String(format: "beaf%d%d", tid, lun)).encoded(),
                  0x83: ids, 0xB0: blockLimits, 0xB2: provisioning],
            capacity: capacity(blocks: blocks, blockSize: 512),
            rcop: nil,
            rcopRefusal: .invalidOperationCode)  // 0x83 and 0x84 are spc_illegal_op: 20/00
    }

    /// tgt's LUN 0: the auto-created controller LU (peripheral device type 0x0C).
    static func tgtController() -> Personality {
        var p = tgt(lun: 0)
        var inquiry = StandardInquiry(peripheralDeviceType: 0x0C, version: 5, hiSup: true, responseDataFormat: 2,
                                      vendor: "IET", product: "Controller", revision: "0001").encoded()
        inquiry += [UInt8](repeating: 0, count: 30)
        inquiry[4] = 61
        p.inquiry = inquiry
        p.name = "tgt controller LU"
        return p
    }

    // MARK: (c) FreeBSD CTL (synthetic page from Hardware/captures)

    static let ctlCaptureFile = "FREEBSD-CTL-vpd8f-rcop-DERIVED-NOT-A-CAPTURE.txt"

    /// The derived (NOT a capture) CTL 0x8F page, main variant: 380 bytes.
    static func ctlThirdPartyCopyPage() throws -> [UInt8] {
        let text = try ProbeTestSupport.text(ProbeTestSupport.capturesDirectory.appendingPathComponent(ctlCaptureFile))
        return ProbeTestSupport.offsetDump(in: text, after: "=== VPD 0x8F, variant=main")
    }

    /// The derived CTL RCOP answer: 48 bytes.
    static func ctlRCOP() throws -> [UInt8] {
        let text = try ProbeTestSupport.text(ProbeTestSupport.capturesDirectory.appendingPathComponent(ctlCaptureFile))
        return ProbeTestSupport.offsetDump(in: text, after: "=== RECEIVE COPY OPERATING PARAMETERS")
    }

    static func freebsdCTL(deviceID: String = "MYDEVID0", naaValue: [UInt8]? = ProbeTestSupport.hex("6e 58 9c fc 00 00 00 0a 1b 2c 3d 4e 5f 60 71 82"),
                           blockSize: UInt32 = 512, blocks: UInt64 = 4_194_304) throws -> Personality {
        let inquiry = StandardInquiry(version: 6, hiSup: true, responseDataFormat: 2, tpgs: 1, thirdPartyCopy: true,
                                      cmdQue: true, vendor: "FREEBSD", product: "CTLDISK", revision: "0001").encoded()
        var designators = [t10("FREEBSD CTLDISK " + deviceID)]
        if let naaValue { designators.append(naa(naaValue)) }
        designators += [relativePort(1), targetPortGroup(1)]
        let blockLimits = BlockLimitsPage(maximumCompareAndWriteLength: 0xFF, optimalTransferLengthGranularity: 1,
                                          maximumTransferLength: 0xFFFF_FFFF, optimalTransferLength: 0,
                                          maximumUnmapLBACount: 0xFFFF_FFFF, maximumUnmapBlockDescriptorCount: 0xFFFF_FFFF,
                                          optimalUnmapGranularity: 1, maximumWriteSameLength: UInt64.max).encoded()
        let provisioning = LogicalBlockProvisioningPage(lbpu: true, lbpws: true, lbpws10: true, lbprz: 1,
                                                        anchorSupported: true, provisioningType: 2).encoded()
        return Personality(
            name: "FreeBSD CTL",
            inquiry: inquiry,
            vpd: [0x00: supported([0x00, 0x80, 0x83, 0x86, 0x87, 0x88, 0x8F, 0x92, 0xB0, 0xB1, 0xB2]),
                  0x80: UnitSerialNumberPage(serialNumber: "MYSERIAL0").encoded(),
                  0x83: page83(designators), 0x8F: try ctlThirdPartyCopyPage(),
                  0xB0: blockLimits, 0xB2: provisioning],
            capacity: capacity(blocks: blocks, blockSize: blockSize, lbpme: true),
            rcop: try ctlRCOP())
    }

    // MARK: (d) QNAP (partial 0x8F)

    static func qnapThirdPartyCopyPage(blockSize: UInt32 = 512) -> [UInt8] {
        let bytes512MiB = UInt64(512 << 20)
        return ThirdPartyCopyPage(descriptors: [
            .blockDeviceRODLimits(BlockDeviceRODLimits(maximumRangeDescriptors: 8, maximumInactivityTimeout: 32,
                                                       defaultInactivityTimeout: 30,
                                                       maximumTokenTransferSize: bytes512MiB / UInt64(blockSize),
                                                       optimalTransferCount: bytes512MiB / UInt64(blockSize))),
            .supportedCommands([
                SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x00, 0x10, 0x11]),
                SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x03, 0x07]),
            ]),
        ]).encoded()
    }

    /// `rcop`: QNAP's RCOP is unverified; the LIO answer (its code base) or a refusal.
    static func qnap(rcop: [UInt8]? = lioRCOP, serial: String = "c0ffee00-1111-2222-3333-444455556666") -> Personality {
        let inquiry = StandardInquiry(version: 6, hiSup: true, responseDataFormat: 2, thirdPartyCopy: true,
                                      cmdQue: true, vendor: "QNAP", product: "iSCSI Storage", revision: "4.0").encoded()
        let page = qnapThirdPartyCopyPage()
        let naaValue: [UInt8] = [0x60, 0x01, 0x40, 0x50] + Array(lioNAA(serial: serial).suffix(12))
        return Personality(
            name: "QNAP",
            inquiry: inquiry,
            vpd: [0x00: supported([0x00, 0x80, 0x83, 0x8F, 0xB0, 0xB2]),
                  0x80: UnitSerialNumberPage(serialNumber: serial).encoded(),
                  0x83: page83([naa(naaValue), t10("QNAP    iSCSI Storage:" + serial)]),
                  0x8F: page,
                  0xB0: BlockLimitsPage(maximumTransferLength: 16384, optimalTransferLength: 16384).encoded(),
                  0xB2: LogicalBlockProvisioningPage(lbpu: true, lbpws: true, lbprz: 1, provisioningType: 2).encoded()],
            // The whole page or nothing, even for a 4-byte header read.
            vpdMinimumAllocation: [0x8F: page.count],
            capacity: capacity(blocks: 8_388_608, blockSize: 512),
            rcop: rcop,
            rcopMinimumAllocation: rcop == nil ? 0 : 54,
            rcopRefusal: .invalidFieldInCDB)
    }

    // MARK: (e) no NAA (SCST 3.2-era vdisk_blockio, 2016)

    /// SCST's JovianDSS RCOP: 5 CSCD, 143 segments, list 65535, max segment 0xFFFFFFFF,
    /// 255 concurrent, data segment granularity 2^16.
    static func scstRCOP() -> [UInt8] {
        let p = ReceiveCopyOperatingParameters(
            snlid: true, maximumCSCDDescriptorCount: 5, maximumSegmentDescriptorCount: 143,
            maximumDescriptorListLength: 65535, maximumSegmentLength: 0xFFFF_FFFF, maximumInlineDataLength: 0,
            heldDataLimit: 0, maximumStreamDeviceTransferSize: 0, totalConcurrentCopies: 0xFFFF,
            maximumConcurrentCopies: 255, dataSegmentGranularityLog2: 16, inlineDataGranularityLog2: 0,
            heldDataGranularityLog2: 0, implementedDescriptorTypeCodes: [.blockToBlock, .identification])
        do { return try p.encoded() } catch {
            Issue.record("RCOP encoder failed: \(error)")
            return []
        }
    }

    /// EUI-64 made of the ASCII serial bytes, T10 vendor id and port designators; no NAA.
    static let scstEUI64 = Array("509f7d73".utf8)

    static func noNAA(vendor: String = "SCST_BIO", product: String = "vg1-lv1") -> Personality {
        let inquiry = StandardInquiry(version: 6, hiSup: true, responseDataFormat: 2, tpgs: 1, thirdPartyCopy: true,
                                      cmdQue: true, vendor: vendor, product: product, revision: "320").encoded()
        let ids = page83([t10(vendor.padding(toLength: 8, withPad: " ", startingAt: 0) + "509f7d73-vg1"),
                          relativePort(1), targetPortGroup(1), eui64(scstEUI64)])
        return Personality(
            name: "no-NAA \(vendor)",
            inquiry: inquiry,
            vpd: [0x00: supported([0x00, 0x80, 0x83, 0x86, 0xB0, 0xB1, 0xB2]),
                  0x80: UnitSerialNumberPage(serialNumber: "509f7d73").encoded(),
                  0x83: ids,
                  0xB0: BlockLimitsPage(maximumTransferLength: 1024).encoded(),
                  0xB2: LogicalBlockProvisioningPage(lbpu: false, lbpws: false, lbprz: 0, provisioningType: 0).encoded()],
            capacity: capacity(blocks: 2_097_152, blockSize: 512),
            rcop: scstRCOP())
    }

    // MARK: (f) malformed 0x83 (JovianDSS: a designator says 8 bytes, 4 follow)

    static let jovianNAA = ProbeTestSupport.hex("6e 8c 74 70 00 00 00 00 61 62 63 64 65 66 67 68")

    /// `pageLengthOverrun`: additionally the page header claims 16 bytes more than are sent.
    static func malformed83(pageLengthOverrun: Bool = false) -> Personality {
        var p = noNAA(vendor: "SCST_BIO", product: "Storage")
        p.name = "malformed 0x83"
        var page = page83([naa(jovianNAA), t10("SCST_BIO" + "jovian-zvol-0001")])
        page += [0x01, 0x02, 0x00, 0x08, 0x35, 0x30, 0x39, 0x66]  // EUI-64 that says 8 bytes, 4 given
        let declared = page.count - 4 + (pageLengthOverrun ? 16 : 0)
        page[2] = UInt8(declared >> 8)
        page[3] = UInt8(declared & 0xFF)
        p.vpd[0x83] = page
        return p
    }

    // MARK: Pure-like (advertises 32 segments, enforces 2)

    static func pureLike(serial: UInt8 = 0x11) -> Personality {
        let inquiry = StandardInquiry(version: 6, normACA: true, hiSup: true, responseDataFormat: 2, sccs: true,
                                      tpgs: 1, thirdPartyCopy: true, multiP: true, cmdQue: true,
                                      vendor: "PURE", product: "FlashArray", revision: "8888").encoded()
        let naaValue = ProbeTestSupport.hex("62 4a 93 70 1d 6d b1 46 17 1d 4e 32 00 01 13") + [serial]
        let rcop = ReceiveCopyOperatingParameters(
            snlid: true, maximumCSCDDescriptorCount: 4, maximumSegmentDescriptorCount: 32,
            maximumDescriptorListLength: 4096, maximumSegmentLength: 16 << 20, maximumInlineDataLength: 0,
            heldDataLimit: 0, maximumStreamDeviceTransferSize: 0, totalConcurrentCopies: 4,
            maximumConcurrentCopies: 4, dataSegmentGranularityLog2: 9, inlineDataGranularityLog2: 0,
            heldDataGranularityLog2: 0, implementedDescriptorTypeCodes: [.blockToBlock, .identification])
        return Personality(
            name: "Pure-like",
            inquiry: inquiry,
            vpd: [0x00: supported([0x00, 0x80, 0x83, 0xB0, 0xB2]),
                  0x80: UnitSerialNumberPage(serialNumber: "1D6DB146171D4E32000113E6").encoded(),
                  0x83: page83([naa(naaValue), relativePort(1), targetPortGroup(0)]),
                  0xB0: BlockLimitsPage(maximumTransferLength: 32768).encoded(),
                  0xB2: LogicalBlockProvisioningPage(lbpu: true, lbpws: true, lbprz: 1, provisioningType: 2).encoded()],
            capacity: capacity(blocks: 2_097_152, blockSize: 512),
            rcop: (try? rcop.encoded()) ?? [])
    }
}

// MARK: - The personalities behave as the reference says

@Suite("Personalities match the reference notes")
struct PersonalityFixtureTests {
    func send(_ device: InMemoryDevice, _ cdb: [UInt8], allocation: Int) async throws -> SCSIResponse {
        try await device.execute(SCSICommand(cdb: cdb, data: .fromDevice(allocationLength: allocation)))
    }

    @Test func lioRCOPIsTheReference46ByteAnswerAndTheEncoderAgrees() throws {
        let lio = Personalities.lioRCOP
        #expect(lio.count == 46)
        #expect(ProbeTestSupport.be32(lio, 0) == 42)
        let p = try ReceiveCopyOperatingParameters(parsing: lio)
        #expect(p.snlid)
        #expect(p.maximumCSCDDescriptorCount == 2)
        #expect(p.maximumSegmentDescriptorCount == 1)
        #expect(p.maximumDescriptorListLength == 1024)
        #expect(p.maximumSegmentLength == 268_435_456)
        #expect(p.totalConcurrentCopies == 1)
        #expect(p.maximumConcurrentCopies == 1)
        #expect([p.dataSegmentGranularityLog2, p.inlineDataGranularityLog2, p.heldDataGranularityLog2] == [9, 9, 9])
        #expect(p.implementedDescriptorTypeCodes == [.blockToBlock, .identification])
        #expect(try p.encoded() == lio)
    }

    @Test func lioAnswersRCOPOnlyFrom54BytesAndRefusesPage8F() async throws {
        let device = Personalities.lio().device()
        let short = try await send(device, ReceiveCopyResults.operatingParameters(allocationLength: 53), allocation: 53)
        #expect(short.status == .checkCondition)
        #expect(short.sense?.additionalSense == .invalidFieldInCDB)
        let ok = try await send(device, ReceiveCopyResults.operatingParameters(allocationLength: 54), allocation: 54)
        #expect(ok.status == .good)
        #expect(ok.data == Personalities.lioRCOP)
        let page8F = try await send(device, CDB.inquiry(page: .thirdPartyCopy, allocationLength: 4096), allocation: 4096)
        #expect(page8F.sense?.key == .illegalRequest)
        #expect(page8F.sense?.additionalSense == .invalidFieldInCDB)
        let standard = try StandardInquiry(parsing: Personalities.lio().inquiry)
        #expect(standard.thirdPartyCopy)
        #expect(Personalities.lio().inquiry.count == 96)
    }

    @Test func lioNAAFollowsTheKernelRecipe() {
        let naa = Personalities.lioNAA(serial: "3f2a1c5e-8b7d-4e21-9a0c-5d6e7f809a1b")
        #expect(naa.count == 16)
        #expect(naa[0] >> 4 == 6)
        // 6 001405 then the first 25 hex digits of the serial.
        #expect(hexString(naa) == "60014053f2a1c5e8b7d4e219a0c5d6e7")
    }

    @Test func tgtRefusesCopyCommandsAsInvalidOpcodeAndHas3PCZero() async throws {
        let device = Personalities.tgt().device()
        let rcop = try await send(device, ReceiveCopyResults.operatingParameters(), allocation: 520)
        #expect(rcop.sense?.additionalSense == .invalidCommandOperationCode)
        let xcopy = try await device.execute(SCSICommand(cdb: [0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
        #expect(xcopy.sense?.additionalSense == .invalidCommandOperationCode)
        let inquiry = Personalities.tgt().inquiry
        #expect(inquiry.count == 66)
        #expect(inquiry[2] == 5 && inquiry[3] == 0x12 && inquiry[5] & 0x08 == 0 && inquiry[7] == 0x02)
    }

    @Test func ctlFixtureIsTheDerivedPageAndRCOP() throws {
        let page = try Personalities.ctlThirdPartyCopyPage()
        #expect(page.count == 380)
        #expect(Array(page.prefix(4)) == [0x00, 0x8F, 0x01, 0x78])
        let rcop = try Personalities.ctlRCOP()
        #expect(rcop.count == 48)
        #expect(ProbeTestSupport.be32(rcop, 0) == 44)
        #expect(Array(rcop.suffix(4)) == [0x02, 0x07, 0x14, 0xE4])
        let inquiry = try Personalities.freebsdCTL().inquiry
        #expect(inquiry[5] == 0x18)
    }

    @Test func qnapRefusesPage8FBelowItsSize() async throws {
        let q = Personalities.qnap()
        let size = try #require(q.vpd[0x8F]).count
        let device = q.device()
        for allocation in [4, size - 1] {
            let r = try await send(device, CDB.inquiry(page: .thirdPartyCopy, allocationLength: UInt16(allocation)), allocation: allocation)
            #expect(r.sense?.additionalSense == .invalidFieldInCDB, "allocation \(allocation)")
        }
        let full = try await send(device, CDB.inquiry(page: .thirdPartyCopy, allocationLength: UInt16(size)), allocation: size)
        #expect(full.status == .good)
        let page = try ThirdPartyCopyPage(parsing: full.data)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001])
    }

    @Test func malformed83FixtureReallyRunsPastThePage() throws {
        let page = try #require(Personalities.malformed83().vpd[0x83])
        // The last designator header says 8 bytes; 4 are left in the page.
        #expect(page[page.count - 5] == 0x08)
        #expect(ProbeTestSupport.be16(page, 2) == page.count - 4)
    }
}
