import OffloadProbe

/// Builds the engine for a method. Kept in one place so the job, the CLI and the storage
/// layer construct engines the same way; the plan is made for the method actually used.
public enum CopyEngines {
    public static func make(_ method: CopyMethod, _ source: CopyEndpoint, _ destination: CopyEndpoint, _ plan: CopyPlan,
                            _ statistics: CopyStatistics, _ options: CopyOptions) throws -> any CopyEngine {
        let methodPlan = PairPlanner.plan(for: PairVerdict.Method(rawValue: method.rawValue)!, source: source.report,
                                          destination: destination.report)
        switch method {
        case .xcopy:
            return XCopyEngine(source: source, destination: destination, plan: methodPlan, limits: source.report.xcopyLimits,
                               statistics: statistics)
        case .odx:
            return ODXEngine(source: source, destination: destination, plan: methodPlan, statistics: statistics,
                             options: ODXEngine.Options(immediate: options.odxImmediate))
        case .host:
            var host = HostCopyOptions(options)
            host.skipSourceHoles = true  // half-empty volumes: read only what is allocated
            let unit = Swift.max(1, source.blockSize, destination.blockSize)  // extents count in units of the larger block
            host.chunkBlocks = options.chunkBytes.map { Swift.max(1, $0 / unit) }
            return HostCopyEngine(sources: source.sessions, destinations: destination.sessions, statistics: statistics, options: host)
        }
    }
}
