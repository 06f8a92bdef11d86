import Foundation
import OffloadProbe
import SCSITransport
import SCSIWire
import Testing

/// The prober against each personality: verdicts, limits, what it asked and how it fails.
@Suite("Prober")
struct ProberTests {
    let knowledge: HardwareKnowledge
    init() throws { knowledge = try ProbeTestSupport.knowledge() }

    func probe(_ p: Personality, at url: String = "iscsi://192.0.2.10/iqn.2003-01.org.linux-iscsi.test:t1/0") async throws -> (DeviceReport, InMemoryDevice) {
        let device = p.device(at: url)
        let report = try await Prober(knowledge: knowledge).probe(device)
        return (report, device)
    }

    /// INQUIRY commands for a VPD page the prober sent.
    func vpdRequests(_ device: InMemoryDevice, page: UInt8) -> [SCSICommand] {
        device.commands.filter { $0.cdb.count >= 6 && $0.cdb[0] == 0x12 && $0.cdb[1] & 1 == 1 && $0.cdb[2] == page }
    }

    func rcopRequests(_ device: InMemoryDevice) -> [SCSICommand] {
        device.commands.filter { $0.cdb.count >= 16 && $0.cdb[0] == 0x84 && $0.cdb[1] & 0x1F == 0x03 }
    }

    func allocation(_ c: SCSICommand) -> Int? {
        if case let .fromDevice(n) = c.data { return n }
        return nil
    }

    func refusalSense<V>(_ outcome: CommandOutcome<V>) -> SenseData? {
        if case let .refused(_, sense) = outcome { return sense }
        return nil
    }

    // MARK: LIO

    @Test func lioXCOPYWithRCOPLimitsNoODXNo8F() async throws {
        let (r, device) = try await probe(Personalities.lio())
        #expect(r.inquiry.vendor == "LIO-ORG")
        #expect(r.inquiry.product == "IBLOCK")
        #expect(r.family?.family == "lio")
        #expect(r.capacity.blockLength == 512)

        let x = r.xcopyVerdict
        #expect(x.supported, "\(x.reason)")
        #expect(x.reason.contains("3PC=1"))
        #expect(x.reason.contains("RECEIVE COPY OPERATING PARAMETERS answered"))
        let l = r.xcopyLimits
        #expect(l.maxCSCDDescriptors == 2)
        #expect(l.maxSegmentDescriptors == 1)
        #expect(l.maxDescriptorListLength == 1024)
        #expect(l.maxSegmentLength == 268_435_456)
        #expect(l.maxConcurrentCopies == 1)
        #expect(l.totalConcurrentCopies == 1)
        #expect(l.dataSegmentGranularityLog2 == 9)
        #expect(l.implementedDescriptors == [0x02, 0xE4])
        #expect(l.source == "RECEIVE COPY OPERATING PARAMETERS")

        let o = r.odxVerdict
        #expect(!o.supported)
        #expect(o.reason.contains("0x8F"))

        // 0x8F is not in LIO's VPD 0x00, so it is absent and was never asked for.
        #expect(r.thirdPartyCopy.value == nil)
        guard case .notAsked = r.thirdPartyCopy else {
            Issue.record("0x8F should be 'not asked' on LIO, got \(String(describing: r.thirdPartyCopy.absenceReason))")
            return
        }
        #expect(vpdRequests(device, page: 0x8F).isEmpty)

        // The CSCD designator is LIO's 16-byte NAA-6.
        let d = try #require(r.copyDesignator)
        #expect(d.type == .naa)
        #expect(d.value == Personalities.lioNAA(serial: "3f2a1c5e-8b7d-4e21-9a0c-5d6e7f809a1b"))
        #expect(d.naaType == 6)
        #expect(r.designators.count == 5)
    }

    @Test func lio4096ByteLU() async throws {
        let (r, _) = try await probe(Personalities.lio(blockSize: 4096, blocks: 262_144))
        #expect(r.capacity.blockLength == 4096)
        #expect(r.capacity.blockCount == 262_144)
        #expect(r.xcopyVerdict.supported)
        #expect(r.xcopyLimits.maxSegmentDescriptors == 1)
        #expect(!r.odxVerdict.supported)
    }

