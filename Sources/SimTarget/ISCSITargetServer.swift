import ISCSIWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SimArray

/// The simulated array on the network: an iSCSI target listening on one portal, every
/// connection a session in front of the same dispatcher (so copies between LUNs reached by
/// different sessions behave as the array's profile says).
public final class ISCSITargetServer: Sendable {
    public let settings: TargetSettings
    public let dispatcher: SCSIDispatcher
    public let faults: FaultInjector
    private let group: MultiThreadedEventLoopGroup
    private let pool: NIOThreadPool
    private let channel: Channel
    /// The address actually bound (port 0 becomes the kernel's choice).
    public let boundHost: String
    public let boundPort: Int

    private init(settings: TargetSettings, dispatcher: SCSIDispatcher, faults: FaultInjector,
                 group: MultiThreadedEventLoopGroup, pool: NIOThreadPool, channel: Channel, host: String, port: Int) {
        self.settings = settings
        self.dispatcher = dispatcher
        self.faults = faults
        self.group = group
        self.pool = pool
        self.channel = channel
        self.boundHost = host
        self.boundPort = port
    }

    /// Binds and starts serving. `workerThreads` run the SCSI commands (file I/O, copies).
    public static func start(host: String, port: Int, settings: TargetSettings, dispatcher: SCSIDispatcher,
                             faults: FaultInjector, workerThreads: Int = 8) async throws -> ISCSITargetServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
        let pool = NIOThreadPool(numberOfThreads: workerThreads)
        pool.start()
        let counter = ConnectionCounter()
        let advertisedHost = host
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let framing = FramingState()
                    let localPort = channel.localAddress?.port ?? port
                    let portal = TargetPortal(host: advertisedHost, port: UInt16(clamping: localPort), portalGroupTag: settings.portalGroupTag)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ISCSIFrameDecoder(state: framing)))
                    try channel.pipeline.syncOperations.addHandler(ISCSIConnectionHandler(
                        settings: settings, dispatcher: dispatcher, faults: faults, pool: pool, framing: framing,
                        portal: portal, connectionNumber: counter.next()))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            let boundPort = channel.localAddress?.port ?? port
            return ISCSITargetServer(settings: settings, dispatcher: dispatcher, faults: faults, group: group, pool: pool,
                                     channel: channel, host: host, port: boundPort)
        } catch {
            try? await pool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Closes the listener and every session, then stops the threads.
    public func stop() async {
        try? await channel.close()
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    /// The libiscsi URL of a LUN on this server.
    public func url(lun: UInt64) -> String {
        let host = boundHost.contains(":") ? "[\(boundHost)]" : boundHost
        return "iscsi://\(host):\(boundPort)/\(settings.targetName)/\(lun)"
    }
}

/// Numbers connections, to give each session its own nexus and TSIH.
final class ConnectionCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NIOLock()
    func next() -> Int { lock.withLock { value += 1; return value } }
}
