import Foundation
import ISCSIWire
import SCSIWire
import SimArray
import SimTarget

/// An offload-sim server in the test process, on an ephemeral loopback port, with memory LUNs.
struct SimServerHarness {
    let server: ISCSITargetServer
    let array: SimulatedArray
    let faults: FaultInjector

    static func start(luns: Int = 2, faults: [Fault] = []) async throws -> SimServerHarness {
        let array = try SimulatedArray()
        for lun in 0..<luns {
            try array.add(LogicalUnit(identity: .generate(), store: MemoryBlockStore(blockSize: 512, blockCount: 2048)), lun: UInt64(lun))
        }
        let injector = FaultInjector(faults)
        let dispatcher = SCSIDispatcher(array: array)
        dispatcher.faults = injector
        let server = try await ISCSITargetServer.start(host: "127.0.0.1", port: 0, settings: TargetSettings(),
                                                        dispatcher: dispatcher, faults: injector, workerThreads: 2)
        return SimServerHarness(server: server, array: array, faults: injector)
    }
}

/// A bare-bones iSCSI initiator over a blocking socket, speaking ISCSIWire PDUs: lets tests
/// send what no well-behaved initiator would.
final class RawInitiator {
    private let socket: LoopbackSocket
    var cmdSN: UInt32 = 1
    var itt: UInt32 = 1
    var expStatSN: UInt32 = 0
    var framer = PDUFramer()
    private var pending: [UInt8] = []

    init(port: Int) throws { socket = try LoopbackSocket(port: port) }

    func send(_ bytes: [UInt8]) { socket.send(bytes) }

    /// Sends TEST UNIT READY to `lun` with the next CmdSN (then advanced); returns that CmdSN.
    @discardableResult
    func sendTestUnitReady(lun: UInt64 = 0, itt: UInt32) throws -> UInt32 {
        let sn = cmdSN
        let tur = SCSICommandPDU(final: true, lun: try ReportLunsData.field(forLUN: lun), initiatorTaskTag: itt,
                                 expectedDataTransferLength: 0, cmdSN: sn, expStatSN: expStatSN, cdb: CDB.testUnitReady())
        send(try tur.pdu.encoded())
        cmdSN &+= 1
        return sn
    }

    /// The next PDU, or nil when the target closed the connection (or 5 s passed).
    func receive() throws -> ISCSIPDU? {
        while true {
            if let pdu = try framer.nextPDU(from: &pending) { return pdu }
            guard socket.receive(into: &pending) else { return nil }
        }
    }

    /// Logs in to a normal session in one operational-stage exchange.
    func login(target: String = TargetSettings.defaultTargetName) throws -> LoginResponse? {
        var text = TextParameters()
        text.append("InitiatorName", "iqn.2026-11.test:raw")
        text.append("TargetName", target)
        text.append("SessionType", "Normal")
        text.append("HeaderDigest", "None")
        text.append("DataDigest", "None")
        let request = LoginRequest(transit: true, currentStage: .operationalNegotiation, nextStage: .fullFeaturePhase,
                                   isid: ISID(rawValue: 0x8000_0000_0001), initiatorTaskTag: 0, cmdSN: cmdSN, expStatSN: 0,
                                   data: text.encoded())
        send(try request.pdu.encoded())
        guard let pdu = try receive() else { return nil }
        let response = try LoginResponse(pdu: pdu)
        expStatSN = response.statSN &+ 1
        return response
    }
}