    @Test func rcopIsAskedWithAtLeast54Bytes() async throws {
        let (r, device) = try await probe(Personalities.lio())
        let requests = rcopRequests(device)
        #expect(requests.count == 1)
        for c in requests {
            #expect(ProbeTestSupport.be32(c.cdb, 10) >= 54, "CDB ALLOCATION LENGTH")
            #expect((allocation(c) ?? 0) >= 54, "data-in allocation")
            #expect(c.cdb[2] == 0, "LIO refuses a non-zero list identifier")
        }
        #expect(r.operatingParameters.value != nil, "LIO answered, so the prober must have the RCOP data")
    }

    @Test func lioWithVPD00RefusedStillAsks8FAndRecordsTheRefusal() async throws {
        var p = Personalities.lio()
        p.vpdRefusals[0x00] = .invalidFieldInCDB
        let (r, device) = try await probe(p)
        #expect(vpdRequests(device, page: 0x8F).count == 1)
        #expect(refusalSense(r.thirdPartyCopy)?.additionalSense == .invalidFieldInCDB)
        #expect(r.xcopyVerdict.supported)
        #expect(r.xcopyVerdict.reason.contains("VPD 0x8F absent"))
        #expect(r.copyDesignator?.type == .naa)
    }

    // MARK: tgt

    @Test func tgtNeitherMethodAnd3PCZeroIsTheReason() async throws {
        let (r, device) = try await probe(Personalities.tgt())
        #expect(r.family?.family == "tgt")
        #expect(!r.inquiry.thirdPartyCopy)
        let x = r.xcopyVerdict
        #expect(!x.supported)
        #expect(x.reason.contains("3PC=0"))
        #expect(!r.odxVerdict.supported)
        // RCOP is still asked, and the invalid-opcode refusal is kept for the report.
        #expect(rcopRequests(device).count == 1)
        #expect(refusalSense(r.operatingParameters)?.additionalSense == .invalidCommandOperationCode)
        #expect(r.xcopyLimits.maxSegmentDescriptors == nil)
        // VPD pages tgt lists are read; the ones it lacks are not asked.
        #expect(r.blockLimits.value != nil)
        #expect(r.provisioning.value != nil)
        #expect(vpdRequests(device, page: 0x8F).isEmpty)
    }

    // MARK: FreeBSD CTL

    @Test func ctlBothMethodsFromTheFullPage() async throws {
        let (r, device) = try await probe(try Personalities.freebsdCTL())
        #expect(r.family?.family == "freebsd-ctl")
        #expect(r.inquiry.tpgs == 1)
        let page = try #require(r.thirdPartyCopy.value)
        #expect(page.problems.isEmpty)
        #expect(page.descriptors.map(\.typeCode) == [0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x0106, 0x0108, 0x8001])

        let x = r.xcopyVerdict
        #expect(x.supported, "\(x.reason)")
        let l = r.xcopyLimits
        #expect(l.maxCSCDDescriptors == 64)
        #expect(l.maxSegmentDescriptors == 64)
        #expect(l.maxDescriptorListLength == 8192)
        #expect(l.maxSegmentLength == nil, "CTL reports 0 = not reported")
        #expect(l.maxConcurrentCopies == 255)
        #expect(l.implementedDescriptors == [0x02, 0x07, 0x14, 0xE4])
        #expect(l.source == "RECEIVE COPY OPERATING PARAMETERS + VPD 0x8F")

        let o = r.odxVerdict
        #expect(o.supported, "\(o.reason)")
        #expect(o.reason.contains("access upon reference"))
        #expect(page.blockDeviceRODLimits?.maximumRangeDescriptors == 64)
        #expect(page.blockDeviceRODLimits?.defaultInactivityTimeout == 60)
        #expect(page.blockDeviceRODLimits?.maximumInactivityTimeout == 600)

        let asked = vpdRequests(device, page: 0x8F)
        #expect(asked.count == 1)
        for c in asked {
            #expect(ProbeTestSupport.be16(c.cdb, 3) >= 4096)
            #expect((allocation(c) ?? 0) >= 4096)
        }
    }

