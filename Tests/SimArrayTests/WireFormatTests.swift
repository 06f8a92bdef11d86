import SCSIWire
import SimArray
import Testing

/// The formats kept in Sources/SimArray/Wire until they move to SCSIWire: byte images written
/// out from the SPC-4/SBC-4 tables, then parsed and rebuilt.
@Suite struct WireFormatTests {
    @Test func readCapacity10Data() throws {
        let d = ReadCapacity10Data(lastLBA: 0x1_0000_0000, blockLength: 512)
        #expect(d.encoded() == [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00] && d.needsReadCapacity16)
        #expect(ReadCapacity10Data(lastLBA: 0xFFFF_FFFE, blockLength: 4096).encoded() == [0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0x10, 0])
        #expect(try ReadCapacity10Data(parsing: [0, 0, 0x10, 0, 0, 0, 2, 0]) == ReadCapacity10Data(returnedLBA: 0x1000, blockLength: 512))
        #expect(throws: WireError.self) { try ReadCapacity10Data(parsing: [0, 0, 0]) }
    }

    @Test func readCapacityCDBs() throws {
        let rc10 = try ReadCapacity10CDB(parsing: [0x25, 0, 0, 0, 0x12, 0x34, 0, 0, 1, 0])
        #expect(rc10.logicalBlockAddress == 0x1234 && rc10.pmi)
        #expect(rc10.encoded() == [0x25, 0, 0, 0, 0x12, 0x34, 0, 0, 1, 0])
        let rc16 = ReadCapacity16CDB(allocationLength: 32)
        #expect(rc16.encoded() == CDB.readCapacity16(allocationLength: 32), "agrees with SCSIWire's builder")
        #expect(try ReadCapacity16CDB(parsing: rc16.encoded()).allocationLength == 32)
    }

