import SCSIWire

/// How a `TokenManager` behaves: the limits VPD 0x8F advertises and enforces, the kind of token
/// it creates, and which of the standard's or FreeBSD CTL's answers it gives where they differ.
/// A profile fills it; the defaults are CTL's (`ctl`), `qnap(blockSize:)` is QNAP's (PIT tokens,
/// 8 ranges, 512 MiB, 30/32 s).
///
/// Times are seconds, sizes in logical blocks unless the name says bytes.
public struct TokenManagerConfiguration: Sendable {
    /// Where more range descriptors than `maximumRangeDescriptors` are reported.
    public enum TooManyRangesReport: Equatable, Sendable {
        /// What CTL really does: it refuses the PARAMETER LIST LENGTH before fetching the list,
        /// 05/24/00 with a field pointer into the CDB (here byte 10, where the field starts; CTL
        /// points at byte 9).
        case invalidFieldInCDB
        /// 05/26/00 pointing at BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (PT byte 14, WUT 534).
        case invalidFieldInParameterList
        /// SBC-3: 05/26/08 TOO MANY SEGMENT DESCRIPTORS, no field pointer.
        case tooManySegmentDescriptors
    }

    /// How a POPULATE TOKEN or WRITE USING TOKEN is refused whose list identifier is still in
    /// progress for the same I_T nexus.
    public enum DuplicateListReport: Equatable, Sendable {
        /// CTL: 05/26/00 with the field pointer at parameter list byte 0.
        case invalidFieldInParameterList
        /// SPC-4: 05/00/16 OPERATION IN PROGRESS (ddpt walks the list identifier on it).
        case operationInProgress
    }

    // MARK: Limits (VPD 0x8F 0000h Block Device ROD Token Limits)

    /// MAXIMUM RANGE DESCRIPTORS, for POPULATE TOKEN and WRITE USING TOKEN alike (CTL 64, QNAP 8).
    public var maximumRangeDescriptors = 64
    /// MAXIMUM TOKEN TRANSFER SIZE in blocks, for the ranges of one PT or one WUT; 0 = no limit
    /// (CTL). More is 05/26/00 pointing at the NUMBER OF LOGICAL BLOCKS that crosses it.
    public var maximumTokenTransferSize: UInt64 = 0
    /// The same limit in bytes (QNAP's 512 MiB), turned into blocks of each LU; 0 = none. When
    /// both are set the smaller wins.
    public var maximumTokenTransferBytes: UInt64 = 0
    /// OPTIMAL TRANSFER COUNT in blocks: reported only.
    public var optimalTransferCount: UInt64 = 0
    /// INACTIVITY TIMEOUT 0 in POPULATE TOKEN means this (CTL 60, QNAP 30).
    public var defaultInactivityTimeout: UInt32 = 60
    /// A larger INACTIVITY TIMEOUT is 05/26/00, field pointer 4 (CTL 600, QNAP 32).
    public var maximumInactivityTimeout: UInt32 = 600
    /// A smaller non-zero INACTIVITY TIMEOUT is raised to this (CTL 1). Also MINIMUM TOKEN LIFETIME.
    public var minimumInactivityTimeout: UInt32 = 1
    /// A token dies this long after its creation whatever its use; nil = never (CTL reports
    /// MAXIMUM TOKEN LIFETIME FFFFFFFFh and has no such limit).
    public var tokenLifetime: UInt32? = nil

    // MARK: Tokens

