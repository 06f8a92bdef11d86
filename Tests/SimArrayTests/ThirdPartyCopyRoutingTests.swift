import Foundation
import SCSIWire
import SimArray
import Testing

/// The seam to the copy manager: with no handler the copy commands do not exist; with one they
/// are routed to it with the LU and a directory, and VPD 0x8F and RSOC come from it.
@Suite struct ThirdPartyCopyRoutingTests {
    /// A handler that records what it gets and answers GOOD with a marker.
    final class RecordingHandler: ThirdPartyCopyHandler, @unchecked Sendable {
        let page: ThirdPartyCopyPage?
        var calls: [(cdb: [UInt8], lun: UInt64, unit: LogicalUnit)] = []
        var removed: [LogicalUnit] = []
        var lookups: [LogicalUnit] = []
        init(page: ThirdPartyCopyPage?) { self.page = page }

        func thirdPartyCopyPage(for unit: LogicalUnit) -> ThirdPartyCopyPage? { page }

        func execute(_ request: SCSIRequest, on unit: LogicalUnit, directory: any LogicalUnitDirectory) -> SCSIResult {
            calls.append((request.cdb, request.lun, unit))
            // Resolve a CSCD designator the way a copy manager would.
            if let other = directory.logicalUnit(lun: 1) {
                lookups = directory.logicalUnits(matching: other.identity.naaDesignator)
                    .filter { directory.isReachable($0, from: request.initiator) }
            }
            if request.cdb[1] == 0x10 {
                return SCSIResult(error: .invalidFieldInParameterList(byte: 8), for: request.initiator)
            }
            return .good([0xC0, 0xFF, 0xEE])
        }

        func logicalUnitRemoved(_ unit: LogicalUnit) { removed.append(unit) }
    }

    static let lid1Page = ThirdPartyCopyPage(descriptors: [
        .supportedCommands([SupportedCopyCommand(operationCode: .thirdPartyCopyOut, serviceActions: [0x00, 0x10]),
                            SupportedCopyCommand(operationCode: .thirdPartyCopyIn, serviceActions: [0x03, 0x07])]),
        .parameterData(CopyParameterData(maximumCSCDDescriptorCount: 2, maximumSegmentDescriptorCount: 1,
                                         maximumDescriptorListLength: 1024, maximumInlineDataLength: 0)),
    ])

