import Testing
import SCSIWire

@Suite struct ReceiveCopyFailureDetailsTests {
    typealias S = CopyTestSupport

    /// Fixed-format sense COPY ABORTED 0D/01 (third-party device failure), 18 bytes, made up.
    static let sense: [UInt8] = [0x70, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00,
                                 0x00, 0x00, 0x0D, 0x01, 0x00, 0x00, 0x00, 0x00]

    /// Derived from targets.md §11.4 (failure details table), not captured.
    static var vector: [UInt8] {
        [0x00, 0x00, 0x00, 0x4A]                     // 0-3: available data 56 + 18 = 74
            + [UInt8](repeating: 0, count: 52)       // 4-55: reserved
            + [0x02,                                 // 56: copy command status CHECK CONDITION
               0x00,                                 // 57: reserved
               0x00, 0x12]                           // 58-59: sense data length 18
            + sense                                  // 60-77: sense data
    }

    @Test func vectorParsesAndEncodes() throws {
        let vector = Self.vector
        #expect(vector.count == 78)
        let d = try ReceiveCopyFailureDetails(parsing: vector)
        #expect(d.copyCommandStatus == 0x02)
        #expect(d.senseData == Self.sense)
        #expect(try d.encoded() == vector)
    }

    @Test func noDetails() throws {
        let none = try ReceiveCopyFailureDetails(parsing: [0, 0, 0, 0])
        #expect(none.copyCommandStatus == nil)
        #expect(none.senseData.isEmpty)
        #expect(try none.encoded() == [0, 0, 0, 0])
        // CTL returns the full 60 bytes with AVAILABLE DATA 0 when the list did not fail.
        #expect(try ReceiveCopyFailureDetails(parsing: [UInt8](repeating: 0, count: 60)) == none)
        S.expectInvalidField { try ReceiveCopyFailureDetails(copyCommandStatus: nil, senseData: [0x70]).encoded() }
    }

    @Test func senseIsClippedToTheDataReturned() throws {
        let vector = Self.vector
        for cut in 60..<vector.count {
            let d = try ReceiveCopyFailureDetails(parsing: Array(vector.prefix(cut)))
            #expect(d.senseData == Array(Self.sense.prefix(cut - 60)))
        }
    }

    @Test func roundTrips() throws {
        let d = ReceiveCopyFailureDetails(copyCommandStatus: 0x02, senseData: [0x72, 0x0A, 0x0D, 0x01, 0, 0, 0, 0])
        #expect(try ReceiveCopyFailureDetails(parsing: d.encoded()) == d)
        #expect(try ReceiveCopyFailureDetails(parsing: Self.vector).encoded() == Self.vector)
        let empty = ReceiveCopyFailureDetails(copyCommandStatus: 0x00)
        #expect(try empty.encoded().count == 60)
        #expect(try ReceiveCopyFailureDetails(parsing: empty.encoded()) == empty)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.vector, upTo: ReceiveCopyFailureDetails.fixedLength) {
            try ReceiveCopyFailureDetails(parsing: $0)
        }
    }

    @Test func valueOverflowThrows() {
        let d = ReceiveCopyFailureDetails(copyCommandStatus: 2, senseData: [UInt8](repeating: 0, count: 65536))
        S.expectOutOfRange { try d.encoded() }
    }
}
