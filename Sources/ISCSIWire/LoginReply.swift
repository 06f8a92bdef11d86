/// What the login state machine decided for one Login Request: the flags, stages, status and
/// text of the Login Response. The server adds the sequence numbers (and, on the final reply,
/// the TSIH) with `response(to:tsih:statSN:expCmdSN:maxCmdSN:)`.
public struct LoginReply: Equatable, Sendable {
    public var status: LoginStatus
    public var transit: Bool
    public var currentStage: LoginStage
    public var nextStage: LoginStage
    public var parameters: TextParameters
    /// The session values, set only on the reply that enters Full Feature Phase.
    public var completedSession: NegotiatedSession?
    /// Why the login failed, for logs; nil unless `status` is an error.
    public var failureReason: String?

    public init(status: LoginStatus = .success, transit: Bool, currentStage: LoginStage, nextStage: LoginStage,
                parameters: TextParameters = TextParameters(), completedSession: NegotiatedSession? = nil,
                failureReason: String? = nil) {
        self.status = status
        self.transit = transit
        self.currentStage = currentStage
        self.nextStage = nextStage
        self.parameters = parameters
        self.completedSession = completedSession
        self.failureReason = failureReason
    }

    /// The server sends this response and then closes the connection.
    public var isFailure: Bool { !status.isSuccess }
    /// Login is complete: switch the framer to the session's digests and data segment limit.
    public var isComplete: Bool { completedSession != nil }

    /// The Login Response for `request`: ISID and ITT echoed, version 0, `tsih` carried only
    /// on the completing reply (earlier replies echo the request's TSIH).
    public func response(to request: LoginRequest, tsih: UInt16, statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32) -> LoginResponse {
        LoginResponse(transit: transit, currentStage: currentStage, nextStage: nextStage, versionMax: 0, versionActive: 0,
                      isid: request.isid, tsih: isComplete ? tsih : request.tsih, initiatorTaskTag: request.initiatorTaskTag,
                      statSN: statSN, expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, status: status, data: parameters.encoded())
    }
}