    /// The ROD type of the tokens POPULATE TOKEN creates: access upon reference (CTL: the source
    /// is read when the token is used) or a point-in-time type (QNAP 0x00800000: the source is
    /// frozen at POPULATE TOKEN, by copy-on-write of the blocks written afterwards).
    public var rodType: RODType = .accessUponReference
    /// ROD types POPULATE TOKEN accepts with RTV=1 (each creates a `rodType` token); anything else
    /// is 05/26/00, field pointer 8 (CTL accepts only AUR). nil = `rodType`, plus "point in time,
    /// any" (0x0080FFFF) when `rodType` is a point-in-time type.
    public var requestableRODTypes: [RODType]? = nil
    /// Whether a token may be used by an I_T nexus that cannot reach the token's source LU. CTL's
    /// tokens are global to the target (valid across LUNs and ports, no ACL check at WRITE USING
    /// TOKEN), so true. False refuses such a WUT with 05/23/02 REMOTE TOKEN USAGE NOT SUPPORTED.
    /// A token another array (another `TokenManager`) created is unknown here either way: 23/04.
    public var allowsRemoteTokenUse = true
    /// WRITE USING TOKEN accepts the block device zero ROD token (0xFFFF0001; only the type is
    /// checked, as in CTL) and writes zeros. False refuses it with 05/23/01 UNSUPPORTED TOKEN TYPE.
    public var supportsZeroRODToken = true
    /// IMMED=1 in WRITE USING TOKEN runs the copy in the background and answers GOOD at once.
    /// False ignores IMMED (CTL). POPULATE TOKEN always completes before answering: creating a
    /// token is instantaneous here (a point-in-time token saves data only when the source changes).
    public var supportsImmediate = true

    // MARK: Which sense, where CTL and the standard differ

    /// For a token that expired (inactivity or lifetime): CTL frees expired tokens, so 05/23/04
    /// TOKEN UNKNOWN; SPC's 05/23/07 TOKEN EXPIRED is the alternative.
    public var expiredTokenSense: AdditionalSense = .tokenUnknown
    /// For a token deleted by DEL_TKN: CTL frees it, so 23/04; 23/09 TOKEN DELETED otherwise.
    public var deletedTokenSense: AdditionalSense = .tokenUnknown
    public var tooManyRanges: TooManyRangesReport = .invalidFieldInCDB
    public var duplicateListIdentifier: DuplicateListReport = .invalidFieldInParameterList

    // MARK: Resources and pacing

    /// Bytes the point-in-time tokens may keep, all together, for source blocks written after
    /// POPULATE TOKEN. A write that would need more revokes the token instead (23/06 on its next
    /// use, or on the next chunk of a copy reading from it).
    public var pointInTimeSaveLimit = 64 << 20
    /// Bytes one copy step reads and writes (CTL: 1 MiB I/Os); abort, revocation and the partial
    /// transfer fault are checked between steps.
    public var copyChunkBytes = 1 << 20
    /// ESTIMATED STATUS UPDATE DELAY (ms) while an operation is in progress.
    public var inProgressStatusUpdateDelay: UInt32 = 250
    /// ESTIMATED STATUS UPDATE DELAY (ms) once it completed (CTL: FFFFFFFFh always).
    public var completedStatusUpdateDelay: UInt32 = 0xFFFF_FFFF
    /// CTL frees a completed operation's status once RRTI has reported it (a second RRTI then
    /// gets 05/24/00), and otherwise `completedOperationRetention` seconds after completion.
    public var releasesCompletedOperationOnRead = true
    public var completedOperationRetention: Double = 60

    // MARK: Injected for tests

    public var clock: TokenClock = .system
    public var random: TokenRandomSource = .system
    /// Called on the copying thread before each copy step of a WRITE USING TOKEN (also for the
    /// background ones): logging, or a test holding a copy at a known point. Keep it short.
    public var beforeCopyStep: (@Sendable (TokenCopyProgress) -> Void)? = nil

    public init() {}

    /// FreeBSD CTL (`ctl_tpc.c`): AUR tokens, 64 ranges, no size limit, 60/600 s, expiry seen as
    /// 23/04, IMMED ignored, tokens usable from anywhere.
    public static var ctl: TokenManagerConfiguration { TokenManagerConfiguration() }

