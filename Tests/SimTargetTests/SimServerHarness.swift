import Foundation
import ISCSIWire
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
    let fd: Int32
    var cmdSN: UInt32 = 1
    var itt: UInt32 = 1
    var expStatSN: UInt32 = 0
    var framer = PDUFramer()
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            off += n
        }
    }

    /// The next PDU, or nil when the target closed the connection (or 5 s passed).
    func receive() throws -> ISCSIPDU? {
        while true {
            if let pdu = try framer.nextPDU(from: &pending) { return pdu }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &buf, buf.count)
            if n <= 0 { return nil }
            pending += buf[0..<n]
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
