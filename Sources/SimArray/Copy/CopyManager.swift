import Foundation
import SCSIWire

/// The simulated array's copy manager: EXTENDED COPY(LID1) executed inside the process from one
/// LU's store to another's, RECEIVE COPY STATUS / OPERATING PARAMETERS / FAILURE DETAILS, COPY
/// OPERATION ABORT and VPD 0x8F, all shaped by an `ArrayProfile` (CTL's semantics and sense by
/// default, LIO's, SCST's or QNAP's when the profile says so). POPULATE TOKEN, WRITE USING
/// TOKEN and RECEIVE ROD TOKEN INFORMATION go to the `TokenCopyService`, so both halves share
/// the 83h/84h seam and COPY OPERATION ABORT.
///
/// Install it with `SCSIDispatcher(array:copyHandler:)`; share the `FaultInjector` with the
/// dispatcher and the token manager. Copies run synchronously on the caller's thread, one chunk
/// (`chunkBytes`) in memory at a time; COPY OPERATION ABORT from another thread stops a copy
/// between chunks.
public final class CopyManager: ThirdPartyCopyHandler, @unchecked Sendable {
    public let profile: ArrayProfile
    public let faults: FaultInjector
    public let tokenService: (any TokenCopyService)?
    /// Most bytes one internal read/write moves.
    public let chunkBytes: Int

    let lists: CopyListRegistry

    /// - Parameters:
    ///   - now: the clock for list retention (tests pass their own).
    public init(profile: ArrayProfile, faults: FaultInjector = FaultInjector(), tokenService: (any TokenCopyService)? = nil,
                chunkBytes: Int = 1 << 20, now: @escaping @Sendable () -> Date = { Date() }) {
        self.profile = profile
        self.faults = faults
        self.tokenService = tokenService
        self.chunkBytes = Swift.max(512, chunkBytes)
        self.lists = CopyListRegistry(retentionSeconds: profile.xcopy?.listRetentionSeconds ?? 0, now: now)
    }

    /// The profile's XCOPY part, when there is one.
    var xcopy: ArrayProfile.ExtendedCopy? { profile.xcopy }

    /// ODX needs both the profile's parameters and a token service to run them.
    public var odxAvailable: Bool { profile.odx != nil && tokenService != nil }

    // MARK: - ThirdPartyCopyHandler

    /// What this LU serves, in 0x8F's order: 83h {00 LID1, 10 PT, 11 WUT, 1C ABORT}, 84h {00
    /// RCS, 04 failure details, 03 RCOP, 07 RRTI} (CTL's unsorted 84h order). Nothing when the
    /// LU's 3PC bit is off (LIO's emulate_3pc=0).
    public func supportedCommands(for unit: LogicalUnit) -> [SupportedCopyCommand] {
        guard unit.options.thirdPartyCopy else { return [] }
        var out: [UInt8] = []
        var inn: [UInt8] = []
        if let x = xcopy {
            out.append(CopyOutServiceAction.extendedCopyLID1.rawValue)
            if x.receiveCopyStatus { inn.append(CopyInServiceAction.receiveCopyStatusLID1.rawValue) }
            if x.receiveCopyFailureDetails { inn.append(CopyInServiceAction.receiveCopyFailureDetailsLID1.rawValue) }
            inn.append(CopyInServiceAction.receiveCopyOperatingParameters.rawValue)
        }
        if odxAvailable {
            out += [CopyOutServiceAction.populateToken.rawValue, CopyOutServiceAction.writeUsingToken.rawValue]
            inn.append(CopyInServiceAction.receiveRODTokenInformation.rawValue)
        }
        if xcopy?.copyOperationAbort == true { out.append(CopyOutServiceAction.copyOperationAbort.rawValue) }
        var commands: [SupportedCopyCommand] = []
        if !out.isEmpty { commands.append(SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: out)) }
        if !inn.isEmpty { commands.append(SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: inn)) }
        return commands
    }

    /// Routed whether or not the LU has VPD 0x8F (LIO serves 83h/00 and 84h/03 without one).
    public func supportedOperations(for unit: LogicalUnit) -> [SupportedOperation] {
        supportedCommands(for: unit).flatMap { command in
            command.serviceActions.compactMap {
                SupportedOperation.thirdPartyCopy(operationCode: command.operationCode.rawValue, serviceAction: $0)
            }
        }
    }

    public func execute(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
        guard request.cdb.count >= 2 else { return SCSIResult(error: .invalidFieldInCDBNoPointer, for: request.initiator) }
        let action = request.cdb[1] & 0x1F
        let served = supportedCommands(for: unit).contains {
            $0.operationCode.rawValue == request.cdb[0] && $0.serviceActions.contains(action)
        }
        guard served else { return SCSIResult(error: .invalidFieldInCDB(byte: 1, bit: 4), for: request.initiator) }
        switch (request.cdb[0], action) {
        case (OperationCode.thirdPartyCopyOut.rawValue, CopyOutServiceAction.extendedCopyLID1.rawValue):
            return extendedCopy(request, on: unit, directory: directory)
        case (OperationCode.thirdPartyCopyOut.rawValue, CopyOutServiceAction.populateToken.rawValue):
            return tokenService!.populateToken(request, on: unit, directory: directory)
        case (OperationCode.thirdPartyCopyOut.rawValue, CopyOutServiceAction.writeUsingToken.rawValue):
            return tokenService!.writeUsingToken(request, on: unit, directory: directory)
        case (OperationCode.thirdPartyCopyOut.rawValue, CopyOutServiceAction.copyOperationAbort.rawValue):
            return copyOperationAbort(request, on: unit)
        case (OperationCode.thirdPartyCopyIn.rawValue, CopyInServiceAction.receiveCopyStatusLID1.rawValue):
            return receiveCopyStatus(request, on: unit)
        case (OperationCode.thirdPartyCopyIn.rawValue, CopyInServiceAction.receiveCopyFailureDetailsLID1.rawValue):
            return receiveCopyFailureDetails(request, on: unit)
        case (OperationCode.thirdPartyCopyIn.rawValue, CopyInServiceAction.receiveCopyOperatingParameters.rawValue):
            return receiveCopyOperatingParameters(request)
        case (OperationCode.thirdPartyCopyIn.rawValue, CopyInServiceAction.receiveRODTokenInformation.rawValue):
            return tokenService!.receiveRODTokenInformation(request, on: unit, directory: directory)
        default:
            return SCSIResult(error: .invalidFieldInCDB(byte: 1, bit: 4), for: request.initiator)
        }
    }

    /// Forgets the LU's finished lists and tells the token service (its tokens become invalid).
    /// Host writes reach point-in-time tokens through here (copy-on-write of what they hold).
    public func willModify(_ unit: LogicalUnit, lba: UInt64, count: UInt64) {
        tokenService?.willModify(unit, lba: lba, count: count)
    }

    public func logicalUnitRemoved(_ unit: LogicalUnit) {
        lists.removeAll(for: ObjectIdentifier(unit))
        tokenService?.logicalUnitRemoved(unit)
    }

    func listKey(_ request: SCSIRequest, _ unit: LogicalUnit, _ id: UInt32) -> CopyListRegistry.Key {
        CopyListRegistry.Key(nexus: request.initiator.nexus, unit: ObjectIdentifier(unit), listIdentifier: id)
    }
}
