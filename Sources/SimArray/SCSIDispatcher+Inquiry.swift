import SCSIWire

extension SCSIDispatcher {
    /// INQUIRY (SPC-4 6.6): standard data, or a VPD page when EVPD is set. PAGE CODE must be 0
    /// without EVPD, and a page the LU lacks is an invalid field; both point at byte 2.
    func inquiry(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try InquiryCDB(parsing: request.cdb)
        let allocation = Int(cdb.allocationLength)
        guard cdb.evpd else {
            guard cdb.pageCode == 0 else { throw SCSICommandError.invalidFieldInCDB(byte: 2) }
            return .good(unit.standardInquiry().encoded(), allocationLength: allocation)
        }
        guard let page = vpdPage(cdb.pageCode, unit, request.initiator) else {
            throw SCSICommandError.invalidFieldInCDB(byte: 2)
        }
        if cdb.pageCode == VPDPageCode.thirdPartyCopy.rawValue,
           let minimum = copyHandler?.minimumThirdPartyCopyPageAllocationLength(for: unit), allocation < minimum {
            // QNAP: the whole page or nothing (even a 4-byte header probe is refused).
            throw SCSICommandError.invalidFieldInCDB(byte: 3)
        }
        return .good(page, allocationLength: allocation)
    }

    /// INQUIRY for a LUN with no LU behind it: standard data says PERIPHERAL QUALIFIER 011b,
    /// DEVICE TYPE 1Fh ("no LU here"); VPD pages are not available.
    func inquiryWithoutUnit(_ request: SCSIRequest) throws -> SCSIResult {
        let cdb = try InquiryCDB(parsing: request.cdb)
        guard !cdb.evpd else { throw SCSICommandError.logicalUnitNotSupported }
        guard cdb.pageCode == 0 else { throw SCSICommandError.invalidFieldInCDB(byte: 2) }
        let none = StandardInquiry(peripheralQualifier: 3, peripheralDeviceType: 0x1F, vendor: "", product: "", revision: "")
        return .good(none.encoded(), allocationLength: Int(cdb.allocationLength))
    }

    /// The VPD pages `unit` has, ascending (libiscsi checks the order), 0x00 first.
    func vpdPageCodes(_ unit: LogicalUnit) -> [UInt8] {
        unit.options.configuredVPDPages.filter { code in
            switch code {
            case 0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2: return true
            case 0x8F: return copyHandler?.thirdPartyCopyPage(for: unit) != nil
            default: return false
            }
        }
    }

    func vpdPage(_ code: UInt8, _ unit: LogicalUnit, _ initiator: InitiatorContext) -> [UInt8]? {
        let codes = vpdPageCodes(unit)
        guard codes.contains(code) else { return nil }
        switch code {
        case 0x00:
            return SupportedVPDPages(pages: codes.map(VPDPageCode.init(rawValue:))).encoded()
        case 0x80:
            return UnitSerialNumberPage(serialNumber: unit.identity.unitSerial).encoded()
        case 0x83:
            return unit.deviceIdentificationPage(portDesignators: initiator.portDesignators)
        case 0x8F:
            return copyHandler?.thirdPartyCopyPage(for: unit)?.encoded()
        case 0xB0:
            return unit.blockLimits().encoded()
        case 0xB1:
            return unit.blockDeviceCharacteristics().encoded()
        case 0xB2:
            return unit.logicalBlockProvisioning().encoded()
        default:
            return nil
        }
    }
}