    /// CTL's T10 designator is vendor (8) + a device id of at least 16 bytes: too long for the
    /// 20-byte designator field of an 0xE4 CSCD, so a LUN without the naa (or eui) option
    /// cannot be named at all.
    @Test func ctlWithoutNAAHasNoUsableDesignator() async throws {
        let (r, _) = try await probe(try Personalities.freebsdCTL(naaValue: nil))
        #expect(r.designators.contains { $0.type == .t10VendorID && $0.value.count > 20 })
        #expect(r.copyDesignator == nil)
        let x = r.xcopyVerdict
        #expect(!x.supported)
        #expect(x.reason.contains("at most 20 bytes"), "\(x.reason)")
        #expect(r.odxVerdict.supported, "ODX needs no CSCD")
    }

    @Test func ctlWithAnEUIOptionIsAddressedByEUI64() async throws {
        var p = try Personalities.freebsdCTL(naaValue: nil)
        p.vpd[0x83] = Personalities.page83([Personalities.t10("FREEBSD CTLDISK MYDEVID0"),
                                            Personalities.eui64([0x00, 0x11, 0x22, 0xFF, 0xFE, 0x33, 0x44, 0x55])])
        let (r, _) = try await probe(p)
        #expect(r.copyDesignator?.type == .eui64)
        #expect(r.xcopyVerdict.supported, "CTL accepts EUI-64: \(r.xcopyVerdict.reason)")
    }

    // MARK: QNAP

    @Test func qnapODXAndXCOPYDecidedWithoutParameterData() async throws {
        let (r, device) = try await probe(Personalities.qnap())
        #expect(r.family == nil)
        let page = try #require(r.thirdPartyCopy.value, "the prober must ask 0x8F with the whole page: \(r.thirdPartyCopy.absenceReason ?? "")")
        #expect(page.parameterData == nil)
        #expect(page.supportedDescriptorCodes == nil)
        #expect(r.odxVerdict.supported, "\(r.odxVerdict.reason)")
        #expect(r.xcopyVerdict.supported, "\(r.xcopyVerdict.reason)")
        #expect(r.xcopyLimits.maxSegmentDescriptors == 1, "limits come from RCOP")
        let asked = vpdRequests(device, page: 0x8F)
        #expect(asked.count == 1)
        for c in asked {
            #expect(ProbeTestSupport.be16(c.cdb, 3) >= 4096)
            #expect((allocation(c) ?? 0) >= 4096)
        }
    }

    @Test func qnapWithRCOPRefusedDecidesXCOPYFromSupportedCommandsAnd3PC() async throws {
        let (r, _) = try await probe(Personalities.qnap(rcop: nil))
        #expect(refusalSense(r.operatingParameters)?.additionalSense == .invalidFieldInCDB)
        let x = r.xcopyVerdict
        #expect(x.supported, "\(x.reason)")
        #expect(x.reason.contains("VPD 0x8F present"))
        let l = r.xcopyLimits
        #expect(l.maxCSCDDescriptors == nil && l.maxSegmentDescriptors == nil && l.maxDescriptorListLength == nil)
        #expect(l.maxSegmentLength == nil && l.maxConcurrentCopies == nil)
        #expect(r.odxVerdict.supported)
    }

