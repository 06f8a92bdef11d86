import SCSIWire

/// The commands the dispatcher itself serves, with their CDB usage data. The usage data is what
/// REPORT SUPPORTED OPERATION CODES reports and what `SupportedOperation.firstUnusedBit` checks:
/// RDPROTECT/WRPROTECT, ANCHOR, NACA and other bits this target does not implement are left out,
/// so setting them gets INVALID FIELD IN CDB at that bit (what libiscsi's *Protect tests expect).
enum BlockCommand: CaseIterable, Sendable {
    case testUnitReady, requestSense, inquiry, modeSense6, readCapacity10, read10, write10,
         synchronizeCache10, unmap, modeSense10, read16, write16, synchronizeCache16, writeSame16,
         readCapacity16, getLBAStatus, reportLuns, reportSupportedOperationCodes

    var operationCode: UInt8 {
        switch self {
        case .testUnitReady: return 0x00
        case .requestSense: return 0x03
        case .inquiry: return 0x12
        case .modeSense6: return 0x1A
        case .readCapacity10: return 0x25
        case .read10: return 0x28
        case .write10: return 0x2A
        case .synchronizeCache10: return 0x35
        case .unmap: return 0x42
        case .modeSense10: return 0x5A
        case .read16: return 0x88
        case .write16: return 0x8A
        case .synchronizeCache16: return 0x91
        case .writeSame16: return 0x93
        case .readCapacity16, .getLBAStatus: return 0x9E
        case .reportLuns: return 0xA0
        case .reportSupportedOperationCodes: return 0xA3
        }
    }

    /// The commands sharing each operation code, for routing without building every usage mask.
    static let byOperationCode: [UInt8: [BlockCommand]] = Dictionary(grouping: allCases, by: \.operationCode)

    /// Served even for a LUN that does not exist (SPC-4 4.6.4 / SAM-5).
    var servedWithoutLogicalUnit: Bool {
        switch self {
        case .inquiry, .reportLuns, .requestSense: return true
        default: return false
        }
    }

    /// Not held up by a pending unit attention (SAM-5 5.14).
    var bypassesUnitAttention: Bool { servedWithoutLogicalUnit }

    /// Whether `unit` serves the command at all (UNMAP only on thin LUs).
    func isAvailable(on unit: LogicalUnit?) -> Bool {
        switch self {
        case .unmap: return unit?.options.thinProvisioned ?? false
        default: return true
        }
    }

    /// The CDB usage for this command on `unit`.
    func operation(on unit: LogicalUnit?) -> SupportedOperation {
        let ff: UInt8 = 0xFF
        switch self {
        case .testUnitReady:
            return SupportedOperation(operationCode: 0x00, usage: [0x00, 0, 0, 0, 0, 0])
        case .requestSense:
            return SupportedOperation(operationCode: 0x03, usage: [0x03, 0x01, 0, 0, ff, 0])
        case .inquiry:
            return SupportedOperation(operationCode: 0x12, usage: [0x12, 0x01, ff, ff, ff, 0])
        case .modeSense6:
            return SupportedOperation(operationCode: 0x1A, usage: [0x1A, 0x08, ff, ff, ff, 0])
        case .readCapacity10:
            return SupportedOperation(operationCode: 0x25, usage: [0x25, 0, ff, ff, ff, ff, 0, 0, 0x01, 0])
        case .read10:
            return SupportedOperation(operationCode: 0x28, usage: [0x28, 0x18, ff, ff, ff, ff, 0x1F, ff, ff, 0])
        case .write10:
            return SupportedOperation(operationCode: 0x2A, usage: [0x2A, 0x18, ff, ff, ff, ff, 0x1F, ff, ff, 0])
        case .synchronizeCache10:
            return SupportedOperation(operationCode: 0x35, usage: [0x35, 0x02, ff, ff, ff, ff, 0x1F, ff, ff, 0])
        case .unmap:
            return SupportedOperation(operationCode: 0x42, usage: [0x42, 0, 0, 0, 0, 0, 0x1F, ff, ff, 0])
        case .modeSense10:
            return SupportedOperation(operationCode: 0x5A, usage: [0x5A, 0x18, ff, ff, 0, 0, 0, ff, ff, 0])
        case .read16:
            return SupportedOperation(operationCode: 0x88, usage: [0x88, 0x18] + [UInt8](repeating: ff, count: 12) + [0x3F, 0])
        case .write16:
            return SupportedOperation(operationCode: 0x8A, usage: [0x8A, 0x18] + [UInt8](repeating: ff, count: 12) + [0x3F, 0])
        case .synchronizeCache16:
            return SupportedOperation(operationCode: 0x91, usage: [0x91, 0x02] + [UInt8](repeating: ff, count: 12) + [0x1F, 0])
        case .writeSame16:
            // UNMAP only where unmapping exists; NDOB always (it just means "zeros").
            let thin = unit?.options.thinProvisioned ?? false
            return SupportedOperation(operationCode: 0x93, usage: [0x93, thin ? 0x09 : 0x01]
                                      + [UInt8](repeating: ff, count: 12) + [0x3F, 0])
        case .readCapacity16:
            return SupportedOperation(operationCode: 0x9E, serviceAction: 0x10,
                                      usage: [0x9E, 0x10] + [UInt8](repeating: ff, count: 12) + [0x01, 0])
        case .getLBAStatus:
            return SupportedOperation(operationCode: 0x9E, serviceAction: 0x12,
                                      usage: [0x9E, 0x12] + [UInt8](repeating: ff, count: 12) + [0, 0])
        case .reportLuns:
            return SupportedOperation(operationCode: 0xA0, usage: [0xA0, 0, ff, 0, 0, 0, ff, ff, ff, ff, 0, 0])
        case .reportSupportedOperationCodes:
            return SupportedOperation(operationCode: 0xA3, serviceAction: 0x0C,
                                      usage: [0xA3, 0x0C, 0x87, ff, ff, ff, ff, ff, ff, ff, 0, 0])
        }
    }
}
