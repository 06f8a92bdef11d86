import Foundation
import SCSIWire

/// A personality for the simulated array: what its LUs say about themselves (INQUIRY, VPD
/// pages, designators) and how its copy manager behaves (EXTENDED COPY limits and sense, list
/// identifiers, RECEIVE COPY results, VPD 0x8F, ODX token parameters). One file per family in
/// `Hardware/profiles/`, built from the facts in `Hardware/arrays/` and `targets.md`.
///
/// Every key is required except the nullable ones (which may be omitted); an unknown key is an
/// error, so a misspelt limit never silently becomes a default. `validate()` checks that the
/// pieces agree (0x8F listed iff described, ODX descriptors only with ODX, ...).
public struct ArrayProfile: Codable, Equatable, Sendable {
    /// The profile's name; the file is `<name>.json`.
    public var name: String
    public var description: String
    /// The `Hardware/arrays` family this imitates, if any.
    public var family: String?
    public var inquiry: Inquiry
    /// VPD pages besides 0x00, ascending ("80", "83", "8F", "B0", "B1", "B2" are served).
    public var vpdPages: [UInt8]
    public var identity: Identity
    /// VPD 0x8F; nil = the page does not exist (LIO, SCST, most arrays).
    public var thirdPartyCopyVPD: ThirdPartyCopyVPD?
    /// EXTENDED COPY(LID1) and RECEIVE COPY results; nil = no XCOPY.
    public var xcopy: ExtendedCopy?
    /// POPULATE TOKEN / WRITE USING TOKEN / RRTI parameters; nil = no ODX.
    public var odx: ODX?
    public var quirks: [Quirk]

    public init(name: String, description: String, family: String? = nil, inquiry: Inquiry, vpdPages: [UInt8],
                identity: Identity, thirdPartyCopyVPD: ThirdPartyCopyVPD?, xcopy: ExtendedCopy?, odx: ODX?,
                quirks: [Quirk] = []) {
        self.name = name
        self.description = description
        self.family = family
        self.inquiry = inquiry
        self.vpdPages = vpdPages
        self.identity = identity
        self.thirdPartyCopyVPD = thirdPartyCopyVPD
        self.xcopy = xcopy
        self.odx = odx
        self.quirks = quirks
    }

    public func has(_ quirk: Quirk) -> Bool { quirks.contains(quirk) }

    // MARK: - Parts

    /// Standard INQUIRY text and the 3PC bit.
    public struct Inquiry: Codable, Equatable, Sendable {
        public var vendor: String
        public var product: String
        public var revision: String
        /// 3PC: the LU claims a copy manager.
        public var thirdPartyCopy: Bool