    @Test func blockTransferCDBs() throws {
        let r10 = try BlockTransferCDB(parsing: [0x28, 0x18, 0x00, 0x01, 0x02, 0x03, 0x05, 0x00, 0x10, 0x00])
        #expect(r10.kind == .read10 && r10.dpo && r10.fua && r10.protect == 0)
        #expect(r10.logicalBlockAddress == 0x010203 && r10.transferLength == 16 && r10.groupNumber == 5)
        #expect(try r10.encoded() == [0x28, 0x18, 0x00, 0x01, 0x02, 0x03, 0x05, 0x00, 0x10, 0x00])
        let w16 = try BlockTransferCDB(parsing: [0x8A, 0x68, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 1, 0, 0x3F, 0])
        #expect(w16.kind == .write16 && w16.protect == 3 && w16.fua && !w16.dpo)
        #expect(w16.logicalBlockAddress == 0x0102030405060708 && w16.transferLength == 256 && w16.groupNumber == 0x3F)
        #expect(try BlockTransferCDB(kind: .read16, logicalBlockAddress: 9, transferLength: 3, fua: true).encoded()
                == CDB.read16(lba: 9, blocks: 3, fua: true))
        #expect(throws: WireError.self) { try BlockTransferCDB(kind: .write10, logicalBlockAddress: 1 << 32, transferLength: 1).encoded() }
        #expect(throws: WireError.self) { try BlockTransferCDB(parsing: [0x28, 0, 0]) }
        #expect(throws: WireError.self) { try BlockTransferCDB(parsing: [0x12, 0, 0, 0, 0, 0]) }
    }

    @Test func writeSame16CDB() throws {
        let bytes: [UInt8] = [0x93, 0x19, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0x08, 0, 0]
        let c = try WriteSame16CDB(parsing: bytes)
        #expect(c.anchor && c.unmap && c.noDataOutBuffer && c.wrprotect == 0)
        #expect(c.logicalBlockAddress == 256 && c.numberOfBlocks == 8)
        #expect(c.encoded() == bytes)
    }

    @Test func synchronizeCacheCDBs() throws {
        let c10 = try SynchronizeCacheCDB(parsing: [0x35, 0x02, 0, 0, 0, 9, 0, 0, 4, 0])
        #expect(!c10.is16 && c10.immediate && c10.logicalBlockAddress == 9 && c10.numberOfBlocks == 4)
        #expect(try c10.encoded() == [0x35, 0x02, 0, 0, 0, 9, 0, 0, 4, 0])
        let c16 = SynchronizeCacheCDB(is16: true, logicalBlockAddress: 1 << 40, numberOfBlocks: 2)
        #expect(try SynchronizeCacheCDB(parsing: try c16.encoded()) == c16)
    }

    @Test("UNMAP: CDB and a two-descriptor parameter list")
    func unmap() throws {
        let cdb = UnmapCDB(parameterListLength: 40)
        #expect(cdb.encoded() == [0x42, 0, 0, 0, 0, 0, 0, 0x00, 0x28, 0])
        let list = UnmapParameterList(descriptors: [UnmapBlockDescriptor(logicalBlockAddress: 0x10, numberOfBlocks: 8),
                                                    UnmapBlockDescriptor(logicalBlockAddress: 1 << 32, numberOfBlocks: 1)])
        let bytes: [UInt8] = [0x00, 0x26, 0x00, 0x20, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 8, 0, 0, 0, 0,
                              0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
        #expect(list.encoded() == bytes)
        #expect(try UnmapParameterList(parsing: bytes) == list)
        let truncated = try UnmapParameterList(parsing: Array(bytes.prefix(30)))
        #expect(truncated.blockDescriptorDataLength == 32 && truncated.descriptors.count == 1, "lengths kept as sent, descriptors as far as present")
        #expect(throws: WireError.self) { try UnmapParameterList(parsing: [0, 6, 0]) }
    }

    @Test("GET LBA STATUS: CDB and parameter data")
    func getLBAStatus() throws {
        let cdb = GetLBAStatusCDB(startingLBA: 5, allocationLength: 24)
        #expect(cdb.encoded() == [0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 24, 0, 0])
        let data = LBAStatusData(descriptors: [LBAStatusDescriptor(logicalBlockAddress: 5, numberOfBlocks: 3, provisioningStatus: .deallocated)])
        let bytes: [UInt8] = [0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 3, 1, 0, 0, 0]
        #expect(data.encoded() == bytes)
        #expect(try LBAStatusData(parsing: bytes) == data)
        #expect(try LBAStatusData(parsing: Array(bytes.prefix(20))).descriptors.isEmpty)
        #expect(ProvisioningStatus.anchored.description == "anchored")
    }

    @Test("REPORT SUPPORTED OPERATION CODES: CDB, all_commands with and without timeouts, one_command")
    func reportSupportedOperationCodes() throws {
        let cdb = ReportSupportedOperationCodesCDB(reportingOptions: .operationCodeAndServiceAction, requestedOperationCode: 0x9E,
                                                   requestedServiceAction: 0x10, allocationLength: 0x200, returnCommandTimeoutsDescriptor: true)
        #expect(cdb.encoded() == [0xA3, 0x0C, 0x82, 0x9E, 0x00, 0x10, 0, 0, 0x02, 0x00, 0, 0])
        #expect(try ReportSupportedOperationCodesCDB(parsing: cdb.encoded()) == cdb)
        let list = SupportedOperationCodesList(commands: [
            SupportedCommandDescriptor(operationCode: 0x28, serviceAction: nil, cdbLength: 10),
            SupportedCommandDescriptor(operationCode: 0x9E, serviceAction: 0x10, cdbLength: 16,
                                       timeouts: CommandTimeoutsDescriptor(nominalProcessingTimeout: 1, recommendedTimeout: 30)),
        ])
        let bytes: [UInt8] = [0, 0, 0, 28,
                              0x28, 0, 0, 0, 0, 0x00, 0, 10,
                              0x9E, 0, 0, 0x10, 0, 0x03, 0, 16,
                              0, 0x0A, 0, 0, 0, 0, 0, 1, 0, 0, 0, 30]
        #expect(list.encoded() == bytes)
        #expect(try SupportedOperationCodesList(parsing: bytes) == list)
        let one = SupportedOperationCodeOne(support: .supportedStandard, cdbUsageData: [0x00, 0, 0, 0, 0, 0])
        #expect(one.encoded() == [0, 0x03, 0, 6, 0, 0, 0, 0, 0, 0])
        #expect(try SupportedOperationCodeOne(parsing: one.encoded()) == one)
    }

    @Test("MODE SENSE: CDBs, (6) and (10) parameter lists, Caching and Control pages")
    func modeSense() throws {
        #expect(ModeSenseCDB(is10: false, pageCode: 0x3F, allocationLength: 255).encoded() == [0x1A, 0, 0x3F, 0, 0xFF, 0])
        let c10 = ModeSenseCDB(is10: true, pageCode: 0x08, pageControl: .changeable, dbd: true, llbaa: true, allocationLength: 0x100)
        #expect(c10.encoded() == [0x5A, 0x18, 0x48, 0, 0, 0, 0, 0x01, 0x00, 0])
        #expect(try ModeSenseCDB(parsing: c10.encoded()) == c10)
        let caching = CachingModePage(writeCacheEnabled: true)
        #expect(caching.encoded() == [0x08, 0x12, 0x04] + [UInt8](repeating: 0, count: 17))
        let list6 = ModeParameterList(is10: false, deviceSpecificParameter: 0x10,
                                      blockDescriptors: [ModeBlockDescriptor(numberOfBlocks: 0x100, blockLength: 512)],
                                      pages: [caching.encoded()])
        let bytes6: [UInt8] = [31, 0, 0x10, 8, 0, 0, 1, 0, 0, 0, 2, 0] + caching.encoded()
        #expect(list6.encoded() == bytes6)
        #expect(try ModeParameterList(parsing: bytes6, is10: false) == list6)
        let control = ControlModePage(descriptorSense: true)
        #expect(control.encoded() == [0x0A, 0x0A, 0x06, 0x10, 0, 0, 0, 0, 0, 0, 0, 0])
        let list10 = ModeParameterList(is10: true, deviceSpecificParameter: 0x90, longLBA: true,
                                       blockDescriptors: [ModeBlockDescriptor(numberOfBlocks: 1 << 33, blockLength: 4096)],
                                       pages: [control.encoded()])
        let bytes10: [UInt8] = [0, 34, 0, 0x90, 1, 0, 0, 16, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0] + control.encoded()
        #expect(list10.encoded() == bytes10)
        #expect(try ModeParameterList(parsing: bytes10, is10: true) == list10)
        #expect(try ControlModePage(parsing: control.encoded()) == control)
    }

    @Test func blockDeviceCharacteristicsPage() throws {
        let page = BlockDeviceCharacteristicsPage(mediumRotationRate: 7200, nominalFormFactor: 2, fuab: true)
        let bytes = page.encoded()
        #expect(bytes.count == 64 && Array(bytes[0..<9]) == [0, 0xB1, 0, 0x3C, 0x1C, 0x20, 0, 2, 2])
        #expect(try BlockDeviceCharacteristicsPage(parsing: bytes) == page)
    }

    @Test func smallCDBs() throws {
        let inq = try InquiryCDB(parsing: CDB.inquiry(page: .blockLimits, allocationLength: 0x1000))
        #expect(inq.evpd && inq.pageCode == 0xB0 && inq.allocationLength == 0x1000 && !inq.cmddt)
        let rl = try ReportLunsCDB(parsing: CDB.reportLuns(allocationLength: 512))
        #expect(rl.selectReport == 0 && rl.allocationLength == 512)
        let rs = RequestSenseCDB(descriptorFormat: true, allocationLength: 18)
        #expect(rs.encoded() == [0x03, 1, 0, 0, 18, 0])
        #expect(try RequestSenseCDB(parsing: rs.encoded()) == rs)
        #expect(throws: WireError.self) { try InquiryCDB(parsing: [0x12, 1]) }
    }

    @Test("SupportedOperation: the first unused bit, and SPC's usage for each copy service action")
    func supportedOperation() {
        let read10 = SupportedOperation(operationCode: 0x28, usage: [0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0])
        #expect(read10.firstUnusedBit(in: [0x28, 0x18, 1, 2, 3, 4, 0x1F, 0, 1, 0]) == nil)
        #expect(read10.firstUnusedBit(in: [0x28, 0xA0, 0, 0, 0, 0, 0, 0, 1, 0])! == (1, 7))
        #expect(read10.firstUnusedBit(in: [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0x05])! == (9, 2))
        let rc16 = SupportedOperation(operationCode: 0x9E, serviceAction: 0x10, usage: [0x9E, 0x10] + [UInt8](repeating: 0xFF, count: 12) + [1, 0])
        #expect(rc16.firstUnusedBit(in: [0x9E, 0x12] + [UInt8](repeating: 0, count: 14)) == nil, "SA bits are checked elsewhere")
        #expect(rc16.firstUnusedBit(in: [0x9E, 0x30] + [UInt8](repeating: 0, count: 14))! == (1, 5))
        for (op, sa) in [(UInt8(0x83), UInt8(0x00)), (0x83, 0x01), (0x83, 0x10), (0x83, 0x11), (0x83, 0x1C),
                         (0x84, 0x00), (0x84, 0x01), (0x84, 0x03), (0x84, 0x04), (0x84, 0x05), (0x84, 0x06), (0x84, 0x07), (0x84, 0x08)] {
            let u = SupportedOperation.thirdPartyCopy(operationCode: op, serviceAction: sa)
            #expect(u?.usage.count == 16 && u?.usage[0] == op && u?.usage[1] == sa && u?.usage[15] == 0)
        }
        #expect(SupportedOperation.thirdPartyCopy(operationCode: 0x83, serviceAction: 0x05) == nil)
        #expect(SupportedOperation.thirdPartyCopy(operationCode: 0x83, serviceAction: 0x10)?.usage[6...14] == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
    }
}
