import ISCSIWire
import Testing

@Suite struct PDUFramerTests {
    typealias S = WireTestSupport

    static func nop(_ data: [UInt8]) -> ISCSIPDU {
        NOPOut(initiatorTaskTag: 1, cmdSN: 2, expStatSN: 3, pingData: data).pdu
    }

    /// Lengths follow RFC 7143 11.1: BHS, AHS words, header digest, padded data, data digest
    /// (only when there is data).
    @Test func frameLengths() throws {
        let plain = PDUFramer()
        let digests = PDUFramer(digests: .crc32c)
        for n in [0, 1, 2, 3, 4, 5, 8191] {
            let pdu = Self.nop([UInt8](repeating: 7, count: n))
            let padded = (n + 3) / 4 * 4
            #expect(plain.frameLength(in: try pdu.encoded()) == 48 + padded)
            #expect(digests.frameLength(in: try pdu.encoded(digests: .crc32c)) == 48 + 4 + padded + (n > 0 ? 4 : 0))
            #expect(plain.frameLength(of: pdu.header) == 48 + padded)
        }
        #expect(plain.frameLength(in: [UInt8](repeating: 0, count: 47)) == nil)
        var withAHS = [UInt8](repeating: 0, count: 48)
        withAHS[4] = 3
        #expect(plain.frameLength(in: withAHS) == 60)
    }

    /// The RFC 3720 B.4 READ(10) PDU with its header digest appended, as it would arrive.
    @Test func rfcReadCommandWithHeaderDigest() throws {
        let wire = CRC32CTests.rfcReadCommand + [0x56, 0x3A, 0x96, 0xD9]
        let framer = PDUFramer(digests: DigestSettings(header: .crc32c, data: .none))
        #expect(framer.frameLength(in: wire) == 52)
        let pdu = try framer.decode(frame: wire)
        #expect(try SCSICommandPDU(pdu: pdu).initiatorTaskTag == 0x1400_0000)
        #expect(try pdu.encoded(digests: framer.digests) == wire)
        var bad = wire
        bad[51] ^= 1
        S.expectWireError({ try framer.decode(frame: bad) }) {
            if case let .headerDigestMismatch(computed, received) = $0 { return computed == 0xD996_3A56 && received == 0xD896_3A56 }
            return false
        }
    }

    @Test func digestsRoundTripAndPadIsCovered() throws {
        let pdu = Self.nop([1, 2, 3, 4, 5])
        let wire = try pdu.encoded(digests: .crc32c)
        #expect(wire.count == 48 + 4 + 8 + 4)
        #expect(Array(wire[48..<52]) == CRC32C.checksumBytes(Array(wire[0..<48])))
        // The data digest covers data and padding (RFC 7143 13.1).
        #expect(Array(wire[60..<64]) == CRC32C.checksumBytes([1, 2, 3, 4, 5, 0, 0, 0]))
        #expect(try PDUFramer(digests: .crc32c).decode(frame: wire) == pdu)
    }

    @Test func dataDigestMismatchKeepsTheHeaderForTheReject() throws {
        let pdu = Self.nop([9, 9, 9, 9])
        var wire = try pdu.encoded(digests: .crc32c)
        wire[wire.count - 1] ^= 0xFF
        var buffer = wire + [0xAA]
        let framer = PDUFramer(digests: .crc32c)
        do {
            _ = try framer.nextPDU(from: &buffer)
            Issue.record("expected a data digest error")
        } catch let error as ISCSIWireError {
            guard case .dataDigestMismatch = error else { Issue.record("\(error)"); return }
            #expect(error.rejectReason == .dataDigestError)
            #expect(error.offendingHeader == pdu.header)
            #expect(!error.isConnectionFatal)
        }
        #expect(buffer == [0xAA])  // the bad PDU was consumed; framing holds
    }

