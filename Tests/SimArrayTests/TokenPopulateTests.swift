import Foundation
import SCSIWire
import SimArray
import Testing

/// POPULATE TOKEN and its RRTI: the token and the response byte for byte, and every refusal.
@Suite struct TokenPopulateTests {
    /// The token CTL's `tpc_create_token()` would build for LU 0 of the harness, with the
    /// harness's random stream (identifier first, then the fill).
    static func expectedToken(_ h: TokenHarness, blocks: UInt64, rodType: [UInt8] = [0x00, 0x01, 0x00, 0x00],
                              target: [UInt8]? = nil) -> [UInt8] {
        let unit = h.unit(0)
        let random = TokenRandomSource.seeded(TokenHarness.seed)
        let id = random.bytes(8)
        var t = rodType + [0, 0, 0x01, 0xF8] + id
        // Creator: E4 CSCD, LU ID type 0 / PDT 0, relative port 0, the NAA designator (binary,
        // LU association, type 3, 16 bytes) in a 20-byte field, PAD 0, DISK BLOCK LENGTH.
        t += [0xE4, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x10] + unit.identity.naa + [0, 0, 0, 0]
        t += [0x00] + TestODX.be(UInt64(unit.blockSize), 3)
        t += TestODX.be(0, 8) + TestODX.be(blocks * UInt64(unit.blockSize), 8)
        t += [UInt8](repeating: 0, count: 32)
        // READ CAPACITY(16) bytes 8-31: block length, P_I/LBPPBE 0, LBPME|LBPRZ (thin), then zeros.
        t += TestODX.be(UInt64(unit.blockSize), 4) + [0x00, 0x00, 0xC0, 0x00] + [UInt8](repeating: 0, count: 24)
        if let target {
            t += target + random.bytes(384 - target.count)
        } else {
            t += [UInt8](repeating: 0, count: 32) + random.bytes(352)
        }
        return t
    }

    @Test("PT then RRTI: 550 bytes, LID4 header for 10h, 514-byte descriptor list, CTL's token layout")
    func tokenAndRRTIByteExact() throws {
        let h = try TokenHarness()
        let pt = h.populate([(10, 8), (100, 24)], list: 0x0101)
        #expect(pt.status == .good && pt.dataIn.isEmpty && pt.sense.isEmpty)
        let r = h.rrti(list: 0x0101)
        #expect(r.status == .good)
        let token = Self.expectedToken(h, blocks: 32)
        var expected: [UInt8] = [0x00, 0x00, 0x02, 0x22]          // AVAILABLE DATA 546
        expected += [0x10, 0x01, 0x00, 0x00]                        // PT, completed without errors, counter 0
        expected += [0xFF, 0xFF, 0xFF, 0xFF]                        // estimated status update delay
        expected += [0x00, 0x00, 0x00, 0xF1]                        // GOOD, no sense, units = logical blocks
        expected += TestODX.be(32, 8) + [0, 0] + [0, 0, 0, 0, 0, 0] // transfer count, segments, reserved
        expected += [0x00, 0x00, 0x02, 0x02, 0x00, 0x00] + token    // ROD TOKEN DESCRIPTORS LENGTH 514
        #expect(r.dataIn == expected)
        #expect(token.count == 512 && r.dataIn.count == 550)
        // The wire module reads the same token back.
        let parsed = try ReceiveRODTokenInformation(parsing: r.dataIn)
        #expect(parsed.rodToken?.numberOfBytesRepresented == 32 * 512)
        #expect(parsed.rodToken?.creatorLogicalUnit?.designator.value == h.unit(0).identity.naa)
        #expect(h.tokens.liveTokens.map { try! $0.encoded() } == [token])
    }

    @Test("A port's target device designator goes at byte 128, random fill after it")
    func targetDeviceDescriptor() throws {
        let target = Designator(protocolIdentifier: 5, codeSet: .utf8, piv: true, association: .targetDevice,
                                type: Designator.DesignatorType(rawValue: 8), value: Array("iqn.2024-01.org.example:sim\0".utf8))
        var who = Harness.defaultInitiator
        who.portDesignators = [target]
        let h = try TokenHarness(initiator: who)
        let token = h.token([(0, 16)])
        #expect(token == Self.expectedToken(h, blocks: 16, target: target.encoded()))
        #expect(Array(token[128..<132]) == [0x53, 0xA8, 0x00, 0x1C])
    }

