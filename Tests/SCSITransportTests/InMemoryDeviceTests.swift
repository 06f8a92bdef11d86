import SCSITransport
import SCSIWire
import Testing

/// The in-memory twin must behave like a transport where tests rely on it: data-in clipped to
/// the allocation length, every command recorded in order.
@Suite struct InMemoryDeviceTests {
    @Test func clipsDataInToAllocationLength() async throws {
        let device = InMemoryDevice { _ in .good([UInt8](repeating: 0xAB, count: 100)) }
        let r = try await device.execute(SCSICommand(cdb: CDB.inquiry(allocationLength: 36), data: .fromDevice(allocationLength: 36)))
        #expect(r.status == .good)
        #expect(r.data.count == 36)
    }

    @Test func recordsCommandsInOrder() async throws {
        let device = InMemoryDevice { _ in .good() }
        _ = try await device.execute(SCSICommand(cdb: CDB.testUnitReady()))
        _ = try await device.execute(SCSICommand(cdb: CDB.readCapacity16(), data: .fromDevice(allocationLength: 32)))
        #expect(device.commands.map(\.operationCode) == [.testUnitReady, .serviceActionIn16])
    }

    @Test func checkConditionCarriesParsableSense() async throws {
        let device = InMemoryDevice { _ in .invalidOperationCode }
        let r = try await device.execute(SCSICommand(cdb: [0x83] + [UInt8](repeating: 0, count: 15)))
        #expect(r.status == .checkCondition)
        #expect(r.sense?.key == .illegalRequest)
        #expect(r.sense?.additionalSense == .invalidCommandOperationCode)
    }
}