    static let copyCDBs: [[UInt8]] = [
        [0x83, 0x00] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0x40, 0, 0],        // EXTENDED COPY(LID1)
        [0x83, 0x01] + [UInt8](repeating: 0, count: 14),                             // LID4
        [0x83, 0x10] + [UInt8](repeating: 0, count: 14),                             // POPULATE TOKEN
        [0x83, 0x11] + [UInt8](repeating: 0, count: 14),                             // WRITE USING TOKEN
        [0x83, 0x1C] + [UInt8](repeating: 0, count: 14),                             // COPY OPERATION ABORT
        [0x84, 0x00] + [UInt8](repeating: 0, count: 8) + [0, 0, 2, 8, 0, 0],         // RECEIVE COPY STATUS
        [0x84, 0x03] + [UInt8](repeating: 0, count: 8) + [0, 0, 2, 8, 0, 0],         // RCOP
        [0x84, 0x07] + [UInt8](repeating: 0, count: 8) + [0, 0, 2, 8, 0, 0],         // RRTI
    ]

    @Test("No handler: every copy command is 05/20/00, VPD 0x8F is absent, RSOC lists none")
    func withoutHandler() throws {
        let h = try Harness()
        for cdb in Self.copyCDBs { expectSense(h.run(cdb), 0x05, 0x20, 0x00) }
        expectSense(h.run(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)), 0x05, 0x24, 0x00, field: .cdb(2))
        let list = try SupportedOperationCodesList(parsing: h.good(TestCDB.reportSupportedOperationCodes()))
        #expect(!list.commands.contains { $0.operationCode == 0x83 || $0.operationCode == 0x84 })
    }

    @Test("A handler: VPD 0x00 lists 0x8F and 0x8F is the handler's page, byte for byte")
    func vpd8FFromHandler() throws {
        let h = try Harness(handler: RecordingHandler(page: Self.lid1Page))
        let pages = try SupportedVPDPages(parsing: h.good(TestCDB.inquiry(evpd: true))).pages.map(\.rawValue)
        #expect(pages == [0x00, 0x80, 0x83, 0x8F, 0xB0, 0xB1, 0xB2])
        #expect(h.good(TestCDB.inquiry(evpd: true, page: 0x8F, allocation: 4096)) == Self.lid1Page.encoded())
    }

    @Test("A handler without a page (LIO-like): no 0x8F, and no routed commands by default")
    func handlerWithoutPage() throws {
        let handler = RecordingHandler(page: nil)
        let h = try Harness(handler: handler)
        expectSense(h.run(TestCDB.inquiry(evpd: true, page: 0x8F)), 0x05, 0x24, 0x00)
        expectSense(h.run(Self.copyCDBs[0]), 0x05, 0x20, 0x00)
        #expect(handler.calls.isEmpty)
    }

    @Test("Listed service actions reach the handler with the LU; others are invalid at byte 1 bit 4")
    func routing() throws {
        let handler = RecordingHandler(page: Self.lid1Page)
        let h = try Harness(extraLUNs: [1], handler: handler)
        let r = h.run(Self.copyCDBs[0])
        #expect(r.status == .good && r.dataIn == [0xC0, 0xFF, 0xEE])
        #expect(handler.calls.count == 1 && handler.calls[0].lun == 0 && handler.calls[0].unit === h.unit)
        #expect(handler.lookups.map(\.identity) == [h.array.logicalUnit(lun: 1)!.identity])
        expectSense(h.run(Self.copyCDBs[2]), 0x05, 0x26, 0x00, field: .parameter(8))   // the handler's own answer
        h.good(Self.copyCDBs[6])
        h.good(Self.copyCDBs[7])
        for cdb in [Self.copyCDBs[1], Self.copyCDBs[3], Self.copyCDBs[4], Self.copyCDBs[5]] {
            expectSense(h.run(cdb), 0x05, 0x24, 0x00, field: .cdb(1, bit: 4))
        }
        #expect(handler.calls.count == 4)
    }

    @Test("Reserved CDB bits of a routed command are refused before the handler sees them")
    func reservedBits() throws {
        let handler = RecordingHandler(page: Self.lid1Page)
        let h = try Harness(handler: handler)
        var cdb = Self.copyCDBs[0]
        cdb[2] = 0x01
        expectSense(h.run(cdb), 0x05, 0x24, 0x00, field: .cdb(2, bit: 0))
        cdb = Self.copyCDBs[0]
        cdb[1] = 0x20
        expectSense(h.run(cdb), 0x05, 0x24, 0x00, field: .cdb(1, bit: 5))
        expectSense(h.run(Array(Self.copyCDBs[0].prefix(10))), 0x05, 0x24, 0x00)
        #expect(handler.calls.isEmpty)
    }

    @Test("RSOC lists the handler's service actions with SPC's CDB usage")
    func rsocListsHandlerOperations() throws {
        let h = try Harness(handler: RecordingHandler(page: Self.lid1Page))
        let list = try SupportedOperationCodesList(parsing: h.good(TestCDB.reportSupportedOperationCodes()))
        let copy = list.commands.filter { $0.operationCode == 0x83 || $0.operationCode == 0x84 }
        #expect(copy.map { [$0.operationCode, UInt8($0.serviceAction ?? 0xFF)] } == [[0x83, 0x00], [0x83, 0x10], [0x84, 0x03], [0x84, 0x07]])
        let one = try SupportedOperationCodeOne(parsing: h.good(TestCDB.reportSupportedOperationCodes(options: 2, opcode: 0x83, sa: 0x00)))
        #expect(one.cdbUsageData == [0x83, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0])
    }

    @Test("Unit attentions are delivered before a copy command reaches the handler")
    func unitAttentionFirst() throws {
        let handler = RecordingHandler(page: Self.lid1Page)
        let h = try Harness(handler: handler)
        h.good(TestCDB.testUnitReady())
        h.array.establishUnitAttention(.capacityDataHasChanged, lun: 0)
        expectSense(h.run(Self.copyCDBs[0]), 0x06, 0x2A, 0x09)
        #expect(handler.calls.isEmpty)
        h.good(Self.copyCDBs[0])
    }

    @Test("Removing a LU through the dispatcher tells the handler (tokens can be freed)")
    func removalNotifiesHandler() throws {
        let handler = RecordingHandler(page: Self.lid1Page)
        let h = try Harness(extraLUNs: [1], handler: handler)
        let unit = h.array.logicalUnit(lun: 1)!
        try h.dispatcher.removeLogicalUnit(lun: 1)
        #expect(handler.removed.count == 1 && handler.removed[0] === unit)
    }

    @Test("The handler can be installed and removed at run time")
    func swapHandler() throws {
        let h = try Harness()
        expectSense(h.run(Self.copyCDBs[6]), 0x05, 0x20, 0x00)
        h.dispatcher.copyHandler = RecordingHandler(page: Self.lid1Page)
        h.good(Self.copyCDBs[6])
        h.dispatcher.copyHandler = nil
        expectSense(h.run(Self.copyCDBs[6]), 0x05, 0x20, 0x00)
    }
}
