import SCSIWire

extension SCSIDispatcher {
    /// REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), per LU: the block commands it serves and
    /// the copy handler's service actions.
    ///
    /// - Options 000b: all commands, sorted by operation code and service action.
    /// - 001b: one code without service actions; naming one that has them is an invalid field.
    /// - 010b: one code and service action; naming a code without them is an invalid field.
    /// - 011b (SPC-5): one code, with the service action only if the code has them.
    /// - Other options: invalid field, byte 2. An unsupported command is SUPPORT 001b.
    func reportSupportedOperationCodes(_ request: SCSIRequest, _ unit: LogicalUnit) throws -> SCSIResult {
        let cdb = try ReportSupportedOperationCodesCDB(parsing: request.cdb)
        let timeouts = cdb.returnCommandTimeoutsDescriptor ? CommandTimeoutsDescriptor() : nil
        let operations = supportedOperations(on: unit).map(\.0)
            .sorted { ($0.operationCode, $0.serviceAction ?? 0) < ($1.operationCode, $1.serviceAction ?? 0) }
        let allocation = Int(clamping: cdb.allocationLength)
        guard let options = ReportSupportedOperationCodesCDB.ReportingOptions(rawValue: cdb.reportingOptions) else {
            throw SCSICommandError.invalidFieldInCDB(byte: 2, bit: 2)
        }
        if options == .all {
            let list = SupportedOperationCodesList(commands: operations.map {
                SupportedCommandDescriptor(operationCode: $0.operationCode, serviceAction: $0.serviceAction.map(UInt16.init),
                                           cdbLength: UInt16($0.cdbLength), timeouts: timeouts)
            })
            return .good(list.encoded(), allocationLength: allocation)
        }
        let code = cdb.requestedOperationCode
        let sameCode = operations.filter { $0.operationCode == code }
        let hasServiceActions = sameCode.contains { $0.serviceAction != nil } || Self.codesWithServiceActions.contains(code)
        let match: SupportedOperation?
        switch options {
        case .operationCode:
            guard !hasServiceActions else { throw SCSICommandError.invalidFieldInCDB(byte: 3) }
            match = sameCode.first
        case .operationCodeAndServiceAction:
            guard hasServiceActions else { throw SCSICommandError.invalidFieldInCDB(byte: 3) }
            match = sameCode.first { UInt16($0.serviceAction ?? 0xFF) == cdb.requestedServiceAction }
        default:
            match = hasServiceActions ? sameCode.first { UInt16($0.serviceAction ?? 0xFF) == cdb.requestedServiceAction }
                                      : sameCode.first
        }
        let one = match.map { SupportedOperationCodeOne(support: .supportedStandard, cdbUsageData: $0.usage, timeouts: timeouts) }
            ?? SupportedOperationCodeOne(support: .notSupported, cdbUsageData: [])
        return .good(one.encoded(), allocationLength: allocation)
    }

    /// Operation codes SPC/SBC define with service actions, whether or not this LU serves them.
    static let codesWithServiceActions: Set<UInt8> = [0x83, 0x84, 0x9E, 0x9F, 0xA3, 0xA4, 0x5E, 0x5F, 0x7F]
}