    @Test func oversizedSegmentIsConsumedThenRefused() throws {
        let framer = PDUFramer(maxRecvDataSegmentLength: 8)
        var buffer = try Self.nop([UInt8](repeating: 1, count: 9)).encoded() + Self.nop([2]).encoded()
        do {
            _ = try framer.nextPDU(from: &buffer)
            Issue.record("expected dataSegmentTooLong")
        } catch let error as ISCSIWireError {
            guard case let .dataSegmentTooLong(length, limit, header) = error else { Issue.record("\(error)"); return }
            #expect(length == 9 && limit == 8 && header.opcode == .nopOut)
            #expect(error.rejectReason == .protocolError)
        }
        #expect(try framer.nextPDU(from: &buffer)?.data == [2])
        #expect(buffer.isEmpty)
        // Exactly the limit is fine.
        var exact = try Self.nop([UInt8](repeating: 1, count: 8)).encoded()
        #expect(try framer.nextPDU(from: &exact)?.data.count == 8)
    }

    /// A stream fed one byte at a time yields each PDU exactly when it is complete.
    @Test func growingBuffer() throws {
        let framer = PDUFramer(digests: .crc32c)
        let pdus = [Self.nop([]), Self.nop([1, 2, 3]),
                    SCSICommandPDU(initiatorTaskTag: 5, cmdSN: 1, expStatSN: 1, cdb: Array(repeating: 3, count: 24)).pdu]
        let stream = try pdus.flatMap { try $0.encoded(digests: .crc32c) }
        var buffer: [UInt8] = []
        var out: [ISCSIPDU] = []
        for b in stream {
            buffer.append(b)
            while let pdu = try framer.nextPDU(from: &buffer) { out.append(pdu) }
        }
        #expect(out == pdus)
        #expect(buffer.isEmpty)
    }

    @Test func everyTruncationOfAFrameThrows() throws {
        let framer = PDUFramer(digests: .crc32c)
        let cmd = SCSICommandPDU(write: true, initiatorTaskTag: 5, cmdSN: 1, expStatSN: 1, cdb: Array(repeating: 3, count: 20),
                                 immediateData: [1, 2, 3, 4, 5, 6, 7])
        let wire = try cmd.pdu.encoded(digests: .crc32c)
        S.expectTruncatedForEveryPrefix(wire) { try framer.decode(frame: $0) }
        S.expectTruncatedForEveryPrefix(try cmd.encoded()) { try ISCSIPDU(parsing: $0) }
    }

    @Test func lengthsAlwaysDescribeTheContent() throws {
        var pdu = Self.nop([1, 2, 3])
        #expect(pdu.header.dataSegmentLength == 3)
        pdu.data = []
        #expect(pdu.header.dataSegmentLength == 0)
        pdu.additionalHeaderSegments = [.bidirectionalReadDataLength(1)]
        #expect(pdu.header.totalAHSLength == 2)
        var h = pdu.header
        h.dataSegmentLength = 99
        pdu.header = h
        #expect(pdu.header.dataSegmentLength == 0)
        #expect(try ISCSIPDU(parsing: pdu.encoded()) == pdu)
    }

    @Test func encodingRefusesWhatTheLengthFieldsCannotHold() {
        let tooMuchData = ISCSIPDU(header: BasicHeaderSegment(opcode: .dataIn), data: [UInt8](repeating: 0, count: 0x100_0000))
        S.expectWireError({ try tooMuchData.encoded() }) { if case .valueOutOfRange = $0 { return true }; return false }
        let tooMuchAHS = ISCSIPDU(header: BasicHeaderSegment(opcode: .scsiCommand),
                                  additionalHeaderSegments: [AdditionalHeaderSegment(type: .extendedCDB, specific: [UInt8](repeating: 0, count: 1020))])
        S.expectWireError({ try tooMuchAHS.encoded() }) { if case .valueOutOfRange = $0 { return true }; return false }
    }
}

extension CRC32C {
    /// Test shorthand: the wire bytes of the digest of `bytes`.
    static func checksumBytes(_ bytes: [UInt8]) -> [UInt8] {
        var c = CRC32C()
        c.update(bytes)
        return c.digestBytes
    }
}