    /// QNAP QTS/QuTS (`tpc_*.c`): point-in-time tokens, 8 ranges, 512 MiB per token (OPTIMAL
    /// TRANSFER COUNT in blocks of `blockSize`), inactivity 30 s default and 32 s maximum. What QNAP answers on expiry or for
    /// the zero token is not known from its source; this uses SPC's 23/07 and keeps the zero token.
    public static func qnap(blockSize: Int) -> TokenManagerConfiguration {
        var c = TokenManagerConfiguration()
        c.rodType = .pointInTimeDefault
        c.maximumRangeDescriptors = 8
        c.maximumTokenTransferBytes = 512 << 20
        c.optimalTransferCount = UInt64((512 << 20) / Swift.max(1, blockSize))
        c.defaultInactivityTimeout = 30
        c.maximumInactivityTimeout = 32
        c.expiredTokenSense = .tokenExpired
        c.deletedTokenSense = .tokenDeleted
        c.tooManyRanges = .tooManySegmentDescriptors
        return c
    }

    // MARK: Derived

    /// The ROD types POPULATE TOKEN accepts with RTV=1.
    public var acceptedRODTypes: [RODType] {
        if let requestableRODTypes { return requestableRODTypes }
        return rodType.isPointInTime ? [rodType, .pointInTimeAny] : [rodType]
    }

    /// The MAXIMUM TOKEN TRANSFER SIZE enforced and reported for a LU of this block size, in
    /// blocks; 0 = no limit.
    public func maximumTransferBlocks(blockSize: Int) -> UInt64 {
        let byBytes = maximumTokenTransferBytes == 0 ? 0 : Swift.max(1, maximumTokenTransferBytes / UInt64(Swift.max(1, blockSize)))
        switch (maximumTokenTransferSize, byBytes) {
        case (0, let b): return b
        case (let a, 0): return a
        case let (a, b): return Swift.min(a, b)
        }
    }

    /// VPD 0x8F descriptor 0000h for a LU of this block size.
    public func blockDeviceRODLimits(blockSize: Int) -> BlockDeviceRODLimits {
        BlockDeviceRODLimits(maximumRangeDescriptors: UInt16(clamping: maximumRangeDescriptors),
                             maximumInactivityTimeout: maximumInactivityTimeout,
                             defaultInactivityTimeout: defaultInactivityTimeout,
                             maximumTokenTransferSize: maximumTransferBlocks(blockSize: blockSize),
                             optimalTransferCount: optimalTransferCount)
    }

    /// VPD 0x8F descriptor 0106h (REMOTE TOKENS 0 as CTL; OPTIMAL BYTES FROM TOKEN PER SEGMENT =
    /// the copy step, TO TOKEN unlimited).
    public var rodTokenFeatures: RODTokenFeatures {
        RODTokenFeatures(remoteTokens: 0, minimumTokenLifetime: minimumInactivityTimeout,
                         maximumTokenLifetime: tokenLifetime ?? 0xFFFF_FFFF,
                         maximumTokenInactivityTimeout: maximumInactivityTimeout,
                         blockDevice: BlockRODFeatures(optimalBlockRODLengthGranularity: 0, maximumBytesInBlockROD: 0,
                                                       optimalBytesInBlockRODTransfer: 0,
                                                       optimalBytesToTokenPerSegment: UInt64.max,
                                                       optimalBytesFromTokenPerSegment: UInt64(copyChunkBytes)))
    }

    /// VPD 0x8F descriptor 0108h: the token type (in and out), then the zero token (in only).
    public var supportedRODTypes: [SupportedRODType] {
        var types = [SupportedRODType(rodType: rodType, internalCopy: false, tokenIn: true, tokenOut: true, preferenceIndication: 0)]
        if supportsZeroRODToken {
            types.append(SupportedRODType(rodType: .blockDeviceZero, internalCopy: false, tokenIn: true, tokenOut: false,
                                          preferenceIndication: 0))
        }
        return types
    }
}
