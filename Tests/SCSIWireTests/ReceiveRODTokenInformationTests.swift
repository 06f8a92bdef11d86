import Testing
import SCSIWire

@Suite struct ReceiveRODTokenInformationTests {
    typealias S = CopyTestSupport

    static var status: ReceiveCopyStatusLID4 {
        ReceiveCopyStatusLID4(responseToServiceAction: .populateToken, copyOperationStatus: .completedWithoutErrors,
                              transferCountUnits: .logicalBlocks, transferCount: 0x2000)
    }

    /// A completed POPULATE TOKEN as CTL answers RRTI (targets.md §11.4, ctl_receive_rod_token_
    /// information()): no sense, token at 38-549, 550 bytes. Derived, not captured.
    static var vector: [UInt8] {
        get throws {
            [0x00, 0x00, 0x02, 0x22,                         // 0-3: available data 546
             0x10,                                           // 4: response to service action (PT)
             0x01,                                           // 5: completed without errors
             0x00, 0x00,                                     // 6-7: operation counter
             0xFF, 0xFF, 0xFF, 0xFF,                         // 8-11: estimated status update delay
             0x00,                                           // 12: completion status GOOD
             0x00, 0x00,                                     // 13-14: sense field length, sense length
             0xF1,                                           // 15: units: logical blocks
             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, // 16-23: transfer count 0x2000
             0x00, 0x00,                                     // 24-25: segments processed
             0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             // 26-31: reserved
             0x00, 0x00, 0x02, 0x02,                         // 32-35: ROD token descriptors length 514
             0x00, 0x00]                                     // 36-37: reserved
                + (try RODTokenTests.ctlStyle.encoded())     // 38-549: ROD token
        }
    }

    @Test func vectorParsesAndEncodes() throws {
        let vector = try Self.vector
        #expect(vector.count == 550)
        let rrti = try ReceiveRODTokenInformation(parsing: vector)
        #expect(rrti.status == Self.status)
        #expect(rrti.status.copyOutServiceAction == .populateToken)
        #expect(rrti.rodToken == (try RODTokenTests.ctlStyle))
        let built = ReceiveRODTokenInformation(status: Self.status, rodToken: try RODTokenTests.ctlStyle)
        #expect(try built.encoded() == vector)
    }

    @Test func tokenFollowsTheSenseData() throws {
        let sense = ReceiveCopyFailureDetailsTests.sense
        var status = Self.status
        status.senseDataField = sense
        status.senseDataLength = UInt8(sense.count)
        let rrti = ReceiveRODTokenInformation(status: status, rodToken: .blockDeviceZero)
        let b = try rrti.encoded()
        #expect(b.count == 568)
        #expect(Array(b[0..<4]) == [0x00, 0x00, 0x02, 0x34]) // 564
        #expect(b[13] == 18 && b[14] == 18)
        #expect(Array(b[32..<50]) == sense)
        #expect(Array(b[50..<54]) == [0x00, 0x00, 0x02, 0x02])
        #expect(Array(b[54..<56]) == [0, 0])
        #expect(Array(b[56..<568]) == (try RODToken.blockDeviceZero.encoded()))
        #expect(try ReceiveRODTokenInformation(parsing: b) == rrti)
        S.expectTruncatedForEveryPrefix(b) { try ReceiveRODTokenInformation(parsing: $0) }
    }

    @Test func noToken() throws {
        var status = Self.status
        status.responseToServiceAction = CopyOutServiceAction.writeUsingToken.rawValue
        status.copyOperationStatus = .inProgressForeground
        let rrti = ReceiveRODTokenInformation(status: status, rodToken: nil)
        let b = try rrti.encoded()
        #expect(b.count == 36)
        #expect(Array(b[0..<4]) == [0, 0, 0, 32])
        #expect(Array(b[32..<36]) == [0, 0, 0, 0])
        #expect(try ReceiveRODTokenInformation(parsing: b) == rrti)
        S.expectTruncatedForEveryPrefix(b) { try ReceiveRODTokenInformation(parsing: $0) }
    }

    @Test func oddDescriptorLengths() throws {
        var vector = try Self.vector
        vector[34] = 0x00; vector[35] = 0x64 // 100: too short for a token
        S.expectInvalidField { try ReceiveRODTokenInformation(parsing: vector) }
        // Longer than one token: the first one is read (as ddpt does).
        var two = try Self.vector + [UInt8](repeating: 0, count: 514)
        two[34] = 0x04; two[35] = 0x04
        #expect(try ReceiveRODTokenInformation(parsing: two).rodToken == (try RODTokenTests.ctlStyle))
    }

    @Test func roundTrips() throws {
        let vector = try Self.vector
        #expect(try ReceiveRODTokenInformation(parsing: vector).encoded() == vector)
        let rrti = ReceiveRODTokenInformation(status: Self.status, rodToken: .blockDeviceZero)
        #expect(try ReceiveRODTokenInformation(parsing: rrti.encoded()) == rrti)
    }

    @Test func truncatedInputThrows() throws {
        S.expectTruncatedForEveryPrefix(try Self.vector) { try ReceiveRODTokenInformation(parsing: $0) }
    }

    @Test func valueOverflowThrows() {
        var status = Self.status
        status.senseDataField = [UInt8](repeating: 0, count: 300)
        S.expectOutOfRange { try ReceiveRODTokenInformation(status: status, rodToken: .blockDeviceZero).encoded() }
        var token = RODToken.blockDeviceZero
        token.deviceTypeSpecific = [UInt8](repeating: 0, count: 40)
        S.expectOutOfRange { try ReceiveRODTokenInformation(status: Self.status, rodToken: token).encoded() }
    }
}
