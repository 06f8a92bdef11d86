import Testing
import SCSIWire

@Suite struct ReceiveCopyStatusLID4Tests {
    typealias S = CopyTestSupport

    static let sense = ReceiveCopyFailureDetailsTests.sense

    /// Derived from targets.md §11.4 (Status(LID4) header table), not captured: a WRITE USING
    /// TOKEN that completed with errors after 0x10000 blocks, with 18 bytes of sense.
    static var vector: [UInt8] {
        [0x00, 0x00, 0x00, 0x2E,                         // 0-3: available data 28 + 18 = 46
         0x11,                                           // 4: response to service action (WUT)
         0x02,                                           // 5: copy operation status: completed with errors
         0x00, 0x05,                                     // 6-7: operation counter
         0xFF, 0xFF, 0xFF, 0xFF,                         // 8-11: estimated status update delay
         0x02,                                           // 12: completion status CHECK CONDITION
         0x12,                                           // 13: length of the sense data field 18
         0x12,                                           // 14: sense data length 18
         0xF1,                                           // 15: transfer count units: logical blocks
         0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // 16-23: transfer count 0x10000
         0x00, 0x01,                                     // 24-25: segments processed
         0x00, 0x00, 0x00, 0x00, 0x00, 0x00]             // 26-31: reserved
            + sense                                      // 32-49: sense data
    }

    @Test func vectorParsesAndEncodes() throws {
        let vector = Self.vector
        #expect(vector.count == 50)
        let s = try ReceiveCopyStatusLID4(parsing: vector)
        #expect(s.responseToServiceAction == 0x11)
        #expect(s.copyOutServiceAction == .writeUsingToken)
        #expect(s.copyOperationStatus == .completedWithErrors)
        #expect(s.operationCounter == 5)
        #expect(s.estimatedStatusUpdateDelay == 0xFFFF_FFFF)
        #expect(s.completionStatus == 0x02)
        #expect(s.senseDataField == Self.sense)
        #expect(s.senseDataLength == 18)
        #expect(s.senseData == Self.sense)
        #expect(s.transferCountUnits == .logicalBlocks)
        #expect(s.transferCount == 0x10000)
        #expect(s.transferredBytes(logicalBlockLength: 512) == 0x10000 * 512)
        #expect(s.segmentsProcessed == 1)
        #expect(try s.encoded() == vector)

        let built = ReceiveCopyStatusLID4(responseToServiceAction: .writeUsingToken, copyOperationStatus: .completedWithErrors,
                                          operationCounter: 5, completionStatus: 2, senseData: Self.sense,
                                          transferCountUnits: .logicalBlocks, transferCount: 0x10000, segmentsProcessed: 1)
        #expect(built == s)
    }

    @Test func ctlStyleInProgressWithoutSense() throws {
        let s = ReceiveCopyStatusLID4(responseToServiceAction: .extendedCopyLID4, copyOperationStatus: .inProgressForeground,
                                      transferCountUnits: .bytes, transferCount: 1 << 33)
        let b = try s.encoded()
        #expect(b.count == 32)
        #expect(Array(b[0..<4]) == [0, 0, 0, 28])
        #expect(b[4] == 0x01 && b[5] == 0x11)
        #expect(Array(b[8..<12]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(b[13] == 0 && b[14] == 0 && b[15] == 0)
        #expect(Array(b[16..<24]) == [0, 0, 0, 0x02, 0, 0, 0, 0])
        #expect(try ReceiveCopyStatusLID4(parsing: b) == s)
    }

    @Test func senseFieldLongerThanSense() throws {
        // The field (byte 13) may be padded beyond the valid sense (byte 14).
        var vector = Array(Self.vector.prefix(32)) + Self.sense + [0, 0]
        vector[3] = 0x30
        vector[13] = 20
        let s = try ReceiveCopyStatusLID4(parsing: vector)
        #expect(s.senseDataField.count == 20)
        #expect(s.senseData == Self.sense)
        #expect(try s.encoded() == vector)
    }

    @Test func senseIsClippedToTheDataReturned() throws {
        let vector = Self.vector
        for cut in 32..<vector.count {
            #expect(try ReceiveCopyStatusLID4(parsing: Array(vector.prefix(cut))).senseDataField.count == cut - 32)
        }
    }

    @Test func copyOperationStatusPredicates() {
        #expect(CopyOperationStatus.inProgressUnknown.isInProgress)
        #expect(CopyOperationStatus.inProgressForeground.isInProgress)
        #expect(CopyOperationStatus.inProgressBackground.isInProgress)
        #expect(!CopyOperationStatus.completedWithoutErrors.isInProgress)
        #expect(CopyOperationStatus.completedWithoutErrors.isCompleted && CopyOperationStatus.completedWithoutErrors.isSuccessful)
        #expect(CopyOperationStatus.completedWithErrors.isCompleted && !CopyOperationStatus.completedWithErrors.isSuccessful)
        #expect(CopyOperationStatus.completedPartialRODTokenUsage.isSuccessful)
        #expect(CopyOperationStatus.completedWithResidualData.isSuccessful)
        #expect(!CopyOperationStatus.terminated.isCompleted && !CopyOperationStatus.terminated.isInProgress)
        #expect(CopyOperationStatus.terminated.rawValue == 0x60)
        #expect(CopyOperationStatus(rawValue: 0x33).description == "copy operation status 0x33")
    }

    @Test func roundTrips() throws {
        let s = try ReceiveCopyStatusLID4(parsing: Self.vector)
        #expect(try ReceiveCopyStatusLID4(parsing: s.encoded()) == s)
        #expect(try ReceiveCopyStatusLID4(parsing: Self.vector).encoded() == Self.vector)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(Self.vector, upTo: ReceiveCopyStatusLID4.headerLength) { try ReceiveCopyStatusLID4(parsing: $0) }
    }

    @Test func valueOverflowThrows() throws {
        var s = try ReceiveCopyStatusLID4(parsing: Self.vector)
        s.responseToServiceAction = 0x20
        S.expectOutOfRange { try s.encoded() }
        s = try ReceiveCopyStatusLID4(parsing: Self.vector)
        s.copyOperationStatus = CopyOperationStatus(rawValue: 0x80)
        S.expectOutOfRange { try s.encoded() }
        s = try ReceiveCopyStatusLID4(parsing: Self.vector)
        s.senseDataField = [UInt8](repeating: 0, count: 256)
        S.expectOutOfRange { try s.encoded() }
    }
}
