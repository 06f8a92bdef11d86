import ISCSIWire
import NIOCore
import NIOPosix
import SCSIWire
import SimArray

/// One iSCSI connection (one session: we offer MaxConnections=1): login, then the full
/// feature phase. SCSI work runs on a thread pool, so a long copy or a slow file never stalls
/// the event loop or other sessions; everything else stays on the channel's event loop.
final class ISCSIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundOut = ByteBuffer

    private let settings: TargetSettings
    private let dispatcher: SCSIDispatcher
    private let faults: FaultInjector
    private let pool: NIOThreadPool
    private let framing: FramingState
    private let portal: TargetPortal
    private let connectionNumber: Int

    private var login: LoginStateMachine
    private var session: NegotiatedSession?
    private var initiator: InitiatorContext?
    private var statSN: UInt32 = 1
    private var expCmdSN: UInt32 = 0
    private var pendingWrites: [UInt32: PendingWrite] = [:]
    /// Tasks handed to the pool and not answered yet, by initiator task tag.
    private var running: Set<UInt32> = []
    /// Of those, the ones a task management function aborted: they run to completion on the
    /// pool (an array cannot always stop a command halfway) but get no response (RFC 7143
    /// 4.2.3.1: an aborted task's status is not sent).
    private var aborted: Set<UInt32> = []
    private var nextTargetTransferTag: UInt32 = 1
    private var textAccumulator = TextAccumulator()
    private var closing = false

    init(settings: TargetSettings, dispatcher: SCSIDispatcher, faults: FaultInjector, pool: NIOThreadPool,
         framing: FramingState, portal: TargetPortal, connectionNumber: Int) {
        self.settings = settings
        self.dispatcher = dispatcher
        self.faults = faults
        self.pool = pool
        self.framing = framing
        self.portal = portal
        self.connectionNumber = connectionNumber
        self.login = LoginStateMachine(configuration: settings.loginConfiguration)
    }

    private var maxCmdSN: UInt32 { expCmdSN &+ settings.commandWindow &- 1 }

    /// Takes the next StatSN for a status-bearing PDU.
    private func takeStatSN() -> UInt32 {
        defer { statSN &+= 1 }
        return statSN
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case let .malformed(error):
            handleMalformed(error, context: context)
        case let .pdu(pdu):
            do {
                let request = try InitiatorPDU(pdu: pdu)
                if session == nil {
                    guard case let .loginRequest(r) = request else {
                        // Anything but Login before the full feature phase ends the connection.
                        close(context)
                        return
                    }
                    handleLogin(r, context: context)
                } else {
                    handleFullFeature(request, header: pdu.header, context: context)
                }
            } catch let error as ISCSIWireError {
                handleMalformed(error, context: context)
            } catch {
                close(context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let nexus = initiator?.nexus { dispatcher.array.forget(nexus: nexus) }
        pendingWrites.removeAll()
        running.removeAll()
        aborted.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close(context)
    }

    private func handleMalformed(_ error: ISCSIWireError, context: ChannelHandlerContext) {
        guard session != nil, !error.isConnectionFatal, let reason = error.rejectReason, let header = error.offendingHeader else {
            close(context)
            return
        }
        send(RejectPDU(reason: reason, rejecting: header, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN).pdu, context: context)
    }

    // MARK: - Login

    private func handleLogin(_ request: LoginRequest, context: ChannelHandlerContext) {
        if login.phase == .awaitingFirstRequest { expCmdSN = request.cmdSN }
        let reply = login.handle(request)
        let response = reply.response(to: request, tsih: reply.isComplete ? UInt16(truncatingIfNeeded: connectionNumber | 1) : 0,
                                      statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN)
        send(response.pdu, context: context)
        if reply.isFailure {
            closing = true
            context.flush()
            context.close(promise: nil)
            return
        }
        if let negotiated = reply.completedSession {
            session = negotiated
            // The next PDU already follows the negotiated digests and segment limit.
            framing.framer = PDUFramer(digests: negotiated.digests,
                                       maxRecvDataSegmentLength: Int(negotiated.targetMaxRecvDataSegmentLength))
            if negotiated.sessionType == .normal {
                let isid = request.isid
                let ctx = InitiatorContext(
                    nexus: "\(negotiated.initiatorName),i,0x\(isid) -> \(settings.targetName),t,0x\(settings.portalGroupTag)#\(connectionNumber)",
                    initiatorName: negotiated.initiatorName,
                    portDesignators: portDesignators())
                initiator = ctx
                dispatcher.array.register(ctx)
            }
        }
    }

    /// What the target port adds to VPD 0x83 after the LU's own designators.
    private func portDesignators() -> [Designator] {
        let relativePort: [UInt8] = [0, 0, 0, 1]
        return [
            Designator(protocolIdentifier: 5, codeSet: .binary, piv: true, association: .targetPort,
                       type: .relativeTargetPort, value: relativePort),
            Designator(protocolIdentifier: 5, codeSet: .utf8, piv: true, association: .targetPort, type: .scsiNameString,
                       value: Self.paddedName("\(settings.targetName),t,0x\(String(settings.portalGroupTag, radix: 16, uppercase: false).leftPadded(4))")),
            Designator(protocolIdentifier: 5, codeSet: .utf8, piv: true, association: .targetDevice, type: .scsiNameString,
                       value: Self.paddedName(settings.targetName)),
        ]
    }

    /// SCSI name strings are NUL-terminated and padded to a multiple of 4 bytes.
    static func paddedName(_ s: String) -> [UInt8] {
        var b = Array(s.utf8) + [0]
        while b.count % 4 != 0 { b.append(0) }
        return b
    }

    // MARK: - Full feature phase

    private func handleFullFeature(_ request: InitiatorPDU, header: BasicHeaderSegment, context: ChannelHandlerContext) {
        if let (cmdSN, immediate) = Self.sequencing(request), !immediate,
           !SerialNumber.isInWindow(cmdSN, expCmdSN: expCmdSN, maxCmdSN: maxCmdSN) {
            // RFC 7143 3.2.2.1: a command outside [ExpCmdSN, MaxCmdSN] is silently ignored.
            return
        }
        switch request {
        case let .scsiCommand(cmd):
            advanceCmdSN(cmd.cmdSN, immediate: cmd.immediate)
            guard session?.sessionType == .normal, let initiator else {
                send(RejectPDU(reason: .commandNotSupported, rejecting: header, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN).pdu, context: context)
                return
            }
            startCommand(cmd, initiator: initiator, context: context)
        case let .dataOut(d):
            receiveDataOut(d, header: header, context: context)
        case let .nopOut(ping):
            if !ping.immediate { advanceCmdSN(ping.cmdSN, immediate: false) }
            if ping.expectsResponse {
                send(NOPIn(answering: ping, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN).pdu, context: context)
            }
        case let .textRequest(t):
            advanceCmdSN(t.cmdSN, immediate: t.immediate)
            answerText(t, header: header, context: context)
        case let .taskManagementRequest(tmf):
            advanceCmdSN(tmf.cmdSN, immediate: tmf.immediate)
            answerTaskManagement(tmf, context: context)
        case let .logoutRequest(l):
            advanceCmdSN(l.cmdSN, immediate: l.immediate)
            let response = LogoutResponse(initiatorTaskTag: l.initiatorTaskTag, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN)
            send(response.pdu, context: context)
            closing = true
            context.flush()
            context.close(promise: nil)
        case .loginRequest, .snackRequest:
            // A second login on a live connection, or a SNACK at ErrorRecoveryLevel 0.
            send(RejectPDU(reason: .protocolError, rejecting: header, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN).pdu, context: context)
        }
    }

    /// CmdSN and the immediate bit of the PDUs that carry one.
    private static func sequencing(_ request: InitiatorPDU) -> (UInt32, Bool)? {
        switch request {
        case let .scsiCommand(p): return (p.cmdSN, p.immediate)
        case let .nopOut(p): return (p.cmdSN, p.immediate)
        case let .textRequest(p): return (p.cmdSN, p.immediate)
        case let .taskManagementRequest(p): return (p.cmdSN, p.immediate)
        case let .logoutRequest(p): return (p.cmdSN, p.immediate)
        default: return nil
        }
    }

    private func advanceCmdSN(_ cmdSN: UInt32, immediate: Bool) {
        guard !immediate, cmdSN == expCmdSN else { return }
        expCmdSN &+= 1
    }

    private func answerText(_ t: TextRequest, header: BasicHeaderSegment, context: ChannelHandlerContext) {
        let targets = [DiscoveredTarget(name: settings.targetName, portals: [portal])]
        let sessionTarget = session?.sessionType == .normal ? settings.targetName : nil
        do {
            let r = try SendTargets.response(to: t, targets: targets, sessionTarget: sessionTarget,
                                             statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN)
            send(r.pdu, context: context)
        } catch {
            // Text keys other than SendTargets: nothing to negotiate after login here.
            let r = TextResponse(final: true, lun: t.lun, initiatorTaskTag: t.initiatorTaskTag, statSN: takeStatSN(),
                                 expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, data: [])
            send(r.pdu, context: context)
        }
    }

    private func answerTaskManagement(_ tmf: TaskManagementRequest, context: ChannelHandlerContext) {
        var code = TaskManagementResponseCode.functionComplete
        switch tmf.function {
        case .abortTask:
            code = abort(tmf)
        case .abortTaskSet, .clearTaskSet:
            abortAll()
        case .logicalUnitReset, .targetWarmReset:
            abortAll()
            if let lun = ReportLunsData.lunNumber(fromField: tmf.lun), tmf.function == .logicalUnitReset {
                dispatcher.array.establishUnitAttention(.powerOnResetOrBusDeviceReset, lun: lun)
            }
        case .targetColdReset:
            code = .functionNotSupported
        default:
            code = .functionNotSupported
        }
        let r = TaskManagementResponse(response: code, initiatorTaskTag: tmf.initiatorTaskTag, statSN: takeStatSN(),
                                       expCmdSN: expCmdSN, maxCmdSN: maxCmdSN)
        send(r.pdu, context: context)
    }

    /// ABORT TASK: a write still gathering data is dropped, a task on the pool loses its
    /// response; either is "Function complete". A task already answered does not exist any
    /// more, unless its CmdSN was never received (RFC 7143 11.5.1: a RefCmdSN inside the
    /// window and before the TMF's own counts as received and aborted).
    private func abort(_ tmf: TaskManagementRequest) -> TaskManagementResponseCode {
        let tag = tmf.referencedTaskTag
        if pendingWrites.removeValue(forKey: tag) != nil { return .functionComplete }
        if running.contains(tag) {
            aborted.insert(tag)
            return .functionComplete
        }
        let notYetReceived = !SerialNumber.isLess(tmf.refCmdSN, expCmdSN) && SerialNumber.isLess(tmf.refCmdSN, tmf.cmdSN)
        return notYetReceived ? .functionComplete : .taskDoesNotExist
    }

    /// ABORT TASK SET, CLEAR TASK SET, resets: every task of this connection is aborted.
    private func abortAll() {
        pendingWrites.removeAll()
        aborted.formUnion(running)
    }

    // MARK: - SCSI commands

    private func startCommand(_ cmd: SCSICommandPDU, initiator: InitiatorContext, context: ChannelHandlerContext) {
        // LUN fields the array cannot address go to an impossible LUN: the dispatcher answers
        // LOGICAL UNIT NOT SUPPORTED for them.
        let lun = ReportLunsData.lunNumber(fromField: cmd.lun) ?? UInt64.max
        if let opcode = cmd.cdb.first, faults.takeConnectionDrop(opcode: opcode) {
            close(context)
            return
        }
        if let status = faults.statusOverride() {
            respond(to: cmd, result: SCSIResult(status: status), context: context)
            context.flush()
            return
        }
        let expected = Int(cmd.expectedDataTransferLength)
        guard cmd.write, expected > 0 else {
            dispatch(cmd, lun: lun, dataOut: [], initiator: initiator, context: context)
            return
        }
        guard let session else { return }
        var buffer = [UInt8](repeating: 0, count: expected)
        let immediate = min(cmd.immediateData.count, expected)
        buffer.replaceSubrange(0..<immediate, with: cmd.immediateData.prefix(immediate))
        let unsolicitedEnd = session.initialR2T ? immediate : min(Int(session.firstBurstLength), expected)
        var pending = PendingWrite(command: cmd, lun: lun, buffer: buffer, received: immediate,
                                   unsolicitedEnd: max(immediate, unsolicitedEnd))
        if pending.complete {
            dispatch(cmd, lun: lun, dataOut: pending.buffer, initiator: initiator, context: context)
            return
        }
        if pending.received >= pending.unsolicitedEnd {
            solicitNextBurst(&pending, context: context)
        }
        pendingWrites[cmd.initiatorTaskTag] = pending
    }

    private func receiveDataOut(_ d: SCSIDataOut, header: BasicHeaderSegment, context: ChannelHandlerContext) {
        // Taken out of the table while it grows, so its buffer has one owner and is filled in
        // place (a copy in the table too would make every Data-Out PDU copy the whole buffer).
        guard let initiator, var pending = pendingWrites.removeValue(forKey: d.initiatorTaskTag) else {
            // Data for a task we do not know (aborted, or never sent): RFC 7143 says ignore
            // unsolicited leftovers; a solicited one is a protocol error.
            if !d.isUnsolicited {
                send(RejectPDU(reason: .invalidPDUField, rejecting: header, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN).pdu, context: context)
            }
            return
        }
        guard d.dataSN == pending.nextDataSN else {
            // ErrorRecoveryLevel 0 has no within-command recovery: the task ends, the session
            // stays (ABORTED COMMAND, DATA PHASE ERROR).
            let sense = SenseData(format: initiator.senseFormat, key: .abortedCommand, additionalSense: AdditionalSense(code: 0x4B, qualifier: 0x00))
            respond(to: pending.command, result: .checkCondition(sense), context: context)
            context.flush()
            return
        }
        pending.nextDataSN &+= 1
        let offset = Int(d.bufferOffset)
        guard offset == pending.received, offset + d.data.count <= pending.expected else {
            // Out of order or past the expected length: we negotiated DataPDUInOrder=Yes.
            send(RejectPDU(reason: .protocolError, rejecting: header, statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN).pdu, context: context)
            return
        }
        pending.buffer.replaceSubrange(offset..<(offset + d.data.count), with: d.data)
        pending.received += d.data.count
        if pending.complete {
            dispatch(pending.command, lun: pending.lun, dataOut: pending.buffer, initiator: initiator, context: context)
            return
        }
        let burstDone: Bool
        if let r2t = pending.outstandingR2T {
            burstDone = pending.received >= r2t.end
        } else {
            burstDone = d.final && pending.received >= pending.unsolicitedEnd || pending.received >= pending.unsolicitedEnd
        }
        if burstDone { solicitNextBurst(&pending, context: context) }
        pendingWrites[d.initiatorTaskTag] = pending
    }

    private func solicitNextBurst(_ pending: inout PendingWrite, context: ChannelHandlerContext) {
        guard let session else { return }
        let offset = pending.received
        let length = min(Int(session.maxBurstLength), pending.expected - offset)
        let tag = nextTargetTransferTag
        nextTargetTransferTag = nextTargetTransferTag &+ 1 == BasicHeaderSegment.reservedTag ? 1 : nextTargetTransferTag &+ 1
        pending.outstandingR2T = (tag, offset + length)
        pending.nextDataSN = 0  // DataSN restarts with each R2T's burst
        let r2t = ReadyToTransfer(lun: pending.command.lun, initiatorTaskTag: pending.command.initiatorTaskTag, targetTransferTag: tag,
                                  statSN: statSN, expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, r2tSN: pending.r2tSN,
                                  bufferOffset: UInt32(offset), desiredDataTransferLength: UInt32(length))
        pending.r2tSN &+= 1
        send(r2t.pdu, context: context)
    }

    private func dispatch(_ cmd: SCSICommandPDU, lun: UInt64, dataOut: [UInt8], initiator: InitiatorContext, context: ChannelHandlerContext) {
        let request = SCSIRequest(lun: lun, cdb: cmd.cdb, dataOut: dataOut,
                                  expectedDataInLength: cmd.read ? Int(cmd.expectedDataTransferLength) : 0, initiator: initiator)
        let dispatcher = self.dispatcher
        let delay = faults.completionDelay
        let loopSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        running.insert(cmd.initiatorTaskTag)
        pool.runIfActive(eventLoop: eventLoop) { dispatcher.execute(request) }.whenComplete { outcome in
            let result: SCSIResult
            switch outcome {
            case let .success(r): result = r
            case .failure: result = SCSIResult(status: .busy)  // pool shutting down
            }
            if let delay {
                eventLoop.scheduleTask(in: .nanoseconds(Int64(delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000))) {
                    loopSelf.value.finish(cmd, result: result, context: loopContext.value)
                }
            } else {
                loopSelf.value.finish(cmd, result: result, context: loopContext.value)
            }
        }
    }

    /// A task back from the pool: answered, unless it was aborted meanwhile.
    private func finish(_ cmd: SCSICommandPDU, result: SCSIResult, context: ChannelHandlerContext) {
        running.remove(cmd.initiatorTaskTag)
        if aborted.remove(cmd.initiatorTaskTag) != nil { return }
        respond(to: cmd, result: result, context: context)
        context.flush()
    }

    /// Data-In PDUs for read data (status in the last one), or one SCSI Response. Residuals
    /// compare what the command produced with what the initiator said it expected (EDTL):
    /// less is underflow, more (including any data when EDTL is 0) is overflow.
    private func respond(to cmd: SCSICommandPDU, result: SCSIResult, context: ChannelHandlerContext) {
        guard !closing, context.channel.isActive, let session else { return }
        let expectedIn = cmd.read ? Int(cmd.expectedDataTransferLength) : 0
        let (bytes, residualValue) = result.dataIn(clippedTo: expectedIn)
        var residual: ResidualCount = residualValue > 0 ? .underflow(UInt32(residualValue))
            : residualValue < 0 ? .overflow(UInt32(-residualValue)) : .none
        if cmd.write, let wanted = result.dataOutLength {
            let sent = Int(cmd.expectedDataTransferLength)
            residual = sent > wanted ? .underflow(UInt32(sent - wanted)) : sent < wanted ? .overflow(UInt32(wanted - sent)) : .none
        }
        if result.status != .good, !(cmd.write && result.dataOutLength != nil) { residual = .none }
        if result.status == .good, !bytes.isEmpty {
            let segment = max(512, Int(session.initiatorMaxRecvDataSegmentLength))
            let burst = max(segment, Int(session.maxBurstLength))
            var offset = 0
            var dataSN: UInt32 = 0
            let total = bytes.count
            let base = bytes.startIndex
            while offset < total {
                let n = min(segment, total - offset)
                let last = offset + n >= total
                // F ends each Data-In sequence; sequences hold at most MaxBurstLength bytes.
                let endOfBurst = last || (offset + n) % burst == 0
                let status = last ? DataInStatus(status: result.status.rawValue, statSN: takeStatSN(), residual: residual) : nil
                let pdu = SCSIDataIn(final: endOfBurst, lun: cmd.lun, initiatorTaskTag: cmd.initiatorTaskTag,
                                     expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, dataSN: dataSN, bufferOffset: UInt32(offset),
                                     status: status, data: Array(bytes[(base + offset)..<(base + offset + n)]))
                send(pdu.pdu, context: context, flush: false)
                offset += n
                dataSN &+= 1
            }
            return
        }
        let response = SCSIResponsePDU(status: result.status.rawValue, residual: residual, initiatorTaskTag: cmd.initiatorTaskTag,
                                       statSN: takeStatSN(), expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, senseData: result.sense)
        send(response.pdu, context: context, flush: false)
    }

    // MARK: - Output

    private func send(_ pdu: ISCSIPDU, context: ChannelHandlerContext, flush: Bool = true) {
        let digests = session?.digests ?? .none
        guard let bytes = try? pdu.encoded(digests: digests) else {
            close(context)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        if flush {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        } else {
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
    }

    private func close(_ context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.close(promise: nil)
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