    @Test("A point-in-time profile creates 0x00800000 tokens, also for RTV with 'point in time, any'")
    func pointInTimeTokens() throws {
        let h = try TokenHarness { $0 = .qnap(blockSize: 512) }
        #expect(h.populate([(0, 8)], list: 5, rodType: 0x0080_FFFF).status == .good)
        let r = h.rrti(list: 5)
        #expect(Array(r.dataIn[38..<550]) == Self.expectedToken(h, blocks: 8, rodType: [0x00, 0x80, 0x00, 0x00]))
        expectSense(h.populate([(0, 8)], list: 6, rodType: 0x0001_0000), 0x05, 0x26, 0x00, field: .parameter(8))
    }

    @Test("RRTI is cut to the allocation length; a completed status is gone after it was read (CTL)")
    func rrtiAllocationAndRelease() throws {
        let h = try TokenHarness()
        h.populate([(0, 8)], list: 9)
        let full = h.rrti(list: 9, allocation: 38)
        #expect(full.status == .good && full.dataIn.count == 38 && full.dataIn[0..<4] == [0x00, 0x00, 0x02, 0x22])
        expectSense(h.rrti(list: 9), 0x05, 0x24, 0x00, field: .cdb(2))
        // Another nexus never saw list 9.
        h.populate([(0, 8)], list: 9)
        expectSense(h.rrti(list: 9, as: InitiatorContext(nexus: "other")), 0x05, 0x24, 0x00, field: .cdb(2))
    }

    @Test("Keeping completed statuses: RRTI answers the same twice")
    func rrtiRetained() throws {
        let h = try TokenHarness { $0.releasesCompletedOperationOnRead = false }
        h.populate([(0, 8)], list: 9)
        let a = h.rrti(list: 9), b = h.rrti(list: 9)
        #expect(a.status == .good && a == b)
        // ... until the retention time has passed.
        h.clock.advance(by: 61)
        expectSense(h.rrti(list: 9), 0x05, 0x24, 0x00, field: .cdb(2))
    }

    @Test("A list identifier's old status is replaced by the next PT")
    func listReuse() throws {
        let h = try TokenHarness { $0.releasesCompletedOperationOnRead = false }
        let first = h.token([(0, 8)], list: 3)
        let second = h.token([(8, 8)], list: 3)
        #expect(first != second && !second.isEmpty)
    }

    // MARK: - Refusals

