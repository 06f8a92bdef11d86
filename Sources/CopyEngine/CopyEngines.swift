import OffloadProbe

/// Builds the engine for a method. Kept in one place so the job, the CLI and the storage
/// layer construct engines the same way.
public enum CopyEngines {
    public static func make(_ method: CopyMethod, _ source: CopyEndpoint, _ destination: CopyEndpoint, _ plan: CopyPlan,
                            _ statistics: CopyStatistics, _ options: CopyOptions) throws -> any CopyEngine {
        throw CopyError(.permanent, method: method, "\(method.rawValue) engine not built yet")
    }
}
