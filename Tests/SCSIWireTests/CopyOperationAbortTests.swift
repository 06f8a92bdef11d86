import Testing
import SCSIWire

@Suite struct CopyOperationAbortTests {
    typealias S = CopyTestSupport

    @Test func cdbVector() throws {
        // targets.md §11.1: 83 1C, list identifier 2-5, reserved 6-14, control 15.
        let cdb = CopyOperationAbort.cdb(listIdentifier: 257)
        #expect(cdb == [0x83, 0x1C, 0x00, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let parsed = try CopyOperationAbort(parsing: cdb)
        #expect(parsed.listIdentifier == 257)
        #expect(parsed.control == 0)
    }

    @Test func roundTrips() throws {
        let abort = CopyOperationAbort(listIdentifier: 0xFFFF_FFFF, control: 0x04)
        let b = abort.encoded()
        #expect(Array(b[2..<6]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(b[15] == 0x04)
        #expect(try CopyOperationAbort(parsing: b) == abort)
        #expect(try CopyOperationAbort(parsing: b).encoded() == b)
    }

    @Test func rejectsOtherCommands() {
        var pt = CopyOperationAbort.cdb(listIdentifier: 1)
        pt[1] = 0x10
        S.expectInvalidField { try CopyOperationAbort(parsing: pt) }
        var rcr = CopyOperationAbort.cdb(listIdentifier: 1)
        rcr[0] = 0x84
        S.expectInvalidField { try CopyOperationAbort(parsing: rcr) }
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(CopyOperationAbort.cdb(listIdentifier: 1)) { try CopyOperationAbort(parsing: $0) }
    }
}
