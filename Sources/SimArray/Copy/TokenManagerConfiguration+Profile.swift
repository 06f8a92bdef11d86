/// The token manager as an array profile's ODX parameters describe it.
extension TokenManagerConfiguration {
    public init(profile odx: ArrayProfile.ODX) {
        self.init()
        maximumRangeDescriptors = Int(odx.maxRangeDescriptors)
        maximumTokenTransferBytes = odx.maxTokenTransferBytes
        defaultInactivityTimeout = odx.defaultInactivitySeconds
        maximumInactivityTimeout = odx.maxInactivitySeconds
        minimumInactivityTimeout = max(1, min(odx.minTokenLifetimeSeconds, odx.defaultInactivitySeconds))
        // FFFFFFFFh = no lifetime limit (CTL).
        tokenLifetime = odx.maxTokenLifetimeSeconds == 0 || odx.maxTokenLifetimeSeconds == .max ? nil : odx.maxTokenLifetimeSeconds
        rodType = odx.tokenType.rodType
        supportsZeroRODToken = odx.zeroROD
        supportsImmediate = odx.immediate
        if odx.tokenType == .pit {
            // CTL frees expired tokens and so can only say "unknown"; a PIT array keeps the
            // distinction SPC draws (QNAP's own answers are not known from its source).
            expiredTokenSense = .tokenExpired
            deletedTokenSense = .tokenDeleted
            tooManyRanges = .tooManySegmentDescriptors
        }
    }
}
