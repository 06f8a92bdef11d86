import SCSITransport
import SCSIWire

/// Asks one LUN everything that bears on copy offload, in an order and with allocation
/// lengths real targets tolerate (see Hardware/arrays and the reference notes).
public struct Prober: Sendable {
    public var knowledge: HardwareKnowledge
    public var timeout: Duration

    /// QNAP rejects 0x8F unless the whole page fits; CTL's page is 380 bytes. 4096 covers all.
    public static let thirdPartyCopyAllocation = 4096
    /// LIO rejects RECEIVE COPY OPERATING PARAMETERS below 54 bytes; sg_copy_results uses 520.
    public static let operatingParametersAllocation = 520

    public init(knowledge: HardwareKnowledge = .empty, timeout: Duration = .seconds(30)) {
        self.knowledge = knowledge
        self.timeout = timeout
    }

    public func probe(_ device: some SCSIDevice) async throws -> DeviceReport {
        // Standard INQUIRY and capacity are mandatory; without them there is nothing to report.
        let inquiry: StandardInquiry
        switch try await device.ask(CDB.inquiry(allocationLength: 255), allocation: 255, timeout: timeout, parse: StandardInquiry.init(parsing:)) {
        case let .answered(v): inquiry = v
        case let .refused(status, sense): throw ProbeError.deviceError(command: "INQUIRY", status: status, sense: sense)
        case let .malformed(why): throw ProbeError.malformedAnswer(command: "INQUIRY", error: .invalidField(what: "standard INQUIRY", detail: why))
        case .notAsked: fatalError("unreachable")
        }
        guard inquiry.peripheralQualifier == 0 else { throw ProbeError.noLogicalUnit(peripheralQualifier: inquiry.peripheralQualifier) }
        guard inquiry.peripheralDeviceType == 0 else { throw ProbeError.notABlockDevice(peripheralDeviceType: inquiry.peripheralDeviceType) }

        let capacity = try await readCapacity(device)

        let supported = try await vpd(device, .supportedPages, listed: nil, allocation: 255, SupportedVPDPages.init(parsing:))
        let listed = supported.value.map { Set($0.pages) }
        func pageOutcome<V: Sendable>(_ code: VPDPageCode, allocation: Int, _ parse: @escaping ([UInt8]) throws -> V) async throws -> CommandOutcome<V> {
            try await vpd(device, code, listed: listed, allocation: allocation, parse)
        }
        let serial = try await pageOutcome(.unitSerialNumber, allocation: 255, UnitSerialNumberPage.init(parsing:))
        let ids = try await pageOutcome(.deviceIdentification, allocation: 4096, DeviceIdentificationPage.init(parsing:))
        let tpc = try await pageOutcome(.thirdPartyCopy, allocation: Self.thirdPartyCopyAllocation, ThirdPartyCopyPage.init(parsing:))
        let limits = try await pageOutcome(.blockLimits, allocation: 255, BlockLimitsPage.init(parsing:))
        let lbp = try await pageOutcome(.logicalBlockProvisioning, allocation: 255, LogicalBlockProvisioningPage.init(parsing:))

        // RCOP is asked even with 3PC=0: the refusal itself is part of the diagnosis.
        let rcopCDB = try ReceiveCopyResults(serviceAction: .receiveCopyOperatingParameters,
                                             allocationLength: UInt32(Self.operatingParametersAllocation)).encoded()
        let rcop = try await device.ask(rcopCDB, allocation: Self.operatingParametersAllocation, timeout: timeout,
                                        parse: ReceiveCopyOperatingParameters.init(parsing:))

        return DeviceReport(address: device.address, inquiry: inquiry, supportedPages: supported, unitSerial: serial,
                            deviceIdentification: ids, thirdPartyCopy: tpc, blockLimits: limits, provisioning: lbp,
                            capacity: capacity, operatingParameters: rcop,
                            family: knowledge.family(vendor: inquiry.vendor, product: inquiry.product))
    }

    private func readCapacity(_ device: some SCSIDevice) async throws -> ReadCapacity16Data {
        let r = try await device.executeUntilRun(SCSICommand(cdb: CDB.readCapacity16(), data: .fromDevice(allocationLength: 32), timeout: timeout))
        guard r.status == .good else { throw ProbeError.deviceError(command: "READ CAPACITY(16)", status: r.status, sense: r.sense) }
        do { return try ReadCapacity16Data(parsing: r.data) } catch let e as WireError {
            throw ProbeError.malformedAnswer(command: "READ CAPACITY(16)", error: e)
        }
    }

    private func vpd<V: Sendable>(_ device: some SCSIDevice, _ code: VPDPageCode, listed: Set<VPDPageCode>?, allocation: Int,
                                  _ parse: @escaping ([UInt8]) throws -> V) async throws -> CommandOutcome<V> {
        if let listed, code != .supportedPages, !listed.contains(code) {
            return .notAsked("not listed in VPD page 0x00")
        }
        return try await device.ask(CDB.inquiry(page: code, allocationLength: UInt16(allocation)), allocation: allocation,
                                    timeout: timeout, parse: parse)
    }
}
