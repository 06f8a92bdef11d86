#if canImport(Glibc)
import Glibc
#endif
import SCSITransport
@testable import SGIOTransport
import Testing

@Suite struct SGOutcomeTests {
    let inquiry = SCSICommand(cdb: [0x12, 0, 0, 0, 36, 0], data: .fromDevice(allocationLength: 36), timeout: .seconds(7))
    let xcopy = SCSICommand(cdb: [0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0], data: .toDevice([UInt8](repeating: 0, count: 32)))
    let rcop = SCSICommand(cdb: [0x84, 0x03] + [UInt8](repeating: 0, count: 14), data: .fromDevice(allocationLength: 520))

    @Test("GOOD: data as returned")
    func good() throws {
        let r = try SGOutcome(data: [1, 2, 3]).result(for: inquiry, target: "/dev/sg1").get()
        #expect(r.status == .good)
        #expect(r.data == [1, 2, 3])
        #expect(r.senseBytes.isEmpty)
    }

    @Test("CHECK CONDITION is an answer with its sense, not an error")
    func checkCondition() throws {
        let sense: [UInt8] = [0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0x00, 0, 0, 0, 0]
        let r = try SGOutcome(category: 2, status: 0x02, sense: sense, data: [9, 9]).result(for: inquiry, target: "/dev/sg1").get()
        #expect(r.status == .checkCondition)
        #expect(r.senseBytes == sense)
        #expect(r.data.isEmpty)
        #expect(r.sense?.key == .illegalRequest)
    }

    @Test("BUSY and RESERVATION CONFLICT are answers too")
    func otherStatus() throws {
        #expect(try SGOutcome(category: 1, status: 0x08).result(for: inquiry, target: "x").get().status == .busy)
        #expect(try SGOutcome(category: 1, status: 0x18).result(for: inquiry, target: "x").get().status == .reservationConflict)
    }

    @Test("EPERM on EXTENDED COPY and RECEIVE COPY RESULTS names CAP_SYS_RAWIO")
    func rawIO() {
        for c in [xcopy, rcop] {
            let e = SGOutcome(doResult: -EPERM, osError: EPERM).result(for: c, target: "/dev/sdb")
            #expect(e == .failure(.permissionDenied("/dev/sdb", reason: "EXTENDED COPY and RECEIVE COPY RESULTS need CAP_SYS_RAWIO (run as root)")))
        }
        guard case let .failure(.permissionDenied(_, hinted)) = SGOutcome(osError: EPERM).result(for: xcopy, target: "/dev/sdb", genericNode: "/dev/sg1") else {
            Issue.record("expected permissionDenied"); return
        }
        #expect(hinted.hasPrefix(SGOutcome.rawIOReason))
        #expect(hinted.contains("/dev/sg1"))
        guard case let .failure(.permissionDenied(_, reason)) = SGOutcome(osError: EPERM).result(for: inquiry, target: "x") else {
            Issue.record("expected permissionDenied"); return
        }
        #expect(reason.contains("CAP_SYS_RAWIO"))
        #expect(reason.contains("0x12"))
        #expect(TransportError.permissionDenied("/dev/sdb", reason: SGOutcome.rawIOReason).description
            == "/dev/sdb: permission denied: EXTENDED COPY and RECEIVE COPY RESULTS need CAP_SYS_RAWIO (run as root)")
    }

    @Test("device gone mid-command: ENODEV, ENXIO, DID_NO_CONNECT, DID_BAD_TARGET")
    func gone() {
        #expect(SGOutcome(doResult: -ENODEV, osError: ENODEV).result(for: inquiry, target: "/dev/sdb") == .failure(.deviceGone("/dev/sdb")))
        #expect(SGOutcome(osError: ENXIO).result(for: inquiry, target: "/dev/sdb") == .failure(.deviceGone("/dev/sdb")))
        #expect(SGOutcome(category: 3, hostStatus: 0x01).result(for: inquiry, target: "/dev/sdb") == .failure(.deviceGone("/dev/sdb")))
        #expect(SGOutcome(category: 3, hostStatus: 0x04).result(for: inquiry, target: "/dev/sdb") == .failure(.deviceGone("/dev/sdb")))
    }

    @Test("timeouts: DID_TIME_OUT, ETIMEDOUT, SCSI_PT_DO_TIMEOUT, DRIVER_TIMEOUT carry the command's timeout")
    func timeouts() {
        let want = Result<SCSIResponse, TransportError>.failure(.timeout("/dev/sg1", .seconds(7)))
        #expect(SGOutcome(category: 3, hostStatus: 0x03).result(for: inquiry, target: "/dev/sg1") == want)
        #expect(SGOutcome(osError: ETIMEDOUT).result(for: inquiry, target: "/dev/sg1") == want)
        #expect(SGOutcome(doResult: 2).result(for: inquiry, target: "/dev/sg1") == want)
        #expect(SGOutcome(category: 3, transportDetail: "Driver_status=0x06 [DRIVER_TIMEOUT]\n").result(for: inquiry, target: "/dev/sg1") == want)
    }

    @Test("transport errors are thrown, named by their host byte; path failures are connection losses")
    func transport() {
        guard case let .failure(.io(_, reason)) = SGOutcome(category: 3, hostStatus: 0x07).result(for: inquiry, target: "x") else {
            Issue.record("expected io"); return
        }
        #expect(reason == "transport error: host status 0x07 (DID_ERROR)")
        guard case let .failure(.connectionLost(t, why)) = SGOutcome(category: 3, hostStatus: 0x0F).result(for: inquiry, target: "/dev/mapper/m") else {
            Issue.record("expected connectionLost"); return
        }
        #expect(t == "/dev/mapper/m")
        #expect(why.contains("DID_TRANSPORT_FAILFAST"))
        guard case let .failure(.io(_, drv)) = SGOutcome(category: 3, transportDetail: "Driver_status=0x04 [DRIVER_ERROR]\n").result(for: inquiry, target: "x") else {
            Issue.record("expected io"); return
        }
        #expect(drv.contains("DRIVER_ERROR"))
    }

    @Test("not a SCSI device, refused transfer sizes, other errno values")
    func osErrors() {
        #expect(SGOutcome(osError: ENOTTY).result(for: inquiry, target: "/dev/null") == .failure(.notSCSIDevice("/dev/null")))
        #expect(SGOutcome(doResult: 4).result(for: inquiry, target: "/dev/null") == .failure(.notSCSIDevice("/dev/null")))
        guard case let .failure(.io(_, big)) = SGOutcome(osError: EINVAL).result(for: rcop, target: "x") else { Issue.record("io"); return }
        #expect(big.contains("520 data bytes"))
        #expect(big.contains("max_hw_sectors_kb"))
        guard case let .failure(.io(_, eio)) = SGOutcome(osError: EIO).result(for: inquiry, target: "x") else { Issue.record("io"); return }
        #expect(eio.contains("errno \(EIO)"))
        guard case let .failure(.permissionDenied(_, rw)) = SGOutcome(osError: EACCES).result(for: xcopy, target: "x") else { Issue.record("perm"); return }
        #expect(rw.contains("read-write"))
    }

    @Test("the kernel's timer gets whole seconds, rounded up, at least one")
    func seconds() {
        #expect(SGPassThrough.seconds(.seconds(30)) == 30)
        #expect(SGPassThrough.seconds(.milliseconds(1500)) == 2)
        #expect(SGPassThrough.seconds(.milliseconds(1)) == 1)
        #expect(SGPassThrough.seconds(.zero) == 1)
        #expect(SGPassThrough.seconds(.seconds(10_000_000)) == 2_000_000)
    }
}