        public init(vendor: String, product: String, revision: String, thirdPartyCopy: Bool) {
            self.vendor = vendor
            self.product = product
            self.revision = revision
            self.thirdPartyCopy = thirdPartyCopy
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case vendor, product, revision, thirdPartyCopy }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            vendor = try c.decode(String.self, forKey: .vendor)
            product = try c.decode(String.self, forKey: .product)
            revision = try c.decode(String.self, forKey: .revision)
            thirdPartyCopy = try c.decode(Bool.self, forKey: .thirdPartyCopy)
        }
    }

    /// What VPD 0x83 shows and how new identities are made.
    public struct Identity: Codable, Equatable, Sendable {
        /// IEEE company ID for generated NAA/EUI-64 designators (hex); nil = the array's.
        public var companyID: UInt32?
        /// T10 VENDOR IDENTIFICATION of the T10 designator; nil = the INQUIRY vendor.
        public var t10VendorID: String?
        /// The entries of VPD 0x83, in order: NAA only (LIO-style), EUI-64 only (the 2016 SCST
        /// LU), or with a truncated designator after the good ones (JovianDSS).
        public var designators: [DesignatorExposure]

        public init(companyID: UInt32? = nil, t10VendorID: String? = nil, designators: [DesignatorExposure]) {
            self.companyID = companyID
            self.t10VendorID = t10VendorID
            self.designators = designators
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case companyID, t10VendorID, designators }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            companyID = try c.decodeCompanyID(forKey: .companyID)
            t10VendorID = try c.decodeIfPresent(String.self, forKey: .t10VendorID)
            designators = try c.decode([DesignatorExposureSpec].self, forKey: .designators).map(\.exposure)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(companyID.map { hexText(UInt64($0), digits: 6) }, forKey: .companyID)
            try c.encodeIfPresent(t10VendorID, forKey: .t10VendorID)
            try c.encode(designators.map(DesignatorExposureSpec.init), forKey: .designators)
        }
    }

    /// VPD 0x8F: which descriptors it holds and how short an INQUIRY for it may be.
    public struct ThirdPartyCopyVPD: Codable, Equatable, Sendable {
        /// Descriptor type codes in emitted order, from 0000h, 0001h, 0004h, 0008h, 000Ch, 0106h,
        /// 0108h, 8001h. ODX ones appear only while ODX is available, XCOPY ones only with XCOPY.
        public var descriptors: [UInt16]
        public var minimumAllocationLength: MinimumAllocationLength

        public static let knownDescriptors: [UInt16] = [0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x0106, 0x0108, 0x8001]
        public static let odxDescriptors: Set<UInt16> = [0x0000, 0x0106, 0x0108]
        public static let xcopyDescriptors: Set<UInt16> = [0x0004, 0x0008, 0x000C, 0x8001]

        public init(descriptors: [UInt16], minimumAllocationLength: MinimumAllocationLength = .none) {
            self.descriptors = descriptors
            self.minimumAllocationLength = minimumAllocationLength
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case descriptors, minimumAllocationLength }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            descriptors = try c.decodeHexWords(forKey: .descriptors)
            minimumAllocationLength = try c.decodeIfPresent(MinimumAllocationLength.self, forKey: .minimumAllocationLength) ?? .none
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeHexWords(descriptors, forKey: .descriptors)
            try c.encode(minimumAllocationLength, forKey: .minimumAllocationLength)
        }
    }

    /// The smallest INQUIRY ALLOCATION LENGTH answered for VPD 0x8F: any (null), the whole page
    /// ("page", QNAP), or a byte count.
    public enum MinimumAllocationLength: Codable, Equatable, Sendable {
        case none
        case wholePage
        case bytes(Int)

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .none; return }
            if let n = try? c.decode(Int.self) {
                guard n >= 0 else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "must not be negative") }
                self = .bytes(n)
                return
            }
            guard let text = try? c.decode(String.self), text == "page" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected null, a byte count or \"page\"")
            }
            self = .wholePage
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .none: try c.encodeNil()
            case .wholePage: try c.encode("page")
            case let .bytes(n): try c.encode(n)
            }
        }
    }

    // MARK: - EXTENDED COPY

    /// EXTENDED COPY(LID1) behaviour: advertised and enforced limits, what is accepted, how
    /// failures are reported, and the list-identifier commands.
    public struct ExtendedCopy: Codable, Equatable, Sendable {
        // Advertised (RCOP, 0x8F 0004h and 8001h).
        public var maxCSCDDescriptors: UInt16
        /// MAXIMUM SEGMENT DESCRIPTOR COUNT as advertised.
        public var maxSegmentDescriptors: UInt16
        /// Segment descriptors really accepted; more gives 26/08 (Pure: 32 advertised, 2 enforced).
        public var enforcedMaxSegmentDescriptors: UInt16
        /// CSCD plus segment descriptor bytes (the 16-byte header is not counted, as in CTL).
        public var maxDescriptorListLength: UInt32
        /// MAXIMUM SEGMENT LENGTH in bytes as advertised (0 = not reported); not enforced.
        public var maxSegmentLength: UInt32
        public var maxInlineDataLength: UInt32
        public var heldDataLimit: UInt32
        public var dataSegmentGranularityLog2: UInt8
        public var inlineDataGranularityLog2: UInt8
        public var heldDataGranularityLog2: UInt8
        /// Segments whose byte count is not a multiple of the data segment granularity get
        /// COPY ABORTED 26/0D. SCST advertises 64 KiB but its source does not check it.
        public var enforceDataSegmentGranularity: Bool
        public var totalConcurrentCopies: UInt16
        public var maxConcurrentCopies: UInt8
        /// SNLID: LIST ID USAGE 11b (no list identifier) is supported.
        public var snlid: Bool

        // Accepted.
        /// Segment descriptor types: 02h block to block, 0Ah block with offset.
        public var segmentTypes: [UInt8]
        public var cscdDesignators: CSCDDesignators
        /// CSCD ID FFFFh ("the LU that received the command", CTL) is accepted.
        public var copyManagerCSCDID: Bool
        /// CSCD DISK BLOCK LENGTH must equal the LU's block size (SCST: 26/00 at byte 29).
        public var cscdBlockLengthMustMatch: Bool
        public var blockSizeMismatch: BlockSizeMismatch
        public var copyScope: CopyScope

        // Reported.
        public var unreachableCSCD: UnreachableCSCD
        /// ASC/ASCQ of the COPY ABORTED for a segment outside its LU (libiscsi accepts 00/00,
        /// 08/04 and 0D/02; CTL itself reports 0D/01 with the device's 21/00 forwarded).
        public var lbaOutOfRangeSense: AdditionalSense
        public var copyAbortedSense: CopyAbortedSense

        // List identifiers and RECEIVE COPY results.
        /// List identifiers are tracked (LIO ignores them).
        public var listIdentifiers: Bool
        public var receiveCopyStatus: Bool
        public var receiveCopyFailureDetails: Bool
        public var copyOperationAbort: Bool
        public var transferCountUnits: TransferCountStyle
        /// A completed list is forgotten once RECEIVE COPY STATUS or FAILURE DETAILS read it (CTL).
        public var statusReadReleasesList: Bool
        /// How long a completed list is kept for RECEIVE COPY results.
        public var listRetentionSeconds: UInt32
        /// RCOP ALLOCATION LENGTH below this gets 24/00 (LIO: 54 for a 46-byte answer).
        public var rcopMinimumAllocationLength: UInt32

        public init(maxCSCDDescriptors: UInt16, maxSegmentDescriptors: UInt16, enforcedMaxSegmentDescriptors: UInt16,
                    maxDescriptorListLength: UInt32, maxSegmentLength: UInt32, maxInlineDataLength: UInt32 = 0,
                    heldDataLimit: UInt32 = 0, dataSegmentGranularityLog2: UInt8, inlineDataGranularityLog2: UInt8,
                    heldDataGranularityLog2: UInt8, enforceDataSegmentGranularity: Bool, totalConcurrentCopies: UInt16,
                    maxConcurrentCopies: UInt8, snlid: Bool, segmentTypes: [UInt8], cscdDesignators: CSCDDesignators,
                    copyManagerCSCDID: Bool, cscdBlockLengthMustMatch: Bool, blockSizeMismatch: BlockSizeMismatch,
                    copyScope: CopyScope, unreachableCSCD: UnreachableCSCD, lbaOutOfRangeSense: AdditionalSense,
                    copyAbortedSense: CopyAbortedSense, listIdentifiers: Bool, receiveCopyStatus: Bool,
                    receiveCopyFailureDetails: Bool, copyOperationAbort: Bool, transferCountUnits: TransferCountStyle,
                    statusReadReleasesList: Bool, listRetentionSeconds: UInt32, rcopMinimumAllocationLength: UInt32) {
            self.maxCSCDDescriptors = maxCSCDDescriptors
            self.maxSegmentDescriptors = maxSegmentDescriptors
            self.enforcedMaxSegmentDescriptors = enforcedMaxSegmentDescriptors
            self.maxDescriptorListLength = maxDescriptorListLength
            self.maxSegmentLength = maxSegmentLength
            self.maxInlineDataLength = maxInlineDataLength
            self.heldDataLimit = heldDataLimit
            self.dataSegmentGranularityLog2 = dataSegmentGranularityLog2
            self.inlineDataGranularityLog2 = inlineDataGranularityLog2
            self.heldDataGranularityLog2 = heldDataGranularityLog2
            self.enforceDataSegmentGranularity = enforceDataSegmentGranularity
            self.totalConcurrentCopies = totalConcurrentCopies
            self.maxConcurrentCopies = maxConcurrentCopies
            self.snlid = snlid
            self.segmentTypes = segmentTypes
            self.cscdDesignators = cscdDesignators
            self.copyManagerCSCDID = copyManagerCSCDID
            self.cscdBlockLengthMustMatch = cscdBlockLengthMustMatch
            self.blockSizeMismatch = blockSizeMismatch
            self.copyScope = copyScope
            self.unreachableCSCD = unreachableCSCD
            self.lbaOutOfRangeSense = lbaOutOfRangeSense
            self.copyAbortedSense = copyAbortedSense
            self.listIdentifiers = listIdentifiers
            self.receiveCopyStatus = receiveCopyStatus
            self.receiveCopyFailureDetails = receiveCopyFailureDetails
            self.copyOperationAbort = copyOperationAbort
            self.transferCountUnits = transferCountUnits
            self.statusReadReleasesList = statusReadReleasesList
            self.listRetentionSeconds = listRetentionSeconds
            self.rcopMinimumAllocationLength = rcopMinimumAllocationLength
        }

        public static let supportedSegmentTypes: Set<UInt8> = [BlockToBlockSegment.typeCode, BlockToBlockOffsetSegment.typeCode]

        /// The descriptor type codes RCOP and 0x8F 0008h list: segment types, then 0xE4.
        public var implementedDescriptorTypeCodes: [UInt8] { segmentTypes.sorted() + [IdentificationCSCD.typeCode] }

        public var dataSegmentGranularity: UInt64 {
            dataSegmentGranularityLog2 >= 64 ? UInt64.max : UInt64(1) << UInt64(dataSegmentGranularityLog2)
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxCSCDDescriptors, maxSegmentDescriptors, enforcedMaxSegmentDescriptors, maxDescriptorListLength,
                 maxSegmentLength, maxInlineDataLength, heldDataLimit, dataSegmentGranularityLog2,
                 inlineDataGranularityLog2, heldDataGranularityLog2, enforceDataSegmentGranularity,
                 totalConcurrentCopies, maxConcurrentCopies, snlid, segmentTypes, cscdDesignators, copyManagerCSCDID,
                 cscdBlockLengthMustMatch, blockSizeMismatch, copyScope, unreachableCSCD, lbaOutOfRangeSense,
                 copyAbortedSense, listIdentifiers, receiveCopyStatus, receiveCopyFailureDetails, copyOperationAbort,
                 transferCountUnits, statusReadReleasesList, listRetentionSeconds, rcopMinimumAllocationLength
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            maxCSCDDescriptors = try c.decode(UInt16.self, forKey: .maxCSCDDescriptors)
            maxSegmentDescriptors = try c.decode(UInt16.self, forKey: .maxSegmentDescriptors)
            enforcedMaxSegmentDescriptors = try c.decode(UInt16.self, forKey: .enforcedMaxSegmentDescriptors)
            maxDescriptorListLength = try c.decode(UInt32.self, forKey: .maxDescriptorListLength)
            maxSegmentLength = try c.decode(UInt32.self, forKey: .maxSegmentLength)
            maxInlineDataLength = try c.decode(UInt32.self, forKey: .maxInlineDataLength)
            heldDataLimit = try c.decode(UInt32.self, forKey: .heldDataLimit)
            dataSegmentGranularityLog2 = try c.decode(UInt8.self, forKey: .dataSegmentGranularityLog2)
            inlineDataGranularityLog2 = try c.decode(UInt8.self, forKey: .inlineDataGranularityLog2)
            heldDataGranularityLog2 = try c.decode(UInt8.self, forKey: .heldDataGranularityLog2)
            enforceDataSegmentGranularity = try c.decode(Bool.self, forKey: .enforceDataSegmentGranularity)
            totalConcurrentCopies = try c.decode(UInt16.self, forKey: .totalConcurrentCopies)
            maxConcurrentCopies = try c.decode(UInt8.self, forKey: .maxConcurrentCopies)
            snlid = try c.decode(Bool.self, forKey: .snlid)
            segmentTypes = try c.decodeHexBytes(forKey: .segmentTypes)
            cscdDesignators = try c.decodeChoice(CSCDDesignators.self, forKey: .cscdDesignators)
            copyManagerCSCDID = try c.decode(Bool.self, forKey: .copyManagerCSCDID)
            cscdBlockLengthMustMatch = try c.decode(Bool.self, forKey: .cscdBlockLengthMustMatch)
            blockSizeMismatch = try c.decodeChoice(BlockSizeMismatch.self, forKey: .blockSizeMismatch)
            copyScope = try c.decodeChoice(CopyScope.self, forKey: .copyScope)
            unreachableCSCD = try c.decodeChoice(UnreachableCSCD.self, forKey: .unreachableCSCD)
            lbaOutOfRangeSense = try c.decodeAdditionalSense(forKey: .lbaOutOfRangeSense)
            copyAbortedSense = try c.decodeChoice(CopyAbortedSense.self, forKey: .copyAbortedSense)
            listIdentifiers = try c.decode(Bool.self, forKey: .listIdentifiers)
            receiveCopyStatus = try c.decode(Bool.self, forKey: .receiveCopyStatus)
            receiveCopyFailureDetails = try c.decode(Bool.self, forKey: .receiveCopyFailureDetails)
            copyOperationAbort = try c.decode(Bool.self, forKey: .copyOperationAbort)
            transferCountUnits = try c.decodeChoice(TransferCountStyle.self, forKey: .transferCountUnits)
            statusReadReleasesList = try c.decode(Bool.self, forKey: .statusReadReleasesList)
            listRetentionSeconds = try c.decode(UInt32.self, forKey: .listRetentionSeconds)
            rcopMinimumAllocationLength = try c.decode(UInt32.self, forKey: .rcopMinimumAllocationLength)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(maxCSCDDescriptors, forKey: .maxCSCDDescriptors)
            try c.encode(maxSegmentDescriptors, forKey: .maxSegmentDescriptors)
            try c.encode(enforcedMaxSegmentDescriptors, forKey: .enforcedMaxSegmentDescriptors)
            try c.encode(maxDescriptorListLength, forKey: .maxDescriptorListLength)
            try c.encode(maxSegmentLength, forKey: .maxSegmentLength)
            try c.encode(maxInlineDataLength, forKey: .maxInlineDataLength)
            try c.encode(heldDataLimit, forKey: .heldDataLimit)
            try c.encode(dataSegmentGranularityLog2, forKey: .dataSegmentGranularityLog2)
            try c.encode(inlineDataGranularityLog2, forKey: .inlineDataGranularityLog2)
            try c.encode(heldDataGranularityLog2, forKey: .heldDataGranularityLog2)
            try c.encode(enforceDataSegmentGranularity, forKey: .enforceDataSegmentGranularity)
            try c.encode(totalConcurrentCopies, forKey: .totalConcurrentCopies)
            try c.encode(maxConcurrentCopies, forKey: .maxConcurrentCopies)
            try c.encode(snlid, forKey: .snlid)
            try c.encodeHexBytes(segmentTypes, forKey: .segmentTypes)
            try c.encode(cscdDesignators.rawValue, forKey: .cscdDesignators)
            try c.encode(copyManagerCSCDID, forKey: .copyManagerCSCDID)
            try c.encode(cscdBlockLengthMustMatch, forKey: .cscdBlockLengthMustMatch)
            try c.encode(blockSizeMismatch.rawValue, forKey: .blockSizeMismatch)
            try c.encode(copyScope.rawValue, forKey: .copyScope)
            try c.encode(unreachableCSCD.rawValue, forKey: .unreachableCSCD)
            try c.encodeAdditionalSense(lbaOutOfRangeSense, forKey: .lbaOutOfRangeSense)
            try c.encode(copyAbortedSense.rawValue, forKey: .copyAbortedSense)
            try c.encode(listIdentifiers, forKey: .listIdentifiers)
            try c.encode(receiveCopyStatus, forKey: .receiveCopyStatus)
            try c.encode(receiveCopyFailureDetails, forKey: .receiveCopyFailureDetails)
            try c.encode(copyOperationAbort, forKey: .copyOperationAbort)
            try c.encode(transferCountUnits.rawValue, forKey: .transferCountUnits)
            try c.encode(statusReadReleasesList, forKey: .statusReadReleasesList)
            try c.encode(listRetentionSeconds, forKey: .listRetentionSeconds)
            try c.encode(rcopMinimumAllocationLength, forKey: .rcopMinimumAllocationLength)
        }
    }

    /// Which CSCD designators resolve.
    public enum CSCDDesignators: String, CaseIterable, Sendable {
        /// Only a 16-byte NAA IEEE Registered Extended (NAA 6), binary, LU association; anything
        /// else is 26/00 pointing at the offending CSCD byte (LIO).
        case naa
        /// Any LU designator up to 20 bytes that VPD 0x83 shows (CTL, SCST).
        case any
    }

    /// Source and destination with different logical block sizes.
    public enum BlockSizeMismatch: String, CaseIterable, Sendable {
        /// NOT READY, LOGICAL UNIT COMMUNICATION FAILURE (02/08/00), LIO.
        case notReady = "not-ready"
        /// Allowed when one is a multiple of the other; a byte count that fits neither gives
        /// COPY ABORTED 26/0A (CTL).
        case multiples
    }

    /// Which LUs a CSCD may name.
    public enum CopyScope: String, CaseIterable, Sendable {
        /// LUs the sending I_T nexus can address (LIO after CVE-2020-28374, CTL's port rule).
        case session
        /// Any LU of the array (SCST across targets, CTL with insecure_tpc, arrays).
        case array
    }

    /// What an unresolvable or unreachable CSCD gets.
    public enum UnreachableCSCD: String, CaseIterable, Sendable {
        /// COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE (LIO).
        case copyAborted0D02 = "copy-aborted-0D02"
        /// COPY ABORTED, UNREACHABLE COPY TARGET (CTL).
        case copyAborted0804 = "copy-aborted-0804"
        /// ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST pointing at the CSCD (SCST).
        case invalidParameter = "invalid-parameter"
    }

    /// What a COPY ABORTED carries.
    public enum CopyAbortedSense: String, CaseIterable, Sendable {
        /// CSI = failing segment, segment pointer, forwarded sense of the device (descriptor format).
        case ctl
        /// CSI and segment pointer, no forwarded sense.
        case scst
        /// Every mid-copy failure is a bare 0D/02: no CSI, no pointer, no residual (LIO).
        case lio
    }

    /// TRANSFER COUNT UNITS of RECEIVE COPY STATUS(LID1).
    public enum TransferCountStyle: String, CaseIterable, Sendable {
        /// Bytes, switching to MiB above 4 GiB (CTL).
        case bytes
        /// KiB (SCST).
        case kibibytes
    }

    // MARK: - ODX

    /// Token parameters for the token manager, and what 0x8F 0000h/0106h/0108h say.
    public struct ODX: Codable, Equatable, Sendable {
        public var maxRangeDescriptors: UInt16
        /// MAXIMUM TOKEN TRANSFER SIZE in bytes (0 = not reported); 0x8F gives it in blocks.
        public var maxTokenTransferBytes: UInt64
        /// OPTIMAL TRANSFER COUNT in bytes (0 = not reported).
        public var optimalTransferBytes: UInt64
        public var defaultInactivitySeconds: UInt32
        public var maxInactivitySeconds: UInt32
        public var minTokenLifetimeSeconds: UInt32
        public var maxTokenLifetimeSeconds: UInt32
        public var tokenType: TokenType
        /// REMOTE TOKENS (0 = tokens are only usable inside this copy manager).
        public var remoteTokens: UInt8
        /// The block device zero ROD token (FFFF0001h) is accepted by WRITE USING TOKEN.
        public var zeroROD: Bool
        /// POPULATE TOKEN / WRITE USING TOKEN honour IMMED (CTL ignores it).
        public var immediate: Bool
        public var optimalBlockRODLengthGranularity: UInt16
        /// MAXIMUM BYTES IN BLOCK ROD (0 = not reported).
        public var maxBytesInBlockROD: UInt64
        public var optimalBytesInBlockRODTransfer: UInt64
        /// nil = UINT64_MAX (no preference), as CTL reports.
        public var optimalBytesToTokenPerSegment: UInt64?
        public var optimalBytesFromTokenPerSegment: UInt64?

        public init(maxRangeDescriptors: UInt16, maxTokenTransferBytes: UInt64, optimalTransferBytes: UInt64,
                    defaultInactivitySeconds: UInt32, maxInactivitySeconds: UInt32, minTokenLifetimeSeconds: UInt32,
                    maxTokenLifetimeSeconds: UInt32, tokenType: TokenType, remoteTokens: UInt8 = 0, zeroROD: Bool,
                    immediate: Bool, optimalBlockRODLengthGranularity: UInt16 = 0, maxBytesInBlockROD: UInt64 = 0,
                    optimalBytesInBlockRODTransfer: UInt64 = 0, optimalBytesToTokenPerSegment: UInt64? = nil,
                    optimalBytesFromTokenPerSegment: UInt64? = nil) {
            self.maxRangeDescriptors = maxRangeDescriptors
            self.maxTokenTransferBytes = maxTokenTransferBytes
            self.optimalTransferBytes = optimalTransferBytes
            self.defaultInactivitySeconds = defaultInactivitySeconds
            self.maxInactivitySeconds = maxInactivitySeconds
            self.minTokenLifetimeSeconds = minTokenLifetimeSeconds
            self.maxTokenLifetimeSeconds = maxTokenLifetimeSeconds
            self.tokenType = tokenType
            self.remoteTokens = remoteTokens
            self.zeroROD = zeroROD
            self.immediate = immediate
            self.optimalBlockRODLengthGranularity = optimalBlockRODLengthGranularity
            self.maxBytesInBlockROD = maxBytesInBlockROD
            self.optimalBytesInBlockRODTransfer = optimalBytesInBlockRODTransfer
            self.optimalBytesToTokenPerSegment = optimalBytesToTokenPerSegment
            self.optimalBytesFromTokenPerSegment = optimalBytesFromTokenPerSegment
        }

        public enum TokenType: String, CaseIterable, Sendable {
            /// Access upon reference (00010000h): data read at WRITE USING TOKEN (CTL).
            case aur = "AUR"
            /// Point in time (00800000h): a snapshot at POPULATE TOKEN (QNAP).
            case pit = "PIT"

            public var rodType: RODType { self == .aur ? .accessUponReference : .pointInTimeDefault }
        }

        /// The ROD type POPULATE TOKEN creates.
        public var rodType: RODType { tokenType.rodType }

        /// A byte limit in `blockSize` blocks, as BDRL reports it (0 stays 0).
        public static func blocks(_ bytes: UInt64, blockSize: Int) -> UInt64 { bytes / UInt64(Swift.max(1, blockSize)) }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxRangeDescriptors, maxTokenTransferBytes, optimalTransferBytes, defaultInactivitySeconds,
                 maxInactivitySeconds, minTokenLifetimeSeconds, maxTokenLifetimeSeconds, tokenType, remoteTokens, zeroROD,
                 immediate, optimalBlockRODLengthGranularity, maxBytesInBlockROD, optimalBytesInBlockRODTransfer,
                 optimalBytesToTokenPerSegment, optimalBytesFromTokenPerSegment
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            maxRangeDescriptors = try c.decode(UInt16.self, forKey: .maxRangeDescriptors)
            maxTokenTransferBytes = try c.decode(UInt64.self, forKey: .maxTokenTransferBytes)
            optimalTransferBytes = try c.decode(UInt64.self, forKey: .optimalTransferBytes)
            defaultInactivitySeconds = try c.decode(UInt32.self, forKey: .defaultInactivitySeconds)
            maxInactivitySeconds = try c.decode(UInt32.self, forKey: .maxInactivitySeconds)
            minTokenLifetimeSeconds = try c.decode(UInt32.self, forKey: .minTokenLifetimeSeconds)
            maxTokenLifetimeSeconds = try c.decode(UInt32.self, forKey: .maxTokenLifetimeSeconds)
            tokenType = try c.decodeChoice(TokenType.self, forKey: .tokenType)
            remoteTokens = try c.decode(UInt8.self, forKey: .remoteTokens)
            zeroROD = try c.decode(Bool.self, forKey: .zeroROD)
            immediate = try c.decode(Bool.self, forKey: .immediate)
            optimalBlockRODLengthGranularity = try c.decode(UInt16.self, forKey: .optimalBlockRODLengthGranularity)
            maxBytesInBlockROD = try c.decode(UInt64.self, forKey: .maxBytesInBlockROD)
            optimalBytesInBlockRODTransfer = try c.decode(UInt64.self, forKey: .optimalBytesInBlockRODTransfer)
            optimalBytesToTokenPerSegment = try c.decodeIfPresent(UInt64.self, forKey: .optimalBytesToTokenPerSegment)
            optimalBytesFromTokenPerSegment = try c.decodeIfPresent(UInt64.self, forKey: .optimalBytesFromTokenPerSegment)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(maxRangeDescriptors, forKey: .maxRangeDescriptors)
            try c.encode(maxTokenTransferBytes, forKey: .maxTokenTransferBytes)
            try c.encode(optimalTransferBytes, forKey: .optimalTransferBytes)
            try c.encode(defaultInactivitySeconds, forKey: .defaultInactivitySeconds)
            try c.encode(maxInactivitySeconds, forKey: .maxInactivitySeconds)
            try c.encode(minTokenLifetimeSeconds, forKey: .minTokenLifetimeSeconds)
            try c.encode(maxTokenLifetimeSeconds, forKey: .maxTokenLifetimeSeconds)
            try c.encode(tokenType.rawValue, forKey: .tokenType)
            try c.encode(remoteTokens, forKey: .remoteTokens)
            try c.encode(zeroROD, forKey: .zeroROD)
            try c.encode(immediate, forKey: .immediate)
            try c.encode(optimalBlockRODLengthGranularity, forKey: .optimalBlockRODLengthGranularity)
            try c.encode(maxBytesInBlockROD, forKey: .maxBytesInBlockROD)
            try c.encode(optimalBytesInBlockRODTransfer, forKey: .optimalBytesInBlockRODTransfer)
            try c.encode(optimalBytesToTokenPerSegment, forKey: .optimalBytesToTokenPerSegment)
            try c.encode(optimalBytesFromTokenPerSegment, forKey: .optimalBytesFromTokenPerSegment)
        }
    }

    // MARK: - Quirks

    /// A behaviour switch with no natural field. Unknown names are refused when loading.
    public struct Quirk: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The LU that received EXTENDED COPY must be the source or destination of every
        /// segment; otherwise the CSCD is unreachable (LIO).
        public static let receivingLUMustParticipate = Quirk(rawValue: "receiving-lu-must-participate")
        /// CSCD byte 1 (LU ID TYPE, NUL, PERIPHERAL DEVICE TYPE) is not looked at (LIO).
        public static let cscdByte1Ignored = Quirk(rawValue: "cscd-byte1-ignored")
        /// LU ID TYPE other than 00b is 26/00 (SCST; CTL refuses it too, but libiscsi's SPC-4
        /// test expects it ignored, so the ctl profile leaves this out).
        public static let cscdLUIDTypeMustBeZero = Quirk(rawValue: "cscd-lu-id-type-must-be-zero")
        /// LIST ID USAGE 01b (reserved) is 26/00 (SCST).
        public static let listIDUsageReservedRejected = Quirk(rawValue: "list-id-usage-01b-rejected")

        public static let all: [Quirk] = [.receivingLUMustParticipate, .cscdByte1Ignored, .cscdLUIDTypeMustBeZero,
                                          .listIDUsageReservedRejected]

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard Quirk.all.contains(Quirk(rawValue: text)) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription:
                    "unknown quirk '\(text)' (known: \(Quirk.all.map(\.rawValue).joined(separator: ", ")))")
            }
            rawValue = text
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }

        public var description: String { rawValue }
    }

    // MARK: - Codable

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, family, inquiry, vpdPages, identity, thirdPartyCopyVPD, xcopy, odx, quirks
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decode(String.self, forKey: .description)
        family = try c.decodeIfPresent(String.self, forKey: .family)
        inquiry = try c.decode(Inquiry.self, forKey: .inquiry)
        vpdPages = try c.decodeHexBytes(forKey: .vpdPages)
        identity = try c.decode(Identity.self, forKey: .identity)
        thirdPartyCopyVPD = try c.decodeIfPresent(ThirdPartyCopyVPD.self, forKey: .thirdPartyCopyVPD)
        xcopy = try c.decodeIfPresent(ExtendedCopy.self, forKey: .xcopy)
        odx = try c.decodeIfPresent(ODX.self, forKey: .odx)
        quirks = try c.decode([Quirk].self, forKey: .quirks)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(family, forKey: .family)
        try c.encode(inquiry, forKey: .inquiry)
        try c.encodeHexBytes(vpdPages, forKey: .vpdPages)
        try c.encode(identity, forKey: .identity)
        try c.encode(thirdPartyCopyVPD, forKey: .thirdPartyCopyVPD)
        try c.encode(xcopy, forKey: .xcopy)
        try c.encode(odx, forKey: .odx)
        try c.encode(quirks, forKey: .quirks)
    }

    // MARK: - Consistency

    /// VPD pages the dispatcher can serve.
    public static let servableVPDPages: Set<UInt8> = [0x80, 0x83, 0x8F, 0xB0, 0xB1, 0xB2]

    /// The problems that make the profile unusable, one line each; empty when it is fine.
    public func problems() -> [String] {
        var p: [String] = []
        if name.isEmpty { p.append("name is empty") }
        if inquiry.vendor.utf8.count > 8 { p.append("inquiry.vendor '\(inquiry.vendor)' is longer than 8 characters") }
        if inquiry.product.utf8.count > 16 { p.append("inquiry.product '\(inquiry.product)' is longer than 16 characters") }
        if inquiry.revision.utf8.count > 4 { p.append("inquiry.revision '\(inquiry.revision)' is longer than 4 characters") }
        for page in vpdPages where !Self.servableVPDPages.contains(page) {
            p.append("vpdPages: page \(hexText(UInt64(page), digits: 2)) is not served (only 80, 83, 8F, B0, B1, B2)")
        }
        if vpdPages != vpdPages.sorted() || Set(vpdPages).count != vpdPages.count {
            p.append("vpdPages must be ascending without repeats")
        }
        if vpdPages.contains(0x8F) != (thirdPartyCopyVPD != nil) {
            p.append("vpdPages lists 8F \(vpdPages.contains(0x8F) ? "but thirdPartyCopyVPD is null" : "is missing although thirdPartyCopyVPD describes it")")
        }
        if !identity.designators.contains(where: \.isWellFormed) {
            p.append("identity.designators has no well-formed designator; no CSCD could name the LU")
        }
        if let t = identity.t10VendorID, t.utf8.count > 8 { p.append("identity.t10VendorID '\(t)' is longer than 8 characters") }
        if let page = thirdPartyCopyVPD {
            for d in page.descriptors where !ThirdPartyCopyVPD.knownDescriptors.contains(d) {
                p.append("thirdPartyCopyVPD.descriptors: \(hexText(UInt64(d), digits: 4)) is not one of 0000, 0001, 0004, 0008, 000C, 0106, 0108, 8001")
            }
            if Set(page.descriptors).count != page.descriptors.count { p.append("thirdPartyCopyVPD.descriptors repeats a descriptor") }
            if odx == nil, let d = page.descriptors.first(where: { ThirdPartyCopyVPD.odxDescriptors.contains($0) }) {
                p.append("thirdPartyCopyVPD lists \(hexText(UInt64(d), digits: 4))h but odx is null")
            }
            if xcopy == nil, let d = page.descriptors.first(where: { ThirdPartyCopyVPD.xcopyDescriptors.contains($0) }) {
                p.append("thirdPartyCopyVPD lists \(hexText(UInt64(d), digits: 4))h but xcopy is null")
            }
        }
        if let x = xcopy {
            if x.segmentTypes.isEmpty { p.append("xcopy.segmentTypes is empty") }
            for t in x.segmentTypes where !ExtendedCopy.supportedSegmentTypes.contains(t) {
                p.append("xcopy.segmentTypes: \(hexText(UInt64(t), digits: 2)) is not implemented (02, 0A)")
            }
            if x.maxCSCDDescriptors == 0 { p.append("xcopy.maxCSCDDescriptors is 0") }
            if x.enforcedMaxSegmentDescriptors == 0 { p.append("xcopy.enforcedMaxSegmentDescriptors is 0") }
            if x.dataSegmentGranularityLog2 > 31 { p.append("xcopy.dataSegmentGranularityLog2 above 31") }
            if x.maxInlineDataLength != 0 { p.append("xcopy.maxInlineDataLength: inline data is not implemented, must be 0") }
            if !x.listIdentifiers, x.receiveCopyStatus || x.receiveCopyFailureDetails || x.copyOperationAbort {
                p.append("xcopy: RECEIVE COPY STATUS, FAILURE DETAILS and COPY OPERATION ABORT need listIdentifiers")
            }
        } else if inquiry.thirdPartyCopy && odx == nil {
            p.append("inquiry.thirdPartyCopy is set but neither xcopy nor odx is described")
        }
        if let o = odx {
            if o.maxRangeDescriptors == 0 { p.append("odx.maxRangeDescriptors is 0") }
            if o.defaultInactivitySeconds > o.maxInactivitySeconds, o.maxInactivitySeconds != 0 {
                p.append("odx.defaultInactivitySeconds exceeds odx.maxInactivitySeconds")
            }
            if o.remoteTokens > 0x0F { p.append("odx.remoteTokens is a 4-bit field") }
        }
        if Set(quirks).count != quirks.count { p.append("quirks repeats an entry") }
        return p
    }

    /// True when the profile offers any copy offload at all.
    public var offloads: Bool { xcopy != nil || odx != nil }
}