    @Test func supportedCommandsWithoutLID1RulesXCOPYOut() async throws {
        var p = Personalities.qnap(rcop: nil)
        p.vpd[0x8F] = ThirdPartyCopyPage(descriptors: [
            .blockDeviceRODLimits(BlockDeviceRODLimits(maximumRangeDescriptors: 8, maximumInactivityTimeout: 32,
                                                       defaultInactivityTimeout: 30, maximumTokenTransferSize: 1 << 20,
                                                       optimalTransferCount: 1 << 20)),
            .supportedCommands([SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x10, 0x11]),
                                SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x07])]),
        ]).encoded()
        p.vpdMinimumAllocation[0x8F] = p.vpd[0x8F]!.count
        let (r, _) = try await probe(p)
        #expect(!r.xcopyVerdict.supported)
        #expect(r.xcopyVerdict.reason.contains("83h/00h"))
        #expect(r.odxVerdict.supported)
    }

    // MARK: LU without NAA

    @Test func noNAALUIsAddressedByEUI64() async throws {
        let (r, _) = try await probe(Personalities.noNAA())
        #expect(r.family?.family == "scst")
        #expect(!r.designators.contains { $0.type == .naa })
        let d = try #require(r.copyDesignator)
        #expect(d.type == .eui64)
        #expect(d.value == Personalities.scstEUI64)
        let x = r.xcopyVerdict
        #expect(x.supported, "\(x.reason)")
        #expect(x.reason.contains("EUI-64"))
        #expect(r.xcopyLimits.maxSegmentDescriptors == 143)
        #expect(r.xcopyLimits.dataSegmentGranularityLog2 == 16)
    }

    @Test func noNAALUIsUsableWithoutKnowledge() async throws {
        let device = Personalities.noNAA(vendor: "ACME", product: "Unknown").device()
        let r = try await Prober(knowledge: .empty).probe(device)
        #expect(r.family == nil)
        #expect(r.xcopyVerdict.supported)
        #expect(r.copyDesignator?.type == .eui64)
    }

    @Test func noNAALUOfANAAOnlyFamilyIsRefused() async throws {
        let (r, _) = try await probe(Personalities.noNAA(vendor: "LIO-ORG", product: "IBLOCK"))
        #expect(r.family?.family == "lio")
        let x = r.xcopyVerdict
        #expect(!x.supported)
        #expect(x.reason.contains("accepts only naa"), "\(x.reason)")
        #expect(x.reason.contains("EUI-64"))
    }

    // MARK: malformed 0x83

    @Test(arguments: [false, true])
    func malformed83KeepsDesignatorsBeforeTheBadOne(pageLengthOverrun: Bool) async throws {
        let (r, _) = try await probe(Personalities.malformed83(pageLengthOverrun: pageLengthOverrun))
        let page = try #require(r.deviceIdentification.value, "a malformed designator must not lose the page")
        #expect(page.designators.map(\.type) == [.naa, .t10VendorID])
        #expect(page.problems.contains { $0.contains("8 bytes") && $0.contains("4 remain") }, "\(page.problems)")
        if pageLengthOverrun {
            #expect(page.problems.contains { $0.contains("page length") }, "\(page.problems)")
        }
        #expect(r.copyDesignator?.value == Personalities.jovianNAA)
        #expect(r.xcopyVerdict.supported)
    }

    // MARK: failures

    @Test func refusedInquiryIsADeviceError() async throws {
        var p = Personalities.lio()
        p.inquiryRefusal = ProbeTestSupport.sense(.hardwareError, AdditionalSense(code: 0x44, qualifier: 0x00))
        do {
            _ = try await probe(p)
            Issue.record("probe succeeded although INQUIRY was refused")
        } catch let ProbeError.deviceError(command, status, sense) {
            #expect(command == "INQUIRY")
            #expect(status == .checkCondition)
            #expect(sense?.key == .hardwareError)
        }
    }

    @Test func refusedReadCapacityIsADeviceError() async throws {
        var p = Personalities.lio()
        p.readCapacityRefusal = ProbeTestSupport.sense(.notReady, .logicalUnitNotReadyCauseNotReportable)
        do {
            _ = try await probe(p)
            Issue.record("probe succeeded although READ CAPACITY was refused")
        } catch let ProbeError.deviceError(command, status, sense) {
            #expect(command == "READ CAPACITY(16)")
            #expect(status == .checkCondition)
            #expect(sense?.key == .notReady)
        }
    }

    @Test(arguments: [1, 2])
    func unitAttentionOnReadCapacityIsRetried(unitAttentions: Int) async throws {
        var p = Personalities.lio()
        p.unitAttentionsBeforeCapacity = unitAttentions
        let (r, device) = try await probe(p)
        #expect(r.capacity.blockCount == 2_097_152)
        let readCapacities = device.commands.filter { $0.cdb.first == 0x9E }
        #expect(readCapacities.count == unitAttentions + 1)
    }

    @Test("BUSY and TASK SET FULL on the copy pages are asked again: the verdict rests on the answers, not on the load")
    func notRunAnswersOnCopyPagesAreAskedAgain() async throws {
        let p = Personalities.lio()
        let state = PersonalityState(unitAttentions: 0)
        let busyLeft = Counter(2), fullLeft = Counter(1)
        let device = InMemoryDevice(address: p.device().address) { command in
            let cdb = command.cdb
            if cdb.count >= 6, cdb[0] == 0x12, cdb[1] & 1 == 1, cdb[2] == 0xB0, busyLeft.take() { return SCSIResponse(status: .busy) }
            if cdb.first == 0x84, fullLeft.take() { return SCSIResponse(status: .taskSetFull) }
            return p.respond(to: command, state: state)
        }
        let r = try await Prober(knowledge: knowledge).probe(device)
        #expect(r.xcopyVerdict.supported, "\(r.xcopyVerdict.reason)")
        #expect(r.blockLimits.value != nil)
        #expect(r.operatingParameters.value != nil)
        #expect(vpdRequests(device, page: 0xB0).count == 3)
        #expect(rcopRequests(device).count == 2)
    }

    @Test func unitAttentionsWithoutEndAreADeviceError() async throws {
        var p = Personalities.lio()
        p.unitAttentionsBeforeCapacity = 100
        do {
            // Unit attentions are answered again until the command's deadline: 2 s here.
            _ = try await Prober(knowledge: knowledge, timeout: .seconds(2)).probe(p.device())
            Issue.record("probe succeeded although READ CAPACITY never answered")
        } catch let ProbeError.deviceError(command, _, sense) {
            #expect(command == "READ CAPACITY(16)")
            #expect(sense?.key == .unitAttention)
        }
    }

    @Test func nonBlockPeripheralDeviceTypeIsRejected() async throws {
        do {
            _ = try await probe(Personalities.tgtController(), at: "iscsi://192.0.2.20/iqn.2024-01.test.tgt:disk0/0")
            Issue.record("probe of tgt's controller LU succeeded")
        } catch let ProbeError.notABlockDevice(pdt) {
            #expect(pdt == 0x0C)
        }
    }

    @Test func peripheralQualifierOneIsNoLogicalUnit() async throws {
        var p = Personalities.pureLike()
        p.inquiry[0] = 0x20  // PQ=1, PDT=0: Pure's unavailable ALUA path, still 3PC=1
        do {
            _ = try await probe(p)
            Issue.record("probe through a PQ=1 path succeeded")
        } catch let ProbeError.noLogicalUnit(pq) {
            #expect(pq == 1)
        }
    }

    @Test func shortInquiryIsAMalformedAnswer() async throws {
        var p = Personalities.lio()
        p.inquiry = Array(p.inquiry.prefix(20))
        do {
            _ = try await probe(p)
            Issue.record("a 20-byte standard INQUIRY was accepted")
        } catch let ProbeError.malformedAnswer(command, _) {
            #expect(command == "INQUIRY")
        }
    }

    @Test func zeroBlockLengthIsAMalformedAnswer() async throws {
        var p = Personalities.lio()
        var data = p.capacity.encoded()
        data[8] = 0; data[9] = 0; data[10] = 0; data[11] = 0
        p.capacityOverride = data
        do {
            _ = try await probe(p)
            Issue.record("READ CAPACITY with block length 0 was accepted")
        } catch let ProbeError.malformedAnswer(command, _) {
            #expect(command == "READ CAPACITY(16)")
        }
    }

    @Test func transportErrorsPassThrough() async throws {
        let device = InMemoryDevice { _ in throw TransportError.connectionLost("memory", reason: "cable pulled") }
        do {
            _ = try await Prober().probe(device)
            Issue.record("probe succeeded on a dead device")
        } catch let e as TransportError {
            #expect(e == .connectionLost("memory", reason: "cable pulled"))
        }
    }
}

/// A countdown shared with a device's responder.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    init(_ n: Int) { left = n }
    /// True while the count lasts.
    func take() -> Bool { lock.withLock { guard left > 0 else { return false }; left -= 1; return true } }
}
