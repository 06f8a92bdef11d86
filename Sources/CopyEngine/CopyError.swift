import SCSITransport
import SCSIWire

/// Why a copy (or part of one) failed, classified by what the caller should do about it.
/// Engines throw this with `completedBlocks` set, so whoever runs them can resume exactly
/// where the array stopped instead of copying (or trusting) anything twice.
public struct CopyError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// This method cannot work for this pair (unsupported, unreachable copy target, block
        /// sizes it cannot bridge, a token type it refuses): fall back, do not retry.
        case permanent
        /// Might work if tried again (BUSY, TASK SET FULL, operation in progress, insufficient
        /// resources, unit attention, expired token).
        case transient
        /// The destination does not hold what the source holds although the array said GOOD.
        case data
        /// The array is out of space (27/07, 55/xx on writes): no method will do better.
        case space
        /// The user (or a deadline) stopped the copy.
        case cancelled
        /// No SCSI answer: the session or device failed.
        case transport
        /// Bad input that no method can fix (ranges past the end, destination too small).
        case invalid
    }

    /// Why a copy was refused before anything was sent (kind `.invalid`).
    public enum Refusal: String, Sendable {
        case sameLogicalUnit, destinationTooSmall, blockSizeMismatch, badRange
    }

    public var kind: Kind
    public var refusal: Refusal?
    public var method: CopyMethod?
    public var message: String
    public var sense: SenseData?
    /// Blocks of the extent being copied that are known to be done (from the start).
    public var completedBlocks: UInt64
    /// The offloaded commands (or the parts of them) that copied blocks inside that prefix,
    /// so the job can check the first and last block of each before trusting it.
    public var completedCommands: [CopyExtent] = []

    public init(_ kind: Kind, method: CopyMethod? = nil, _ message: String, sense: SenseData? = nil, completedBlocks: UInt64 = 0) {
        self.kind = kind
        self.refusal = nil
        self.method = method
        self.message = message
        self.sense = sense
        self.completedBlocks = completedBlocks
    }

    /// A refusal before anything was sent.
    public static func refused(_ why: Refusal, _ message: String) -> CopyError {
        var e = CopyError(.invalid, message)
        e.refusal = why
        return e
    }

    public var description: String {
        var s = (method.map { "\($0.rawValue): " } ?? "") + message
        if let sense { s += " (\(sense))" }
        return s
    }

    /// Classifies a non-GOOD answer to a copy or I/O command.
    public static func classify(_ r: SCSIResponse, method: CopyMethod?, command: String, completedBlocks: UInt64 = 0) -> CopyError {
        let sense = r.sense
        let kind: Kind
        switch r.status {
        case .busy, .taskSetFull, .taskAborted:
            kind = .transient
        case .checkCondition:
            kind = classify(sense)
        default:
            kind = .transient
        }
        return CopyError(kind, method: method, "\(command): \(r.status)", sense: sense, completedBlocks: completedBlocks)
    }

    static func classify(_ sense: SenseData?) -> Kind {
        guard let sense else { return .transient }
        let asc = sense.additionalSense
        let tokenGone: [AdditionalSense] = [.tokenExpired, .tokenUnknown, .tokenRevoked, .tokenCancelled, .tokenDeleted]
        switch sense.key {
        case .unitAttention:
            return .transient
        case .notReady:
            // LIO answers a block-size mismatch with NOT READY 08/00; 04/xx is "becoming ready".
            return asc == .logicalUnitCommunicationFailure ? .permanent : .transient
        case .dataProtect:
            return asc == .spaceAllocationFailedWriteProtect ? .space : .permanent
        case .illegalRequest:
            if asc.code == 0x55 || asc == .operationInProgress || tokenGone.contains(asc) { return .transient }
            if asc == .lbaOutOfRange { return .invalid }
            return .permanent
        case .abortedCommand:
            // A copy target that failed or cannot be reached will not be reachable on a retry.
            return asc.code == 0x0D || asc == .unreachableCopyTarget ? .permanent : .transient
        case .copyAborted:
            return .permanent
        case .mediumError, .hardwareError:
            return .transport
        default:
            return .permanent
        }
    }
}
