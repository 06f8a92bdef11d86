import ISCSIWire
import Testing

/// Deterministic garbage and mutations through every decoder: each must return or throw an
/// `ISCSIWireError`, never trap (a crash would end the test run).
@Suite struct HostileInputTests {
    /// A small LCG so failures reproduce.
    struct Garbage {
        var state: UInt64
        mutating func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in next() } }
    }

    static func decodeEverything(_ bytes: [UInt8]) {
        _ = try? BasicHeaderSegment(parsing: bytes)
        _ = try? ISCSIPDU(parsing: bytes)
        _ = try? PDUFramer(digests: .crc32c, maxRecvDataSegmentLength: 1 << 24).decode(frame: bytes)
        var buffer = bytes
        _ = try? PDUFramer(maxRecvDataSegmentLength: 64).nextPDU(from: &buffer)
        if let pdu = try? ISCSIPDU(parsing: bytes) {
            _ = try? InitiatorPDU(pdu: pdu)
            _ = try? SCSIResponsePDU(pdu: pdu)
            _ = try? SCSIDataIn(pdu: pdu)
            _ = try? LoginResponse(pdu: pdu)
            _ = try? TextResponse(pdu: pdu)
            _ = try? RejectPDU(pdu: pdu)
        }
        _ = try? TextParameters(parsing: bytes)
        _ = try? AdditionalHeaderSegment.parseAll(bytes)
        _ = try? CHAPBinaryValue.decode(String(decoding: bytes, as: UTF8.self))
    }

    @Test func randomBytes() {
        var g = Garbage(state: 0x1234_5678)
        for round in 0..<2000 {
            Self.decodeEverything(g.bytes(round % 160))
        }
    }

    /// Valid PDUs with one opcode forced and random header bytes: exercises every view's
    /// field checks rather than the length checks.
    @Test func mutatedHeadersForEveryOpcode() throws {
        var g = Garbage(state: 42)
        for opcode in 0..<64 {
            for _ in 0..<40 {
                var h = g.bytes(48)
                h[0] = UInt8(opcode) | (h[0] & 0x40)
                h[4] = 0
                let dataLength = Int(g.next() % 40)
                h[5] = 0; h[6] = 0; h[7] = UInt8(dataLength)
                let frame = h + g.bytes((dataLength + 3) / 4 * 4)
                Self.decodeEverything(frame)
            }
        }
    }

    /// Random login text through the state machine: every reply is a reply, never a crash.
    @Test func randomLoginText() {
        var g = Garbage(state: 7)
        let config = LoginTargetConfiguration(targets: [TargetNodeConfiguration(name: "iqn.t")])
        let keys = ["InitiatorName", "TargetName", "SessionType", "AuthMethod", "CHAP_A", "CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C",
                    "MaxBurstLength", "FirstBurstLength", "HeaderDigest", "InitialR2T", "MaxRecvDataSegmentLength", "X-y"]
        let values = ["", "0", "5", "None", "CHAP", "Yes", "No", "0x", "0b==", "iqn.t", "Discovery", "Normal", "99999999999999999999"]
        for _ in 0..<300 {
            var m = LoginStateMachine(configuration: config, challengeSource: FixedChallengeSource(bytes: [1]))
            for _ in 0..<4 {
                var text = TextParameters()
                for _ in 0..<Int(g.next() % 6) {
                    text.append(keys[Int(g.next()) % keys.count], values[Int(g.next()) % values.count])
                }
                let stage: LoginStage = g.next() % 2 == 0 ? .securityNegotiation : .operationalNegotiation
                let request = LoginRequest(transit: g.next() % 2 == 0, currentStage: stage,
                                           nextStage: g.next() % 2 == 0 ? .operationalNegotiation : .fullFeaturePhase,
                                           isid: ISID(rawValue: 1), initiatorTaskTag: 1, cmdSN: 1, data: text.encoded())
                _ = m.handle(request)
            }
        }
    }

    @Test func errorClassification() {
        let h = BasicHeaderSegment(opcode: .scsiCommand)
        #expect(ISCSIWireError.headerDigestMismatch(computed: 1, received: 2).isConnectionFatal)
        #expect(ISCSIWireError.headerDigestMismatch(computed: 1, received: 2).rejectReason == nil)
        #expect(ISCSIWireError.dataSegmentTooLong(length: 9, limit: 8, header: h).offendingHeader == h)
        #expect(ISCSIWireError.invalidField(what: "x", detail: "y").rejectReason == .invalidPDUField)
        #expect(ISCSIWireError.duplicateKey("K").rejectReason == nil)
        #expect(ISCSIWireError.dataSegmentTooLong(length: 9, limit: 8, header: h).description
            == "data segment of 9 bytes exceeds MaxRecvDataSegmentLength 8")
        #expect(ISCSIWireError.unexpectedOpcode(expected: .nopOut, found: 0x21).description == "expected a NOP-Out PDU, found opcode 0x21")
    }
}
