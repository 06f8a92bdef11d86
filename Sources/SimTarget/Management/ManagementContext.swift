import SimArray

/// What the management API manages: the array behind the dispatcher (LUs are removed through
/// the dispatcher so its copy manager forgets them), the profile new LUs are created with, the
/// fault injector the running target consults, and how to name a LUN's URL.
public struct ManagementContext: Sendable {
    public var dispatcher: SCSIDispatcher
    public var profile: ArrayProfile
    public var faults: FaultInjector
    /// The target IQN, for `GET /v1/health`.
    public var targetName: String
    /// The libiscsi URL of a LUN on the running target.
    public var lunURL: @Sendable (UInt64) -> String

    public var array: SimulatedArray { dispatcher.array }

    public init(dispatcher: SCSIDispatcher, profile: ArrayProfile, faults: FaultInjector, targetName: String,
                lunURL: @escaping @Sendable (UInt64) -> String) {
        self.dispatcher = dispatcher
        self.profile = profile
        self.faults = faults
        self.targetName = targetName
        self.lunURL = lunURL
    }

    /// The context of a running iSCSI server: its dispatcher, faults, IQN and URLs.
    public init(target: ISCSITargetServer, profile: ArrayProfile) {
        self.init(dispatcher: target.dispatcher, profile: profile, faults: target.faults,
                  targetName: target.settings.targetName, lunURL: { target.url(lun: $0) })
    }
}
