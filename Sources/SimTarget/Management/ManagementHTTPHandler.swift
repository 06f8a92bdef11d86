import NIOCore
import NIOHTTP1
import NIOPosix

/// One management connection, behind NIO's HTTP/1.1 server pipeline (which serialises
/// pipelined requests and answers unparsable ones with 400). Checks the bearer token on the
/// request head, so an unauthenticated body is never buffered; collects at most
/// `maximumBodyBytes` of body; runs the router on the thread pool; writes the JSON answer with
/// Content-Length, keeping the connection open when the client asked for keep-alive.
///
/// A body over the limit (by Content-Length or as it arrives) gets 413 at once, with
/// `Connection: close`; the rest of the request is read and dropped before the connection
/// closes, so the client sees the answer rather than a reset.
final class ManagementHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case reading(HTTPRequestHead, authorized: Bool)
        /// Answered early; dropping the rest of the request, then closing.
        case draining
        /// The router has the request.
        case waiting
    }

    private let token: ManagementToken
    private let router: ManagementRouter
    private let pool: NIOThreadPool
    private let maximumBodyBytes: Int
    private var state = State.idle
    private var body: [UInt8] = []
    private var discarded = 0

    /// How long a client that was answered early may take to finish sending.
    static let drainTimeout = TimeAmount.seconds(5)

    init(token: ManagementToken, router: ManagementRouter, pool: NIOThreadPool, maximumBodyBytes: Int) {
        self.token = token
        self.router = router
        self.pool = pool
        self.maximumBodyBytes = maximumBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            guard case .idle = state else { return }
            let credentials = head.headers["authorization"]
            let authorized = credentials.count == 1 && token.authorizes(authorizationHeader: credentials[0])
            body = []
            discarded = 0
            if let length = head.headers["content-length"].first.flatMap({ Int($0) }), length > maximumBodyBytes {
                answerEarly(authorized ? tooLarge() : unauthorized(), head: head, context: context)
                return
            }
            state = .reading(head, authorized: authorized)
        case var .body(chunk):
            switch state {
            case let .reading(head, authorized):
                if authorized, body.count + chunk.readableBytes <= maximumBodyBytes {
                    body += chunk.readBytes(length: chunk.readableBytes) ?? []
                } else if authorized {
                    answerEarly(tooLarge(), head: head, context: context)
                } else {
                    discarded += chunk.readableBytes
                    if discarded > maximumBodyBytes { answerEarly(unauthorized(), head: head, context: context) }
                }
            case .idle, .draining, .waiting:
                break
            }
        case .end:
            switch state {
            case let .reading(head, authorized: false):
                state = .idle
                write(unauthorized(), head: head, keepAlive: head.isKeepAlive, context: context)
            case let .reading(head, authorized: true):
                state = .waiting
                dispatch(head, body: body, context: context)
                body = []
            case .draining:
                context.close(promise: nil)
            case .idle, .waiting:
                break
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: - Answers

    private func unauthorized() -> ManagementResponse {
        .error(.unauthorized, "a valid 'Authorization: Bearer TOKEN' header is required",
               headers: [("WWW-Authenticate", "Bearer realm=\"offload-sim\"")])
    }

    private func tooLarge() -> ManagementResponse {
        .error(.payloadTooLarge, "request bodies are limited to \(maximumBodyBytes) bytes")
    }

    private func dispatch(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        let router = self.router
        let method = head.method, uri = head.uri
        let loopSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        pool.runIfActive(eventLoop: context.eventLoop) {
            router.respond(method: method, uri: uri, body: body)
        }.whenComplete { outcome in
            let response: ManagementResponse
            switch outcome {
            case let .success(r): response = r
            case .failure: response = .error(.serviceUnavailable, "the management server is shutting down")
            }
            let handler = loopSelf.value
            guard case .waiting = handler.state else { return }
            handler.state = .idle
            handler.write(response, head: head, keepAlive: head.isKeepAlive, context: loopContext.value)
        }
    }

    /// Answers before the request has been read to its end, then drops the rest and closes.
    private func answerEarly(_ response: ManagementResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .draining
        body = []
        write(response, head: head, keepAlive: false, closeAfterWrite: false, context: context)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.drainTimeout) { channel.close(promise: nil) }
    }

    private func write(_ response: ManagementResponse, head request: HTTPRequestHead, keepAlive: Bool,
                       closeAfterWrite: Bool = true, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        if !response.body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let version = request.version == .http1_0 ? HTTPVersion.http1_0 : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))),
                      promise: nil)
        if !response.body.isEmpty, request.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive, closeAfterWrite {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