    @Test("PARAMETER LIST LENGTH: below the header, or above 64 ranges (CTL), is 05/24/00 at CDB byte 10")
    func parameterListLength() throws {
        let h = try TokenHarness()
        let list = TestODX.populateTokenList([(0, 8)])
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: 15), dataOut: list), 0x05, 0x24, 0x00, field: .cdb(10))
        let big = TestODX.populateTokenList((0..<65).map { (UInt64($0) * 2, 1) })
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: big.count), dataOut: big), 0x05, 0x24, 0x00, field: .cdb(10))
        // Fewer bytes than the CDB announced.
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: list.count + 16), dataOut: list), 0x05, 0x1A, 0x00)
        #expect(h.tokens.liveTokens.isEmpty)
    }

    @Test("Too many ranges, as configured: 26/00 at byte 14, or SBC's 26/08")
    func tooManyRanges() throws {
        let ranges = (0..<65).map { (UInt64($0) * 2, UInt32(1)) }
        let p = try TokenHarness { $0.tooManyRanges = .invalidFieldInParameterList }
        expectSense(p.populate(ranges), 0x05, 0x26, 0x00, field: .parameter(14))
        let s = try TokenHarness { $0.tooManyRanges = .tooManySegmentDescriptors }
        expectSense(s.populate(ranges), 0x05, 0x26, 0x08, noPointer: true)
        let q = try TokenHarness { $0 = .qnap(blockSize: 512) }
        expectSense(q.populate((0..<9).map { (UInt64($0) * 2, UInt32(1)) }), 0x05, 0x26, 0x08, noPointer: true)
        #expect(q.populate((0..<8).map { (UInt64($0) * 2, UInt32(1)) }).status == .good)
        #expect(s.populate(Array(ranges.prefix(64))).status == .good)
    }

    @Test("DATA LENGTH and range list length are checked as CTL does")
    func listHeader() throws {
        let h = try TokenHarness()
        var list = TestODX.populateTokenList([(0, 8)])
        list[0] = 0; list[1] = 0x1D                       // covers the header only, not one range
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: list.count), dataOut: list), 0x05, 0x26, 0x00, field: .parameter(0))
        list = TestODX.populateTokenList([(0, 8)])
        list[15] = 0                                      // no range descriptor
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: list.count), dataOut: list), 0x05, 0x26, 0x00, field: .parameter(14))
        list[15] = 17                                     // not a whole descriptor
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: list.count), dataOut: list), 0x05, 0x26, 0x00, field: .parameter(14))
        list = TestODX.populateTokenList([(0, 8), (8, 8)])
        list[15] = 48                                     // longer than what was sent
        expectSense(h.run(TestODX.populateTokenCDB(list: 1, length: list.count), dataOut: list), 0x05, 0x26, 0x00, field: .parameter(14))
    }

    @Test("INACTIVITY TIMEOUT above the maximum: 26/00 at byte 4; RTV with another type: at byte 8")
    func timeoutAndType() throws {
        let h = try TokenHarness()
        expectSense(h.populate([(0, 8)], timeout: 601), 0x05, 0x26, 0x00, field: .parameter(4))
        #expect(h.populate([(0, 8)], timeout: 600).status == .good)
        expectSense(h.populate([(0, 8)], rodType: 0x0080_0000), 0x05, 0x26, 0x00, field: .parameter(8))
        #expect(h.populate([(0, 8)], rodType: 0x0001_0000).status == .good)
        // RTV=0: the ROD TYPE field is not looked at.
        var list = TestODX.populateTokenList([(0, 8)])
        list[8...11] = [0xDE, 0xAD, 0xBE, 0xEF]
        #expect(h.run(TestODX.populateTokenCDB(list: 1, length: list.count), dataOut: list).status == .good)
    }

    @Test("Ranges: LBA OUT OF RANGE with CTL's INFORMATION, overlap 26/00 without pointer, size limit")
    func ranges() throws {
        let h = try TokenHarness { $0.maximumTokenTransferSize = 100 }
        var r = h.populate([(0, 8), (2047, 2)])
        expectSense(r, 0x05, 0x21, 0x00)
        #expect(r.senseData?.information == 2048)
        r = h.populate([(5000, 1)])
        expectSense(r, 0x05, 0x21, 0x00)
        #expect(r.senseData?.information == 5000)
        expectSense(h.populate([(0, 8), (7, 2)]), 0x05, 0x26, 0x00, noPointer: true)
        expectSense(h.populate([(0, 60), (100, 50)]), 0x05, 0x26, 0x00, field: .parameter(40))
        #expect(h.populate([(0, 60), (100, 40)]).status == .good)
        // Adjacent ranges do not overlap; empty ranges are accepted.
        #expect(h.populate([(0, 8), (8, 8), (300, 0)], list: 2).status == .good)
    }

    @Test("The byte limit counts in the LU's blocks (QNAP: 512 MiB)")
    func byteLimit() throws {
        let h = try TokenHarness(blockCount: 2 << 20) { $0.maximumTokenTransferBytes = 1 << 20 }
        expectSense(h.populate([(0, 2048), (4096, 1)]), 0x05, 0x26, 0x00, field: .parameter(40))
        #expect(h.populate([(0, 2048)]).status == .good)
        #expect(TokenManagerConfiguration.qnap(blockSize: 4096).maximumTransferBlocks(blockSize: 4096) == 131_072)
    }

    @Test("Out-of-space with 55/0C or 55/0D refuses PT; other kinds do not stop it")
    func resources() throws {
        let h = try TokenHarness()
        h.faults.add(.outOfSpace(asc: .insufficientResourcesToCreateRODToken))
        expectSense(h.populate([(0, 8)]), 0x05, 0x55, 0x0D)
        h.faults.clear()
        h.faults.add(.outOfSpace(asc: .spaceAllocationFailedWriteProtect))
        #expect(h.populate([(0, 8)]).status == .good)
    }

    @Test("A CDB with reserved bits set never reaches the token manager")
    func reservedBits() throws {
        let h = try TokenHarness()
        var cdb = TestODX.populateTokenCDB(list: 1, length: 32)
        cdb[3] = 1
        expectSense(h.run(cdb, dataOut: TestODX.populateTokenList([(0, 1)])), 0x05, 0x24, 0x00, field: .cdb(3, bit: 0))
    }
}
