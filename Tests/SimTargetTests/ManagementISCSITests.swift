import Foundation
import ISCSIWire
import SCSIWire
import SimArray
import SimTarget
import Testing

/// LUs made over the management API are served by the running iSCSI target at once: REPORT
/// LUNS lists them, VPD 0x83 shows the identity the API reported, READ CAPACITY the size; a
/// deleted one is gone, a grown one bigger.
@Suite("management API: seen over iSCSI", .serialized)
struct ManagementISCSITests {
    @Test("a LU created over the API is in REPORT LUNS, with the API's NAA in VPD 0x83 and its size in READ CAPACITY")
    func createdLUIsServed() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let created = try h.request("POST", "/v1/luns", body: #"{"lun": 300, "size": "8M", "blockSize": 4096}"#)
        #expect(created.status == 201)
        let lun = try created.decode(ManagementLUN.self)
        #expect(lun.url.hasSuffix("/300"))

        let c = try RawInitiator(port: h.target.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        #expect(try c.reportLuns() == [0, 300])

        let page = try DeviceIdentificationPage(parsing: try c.dataIn(lun: 300, cdb: CDB.inquiry(page: .deviceIdentification, allocationLength: 1024), length: 1024))
        let naa = try #require(page.designators.first { $0.type == .naa })
        #expect(naa.value.map { String(format: "%02x", $0) }.joined() == lun.identity.naa)
        let capacity = try ReadCapacity16Data(parsing: try c.dataIn(lun: 300, cdb: CDB.readCapacity16(), length: 32))
        #expect(capacity.blockLength == 4096)
        #expect(capacity.lastLBA + 1 == lun.blocks)
        await h.stop()
    }

    @Test("deleting and growing over the API: the session is told (unit attention), then sees the change")
    func changesReachASession() async throws {
        let h = try await ManagementHarness.start(luns: 2)
        defer { h.cleanUp() }
        let c = try RawInitiator(port: h.target.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        #expect(try c.reportLuns() == [0, 1])

        #expect(try h.request("DELETE", "/v1/luns/1").status == 204)
        #expect(try c.reportLuns() == [0], "REPORT LUNS is answered despite the pending REPORTED LUNS DATA HAS CHANGED")
        #expect(try c.testUnitReady(lun: 1) == SCSIStatus.checkCondition.rawValue, "LUN 1 is gone")

        #expect(try h.request("PATCH", "/v1/luns/0", body: #"{"size": "2M"}"#).status == 200)
        #expect(try c.testUnitReady(lun: 0) == SCSIStatus.checkCondition.rawValue, "CAPACITY DATA HAS CHANGED first")
        let capacity = try ReadCapacity16Data(parsing: try c.dataIn(lun: 0, cdb: CDB.readCapacity16(), length: 32))
        #expect(capacity.lastLBA + 1 == 4096)
        await h.stop()
    }
}

extension RawInitiator {
    /// TEST UNIT READY on `lun`; the SCSI status.
    func testUnitReady(lun: UInt64) throws -> UInt8 {
        defer { itt &+= 1 }
        try sendTestUnitReady(lun: lun, itt: itt)
        let r = try SCSIResponsePDU(pdu: try #require(try receive()))
        expStatSN = r.statSN &+ 1
        return r.status
    }

    /// A data-in command answered in one Data-In PDU carrying the status; its data.
    func dataIn(lun: UInt64, cdb: [UInt8], length: Int) throws -> [UInt8] {
        defer { cmdSN &+= 1; itt &+= 1 }
        let command = SCSICommandPDU(final: true, read: true, lun: try ReportLunsData.field(forLUN: lun), initiatorTaskTag: itt,
                                     expectedDataTransferLength: UInt32(length), cmdSN: cmdSN, expStatSN: expStatSN, cdb: cdb)
        send(try command.pdu.encoded())
        var data: [UInt8] = []
        while true {
            let pdu = try #require(try receive())
            if pdu.header.opcodeCode == ISCSIOpcode.scsiResponse.rawValue {
                let r = try SCSIResponsePDU(pdu: pdu)
                expStatSN = r.statSN &+ 1
                throw CommandFailed(status: r.status, sense: r.senseData)
            }
            let d = try SCSIDataIn(pdu: pdu)
            data += d.data
            if let status = d.status {
                expStatSN = status.statSN &+ 1
                guard status.status == SCSIStatus.good.rawValue else { throw CommandFailed(status: status.status, sense: []) }
                return data
            }
        }
    }

    /// REPORT LUNS (SELECT REPORT 0) on LUN 0: the LUN numbers.
    func reportLuns() throws -> [UInt64] {
        try ReportLunsData(parsing: dataIn(lun: 0, cdb: CDB.reportLuns(allocationLength: 4096), length: 4096)).lunNumbers
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var status: UInt8
        var sense: [UInt8]
        var description: String { "SCSI status \(status), sense \(sense)" }
    }
}
