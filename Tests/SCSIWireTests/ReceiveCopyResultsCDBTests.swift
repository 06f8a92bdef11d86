import Testing
import SCSIWire

@Suite struct ReceiveCopyResultsCDBTests {
    typealias S = CopyTestSupport

    @Test func operatingParametersCDB() throws {
        // targets.md §11.1: 84 03, reserved 2-9, allocation length 10-13; sg_copy_results sends 520.
        let cdb = ReceiveCopyResults.operatingParameters()
        #expect(cdb == [0x84, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x02, 0x08, 0, 0])
        let parsed = try ReceiveCopyResults(parsing: cdb)
        #expect(parsed.serviceAction == .receiveCopyOperatingParameters)
        #expect(parsed.listIdentifier == 0)
        #expect(parsed.allocationLength == 520)
        #expect(ReceiveCopyResults.operatingParameters(allocationLength: ReceiveCopyResults.minimumLIOAllocationLength)[13] == 54)
    }

    @Test func lid1ServiceActionsPutTheListIdentifierInByte2() throws {
        let status = ReceiveCopyResults.copyStatusLID1(listIdentifier: 0x7F, allocationLength: 12)
        #expect(status == [0x84, 0x00, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0])
        let data = ReceiveCopyResults.copyDataLID1(listIdentifier: 0xFF, allocationLength: 0x0001_0000)
        #expect(data == [0x84, 0x01, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00, 0, 0])
        let failure = ReceiveCopyResults.failureDetailsLID1(listIdentifier: 1)
        #expect(failure == [0x84, 0x04, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x02, 0x08, 0, 0])
        #expect(try ReceiveCopyResults(parsing: failure) ==
                ReceiveCopyResults(serviceAction: .receiveCopyFailureDetailsLID1, listIdentifier: 1, allocationLength: 520))
        #expect(ReceiveCopyResults.listIdentifierField(for: .receiveCopyStatusLID1) == .oneByte)
    }

    @Test func lid4ServiceActionsPutTheListIdentifierInBytes2To5() throws {
        let status = ReceiveCopyResults.copyStatusLID4(listIdentifier: 0x0102_0304, allocationLength: 0x20)
        #expect(status == [0x84, 0x05, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0])
        // ddpt: RRTI with list ID 257 and a 1024-byte buffer.
        let rrti = ReceiveCopyResults.rodTokenInformation(listIdentifier: 257)
        #expect(rrti == [0x84, 0x07, 0x00, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x04, 0x00, 0, 0])
        let parsed = try ReceiveCopyResults(parsing: rrti)
        #expect(parsed.serviceAction == .receiveRODTokenInformation)
        #expect(parsed.listIdentifier == 257)
        #expect(parsed.allocationLength == 1024)
        let data = ReceiveCopyResults.copyDataLID4(listIdentifier: 0xFFFF_FFFF, allocationLength: 1)
        #expect(Array(data[1..<6]) == [0x06, 0xFF, 0xFF, 0xFF, 0xFF])
        let rart = ReceiveCopyResults.reportAllRODTokens(allocationLength: 0x1000)
        #expect(rart == [0x84, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0x00, 0, 0])
    }

    @Test func structRoundTripsForEveryServiceAction() throws {
        for sa in CopyInServiceAction.allCases {
            let id: UInt32
            switch ReceiveCopyResults.listIdentifierField(for: sa) {
            case .none: id = 0
            case .oneByte: id = 0xAB
            case .fourBytes: id = 0xDEAD_BEEF
            }
            let cdb = ReceiveCopyResults(serviceAction: sa, listIdentifier: id, allocationLength: 0x1234_5678, control: 0x04)
            let bytes = try cdb.encoded()
            #expect(bytes.count == 16)
            #expect(bytes[0] == 0x84)
            #expect(bytes[1] == sa.rawValue)
            #expect(Array(bytes[10..<14]) == [0x12, 0x34, 0x56, 0x78])
            #expect(bytes[15] == 0x04)
            #expect(try ReceiveCopyResults(parsing: bytes) == cdb)
        }
    }

    @Test func listIdentifierOverflowThrows() {
        S.expectOutOfRange { try ReceiveCopyResults(serviceAction: .receiveCopyStatusLID1, listIdentifier: 256, allocationLength: 12).encoded() }
        S.expectOutOfRange { try ReceiveCopyResults(serviceAction: .receiveCopyOperatingParameters, listIdentifier: 1, allocationLength: 54).encoded() }
        S.expectOutOfRange { try ReceiveCopyResults(serviceAction: .reportAllRODTokens, listIdentifier: 1, allocationLength: 54).encoded() }
    }

    @Test func targetSideRejectsUnknownServiceActionsAndOpcodes() {
        var unknown = ReceiveCopyResults.operatingParameters()
        unknown[1] = 0x02
        S.expectInvalidField { try ReceiveCopyResults(parsing: unknown) }
        var xcopy = ReceiveCopyResults.operatingParameters()
        xcopy[0] = 0x83
        S.expectInvalidField { try ReceiveCopyResults(parsing: xcopy) }
        // The list identifier of a LID1 service action ignores bytes 3-5.
        var noisy = ReceiveCopyResults.copyStatusLID1(listIdentifier: 5)
        noisy[3] = 0xFF
        #expect((try? ReceiveCopyResults(parsing: noisy))?.listIdentifier == 5)
    }

    @Test func truncatedInputThrows() {
        S.expectTruncatedForEveryPrefix(ReceiveCopyResults.rodTokenInformation(listIdentifier: 1)) { try ReceiveCopyResults(parsing: $0) }
    }
}
