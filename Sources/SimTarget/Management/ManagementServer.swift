import NIOCore
import NIOHTTP1
import NIOPosix

/// The management API on the network: HTTP/1.1 with JSON bodies and a bearer token, on the
/// address it is given and no other (offload-sim defaults to 127.0.0.1, any free port). Its own
/// event loop and one worker thread, so management requests run one at a time and never
/// compete with iSCSI sessions for the target's event loops. offload-sim stops it with the
/// iSCSI server. The API itself is in docs/management-api.md.
public final class ManagementServer: Sendable {
    /// The default cap on a request body; larger bodies get 413.
    public static let defaultMaximumBodyBytes = 64 * 1024

    public let context: ManagementContext
    /// The address actually bound (port 0 becomes the kernel's choice).
    public let boundHost: String
    public let boundPort: Int
    private let group: MultiThreadedEventLoopGroup
    private let pool: NIOThreadPool
    private let channel: Channel

    private init(context: ManagementContext, group: MultiThreadedEventLoopGroup, pool: NIOThreadPool, channel: Channel,
                 host: String, port: Int) {
        self.context = context
        self.group = group
        self.pool = pool
        self.channel = channel
        self.boundHost = host
        self.boundPort = port
    }

    /// Binds `host:port` and starts answering requests that carry `token`.
    public static func start(host: String, port: Int, token: ManagementToken, context: ManagementContext,
                             maximumBodyBytes: Int = defaultMaximumBodyBytes) async throws -> ManagementServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // One thread: requests are applied to the array in the order they complete reading.
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let router = ManagementRouter(context: context)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 16)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        ManagementHTTPHandler(token: token, router: router, pool: pool, maximumBodyBytes: maximumBodyBytes))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return ManagementServer(context: context, group: group, pool: pool, channel: channel, host: host,
                                    port: channel.localAddress?.port ?? port)
        } catch {
            try? await pool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Closes the listener and every connection, then stops the threads.
    public func stop() async {
        try? await channel.close()
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    /// `http://HOST:PORT`, IPv6 hosts in brackets.
    public var url: String {
        let host = boundHost.contains(":") ? "[\(boundHost)]" : boundHost
        return "http://\(host):\(boundPort)"
    }
}
