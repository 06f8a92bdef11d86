import Foundation
import Testing

/// The SG_IO transport on real SCSI devices: inside the LIO guest, where tcm_loop exports LIO
/// LUNs as local /dev/sdX and /dev/sgN, the project's own statically linked binaries run
/// through `scripts/lio-target run`. The same LUNs are also iSCSI LUNs, so every answer seen
/// through SG_IO inside is compared with the one libiscsi gets from outside.
///
/// scripts/test starts the guest with `--tcm-loop 3` (two 512-byte LUNs and one 4096-byte LUN)
/// and ships offload-probe and offload-copy. A guest that did not start fails every test here.
@Suite("SG_IO in the LIO guest", .serialized)
struct SGIOGuestTests {
    // MARK: - Probing

    @Test("offload-probe /dev/sgN: LIO's verdicts (XCOPY 2/1/1024, no ODX, 0x8F absent)")
    func probeSG() throws {
        let g = try Guest.started()
        let r = try g.run("offload-probe --json $SG0")
        #expect(r.status == 0, "\(r.err)")
        let json = try r.object()
        let device = try #require(json["device"] as? [String: Any])
        #expect(device["address"] as? String == g.loop[0].sg)
        #expect(device["vendor"] as? String == "LIO-ORG")
        #expect(device["family"] as? String == "lio")
        #expect(device["blockSize"] as? Int == 512)
        let xcopy = try #require(json["xcopy"] as? [String: Any])
        #expect(xcopy["supported"] as? Bool == true, "\(xcopy["reason"] ?? "")")
        let limits = try #require(xcopy["limits"] as? [String: Any])
        #expect(limits["maxCSCDDescriptors"] as? Int == 2)
        #expect(limits["maxSegmentDescriptors"] as? Int == 1)
        #expect(limits["maxDescriptorListLength"] as? Int == 1024)
        let odx = try #require(json["odx"] as? [String: Any])
        #expect(odx["supported"] as? Bool == false)
        #expect((odx["reason"] as? String)?.contains("0x8F") == true)
        let vpd = try #require(json["vpd"] as? [String: Any])
        #expect(vpd["thirdPartyCopy"] is NSNull)
        #expect(!((vpd["supportedPages"] as? [Int]) ?? []).contains(0x8F))
    }

    @Test("SG_IO inside and libiscsi outside give the same JSON report for each LU")
    func probeSameAsISCSI() throws {
        let g = try Guest.started()
        for lu in g.loop {
            let inside = try g.run("offload-probe --json \(lu.sg)")
            #expect(inside.status == 0, "\(inside.err)")
            let outside = try runProbe(["--json", try g.iscsiURL(lu)])
            #expect(outside.0 == 0, "\(outside.2)")
            let a = try Guest.comparable(inside.object())
            let b = try Guest.comparable(JSONObject(outside.1))
            #expect(NSDictionary(dictionary: a).isEqual(to: b), "SG_IO: \(a)\nlibiscsi: \(b)")
        }
    }

    @Test("offload-probe /dev/sdA /dev/sdB: one nexus, xcopy, the plan libiscsi gets")
    func pairXCOPY() throws {
        let g = try Guest.started()
        let r = try g.run("offload-probe --json $SD0 $SD1")
        #expect(r.status == 0, "\(r.err)")
        let json = try r.object()
        #expect(json["method"] as? String == "xcopy", "\(json["reasons"] ?? "")")
        let plan = try #require(json["plan"] as? [String: Any])
        #expect(plan["blocksPerSegment"] as? Int == 65535)
        #expect(plan["segmentsPerCommand"] as? Int == 1)
        let reasons = (json["reasons"] as? [String]) ?? []
        #expect(reasons.contains { $0.contains("one session") && $0.contains("/host") && $0.contains("/target") },
                "the nexus is the SCSI target's sysfs path: \(reasons)")

        let outside = try runProbe(["--json", try g.iscsiURL(g.loop[0]), try g.iscsiURL(g.loop[1])])
        #expect(outside.0 == 0, "\(outside.2)")
        let o = try JSONObject(outside.1)
        #expect(o["method"] as? String == "xcopy")
        #expect(NSDictionary(dictionary: plan).isEqual(to: (o["plan"] as? [String: Any]) ?? [:]))
    }

    @Test("512 -> 4096 through SG_IO: host, as through libiscsi")
    func pairMismatch() throws {
        let g = try Guest.started()
        let r = try g.run("offload-probe --json $SD0 $SD2")
        #expect(r.status == 0, "\(r.err)")
        let json = try r.object()
        #expect(json["method"] as? String == "host")
        #expect(((json["reasons"] as? [String]) ?? []).contains { $0.contains("block sizes differ") })
    }

    @Test("a /dev/disk/by-id link works and the report says what it resolved to")
    func byID() throws {
        let g = try Guest.started()
        let lu = g.loop[1]
        let r = try g.run("offload-probe \(lu.byID)")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Device \(lu.byID) (\(lu.sd.dropFirst(5)) \(lu.hctl))"), "\(r.out.prefix(300))")
    }

    // MARK: - Errors on real devices

    @Test("not a SCSI device, and no such device: exit 69, one line")
    func notSCSI() throws {
        let g = try Guest.started()
        let vda = try g.run("offload-probe /dev/vda")
        #expect(vda.status == 69)
        #expect(vda.err == "offload-probe: /dev/vda: not a SCSI device\n")
        let none = try g.run("offload-probe /dev/sdzz")
        #expect(none.status == 69)
        #expect(none.err.contains("/dev/sdzz: no such device"))
        let file = try g.run("offload-copy /etc/lio.conf $SD1")
        #expect(file.status == 69)
        #expect(file.err.contains("/etc/lio.conf: not a SCSI device"))
    }

    @Test("without CAP_SYS_RAWIO: /dev/sdX refuses RECEIVE COPY RESULTS and says so; /dev/sgN opened read-write does not")
    func permission() throws {
        let g = try Guest.started()
        let user = """
            grep -q '^u:' /etc/passwd 2>/dev/null || { echo 'root:x:0:0::/:/bin/sh' >/etc/passwd; \
            echo 'u:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd; echo 'root:x:0:' >/etc/group; echo 'u:x:1000:' >>/etc/group; }
            chmod 666 $SD0 $SG0
            """
        let sd = try g.run(user + "\nsu -s /bin/sh u -c \"offload-probe $SD0\"")
        #expect(sd.status == 69)
        #expect(sd.err.contains("\(g.loop[0].sd): permission denied: EXTENDED COPY and RECEIVE COPY RESULTS need CAP_SYS_RAWIO"), "\(sd.err)")
        #expect(sd.err.contains("or use \(g.loop[0].sg)"), "\(sd.err)")
        let sg = try g.run(user + "\nsu -s /bin/sh u -c \"offload-probe $SG0\"")
        #expect(sg.status == 0, "\(sg.err)")
        _ = try g.run("chmod 660 $SD0 $SG0")
    }

    @Test("transport errors are not SCSI errors: a failed path and an offline device")
    func transportErrors() throws {
        let g = try Guest.started()
        // tcm_loop fails every command with DID_TRANSPORT_DISRUPTED while its port is offline.
        let path = try g.run("echo offline >$LOOP_TPG/transport_status; offload-probe $SG1; rc=$?; echo online >$LOOP_TPG/transport_status; exit $rc")
        #expect(path.status == 69)
        #expect(path.err.contains("\(g.loop[1].sg): connection lost: the path to the logical unit failed: host status 0x0E (DID_TRANSPORT_DISRUPTED)"), "\(path.err)")
        // An offline SCSI device: the kernel answers DID_NO_CONNECT, as for a device that went away.
        let gone = try g.run("D=/sys/class/scsi_device/$HCTL1/device; echo offline >$D/state; offload-probe $SG1; rc=$?; echo running >$D/state; exit $rc")
        #expect(gone.status == 69)
        #expect(gone.err == "offload-probe: \(g.loop[1].sg): device went away\n", "\(gone.err)")
        let back = try g.run("offload-probe $SG1 >/dev/null")
        #expect(back.status == 0, "the device works again: \(back.err)")
    }

    // MARK: - Copying (needs the engines behind CopyEngines.make)

    @Test("offload-copy --json /dev/sdA /dev/sdB: XCOPY through SG_IO, byte for byte")
    func copyXCOPY() throws {
        let g = try Guest.started()
        try g.fillRandom(source: "$SD0", destination: "$SD1")
        let r = try g.run("offload-copy --json $SD0 $SD1")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let json = try r.object()
        #expect(json["ok"] as? Bool == true)
        #expect(json["method"] as? String == "xcopy", "\(json)")
        #expect(json["bytes"] as? Int == g.bytes)
        #expect(json["hostBytesWritten"] as? Int == 0)
        try g.expectIdentical("$SD0", "$SD1")
    }

    @Test("offload-copy --method host through SG_IO, byte for byte")
    func copyHost() throws {
        let g = try Guest.started()
        try g.fillRandom(source: "$SD0", destination: "$SD1")
        let r = try g.run("offload-copy --json --method host $SD0 $SD1")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let json = try r.object()
        #expect(json["ok"] as? Bool == true)
        #expect(json["method"] as? String == "host", "\(json)")
        #expect(json["bytes"] as? Int == g.bytes)
        try g.expectIdentical("$SD0", "$SD1")
    }

    @Test("offload-copy /dev/sdA (512) /dev/sdC (4096) through SG_IO: the host bridges the block sizes, byte for byte")
    func copyBridged() throws {
        let g = try Guest.started()
        try g.fillRandom(source: "$SD0", destination: "$SD2")
        let r = try g.run("offload-copy --json --verify $SD0 $SD2")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let json = try r.object()
        #expect(json["method"] as? String == "host", "\(json)")
        #expect(json["verified"] as? String == "full")
        #expect(json["bytes"] as? Int == g.bytes)
        try g.expectIdentical("$SD0", "$SD2")
        let forced = try g.run("offload-copy --method xcopy $SD0 $SD2")
        #expect(forced.status == 67, "\(forced.err)")
    }

    @Test("the destination goes offline mid-copy: 'device went away', not a SCSI error")
    func goneMidCopy() throws {
        let g = try Guest.started()
        // One command at a time, so the copy is still running when the device goes. Under load
        // the process may not have opened the device yet (then open fails: "no device behind
        // this node"), or may have finished already: both are tried again, waiting longer.
        let r = try g.run("""
            D=/sys/class/scsi_device/$HCTL1/device
            for delay in 0.3 0.6 1 1.5 2 3; do
              offload-copy --quiet --queue-depth 1 --method host $SD0 $SD1 2>/tmp/gone.err & p=$!
              sleep $delay
              echo offline >$D/state
              wait $p; rc=$?
              echo running >$D/state
              grep -q "device went away" /tmp/gone.err && break
            done
            cat /tmp/gone.err >&2
            exit $rc
            """)
        #expect(r.status != 0, "the copy always finished before the device went offline")
        #expect(r.err.contains("\(g.loop[1].sd): device went away"), "\(r.err)")
        let back = try g.run("offload-probe $SD1 >/dev/null")
        #expect(back.status == 0, "the device works again: \(back.err)")
    }

    @Test("offload-copy over libiscsi from outside reports what it reports over SG_IO inside")
    func copySameAsISCSI() throws {
        let g = try Guest.started()
        try g.fillRandom(source: "$SD0", destination: "$SD1")
        let inside = try g.run("offload-copy --json $SD0 $SD1")
        #expect(inside.status == 0, "\(inside.out)\(inside.err)")
        try g.expectIdentical("$SD0", "$SD1")

        try g.fillRandom(source: "$SD0", destination: "$SD1")
        let outside = try runCopy(["--json", "--quiet", try g.iscsiURL(g.loop[0]), try g.iscsiURL(g.loop[1])])
        #expect(outside.0 == 0, "\(outside.1)\(outside.2)")
        try g.expectIdentical("$SD0", "$SD1")

        let a = try inside.object(), b = try JSONObject(outside.1)
        for key in ["ok", "method", "bytes", "ranges", "fallbacks", "verified", "hostBytesWritten"] {
            #expect((a[key] as? NSObject) == (b[key] as? NSObject), "\(key): SG_IO \(a[key] ?? "nil"), libiscsi \(b[key] ?? "nil")")
        }
    }
}

/// The guest scripts/test started, as it announced it: its state directory (for
/// `lio-target run`) and the tcm_loop LUNs it lists there.
struct Guest {
    struct LoopLUN {
        let index: Int
        let iscsiLUN: Int
        let sd: String
        let sg: String
        let hctl: String
        let byID: String
    }

    let state: String
    let loop: [LoopLUN]
    /// Bytes in a loop LUN (all are alike in size).
    var bytes: Int { 64 << 20 }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/lio-target").path

    static func started() throws -> Guest {
        let env = ProcessInfo.processInfo.environment
        guard let state = env["OFFLOAD_TEST_LIO_STATE"], !state.isEmpty else {
            throw RealTarget.Missing(description: env["OFFLOAD_TEST_LIO_ERROR"]
                ?? "OFFLOAD_TEST_LIO_STATE is not set: run the suite through scripts/test, which starts the LIO guest with tcm_loop LUNs")
        }
        if let why = env["OFFLOAD_TEST_SGIO_ERROR"], !why.isEmpty { throw RealTarget.Missing(description: why) }
        guard let text = try? String(contentsOfFile: state + "/tcm-loop", encoding: .utf8) else {
            throw RealTarget.Missing(description: "\(state)/tcm-loop is missing: the LIO guest was started without --tcm-loop")
        }
        let loop = text.split(separator: "\n").compactMap { line -> LoopLUN? in
            let f = line.split(separator: " ").map(String.init)
            guard f.count == 6, let i = Int(f[0]), let l = Int(f[1]) else { return nil }
            return LoopLUN(index: i, iscsiLUN: l, sd: f[2], sg: f[3], hctl: f[4], byID: f[5])
        }
        guard loop.count >= 3 else {
            throw RealTarget.Missing(description: "\(state)/tcm-loop lists \(loop.count) LUNs; these tests need 3 (512, 512, 4096)")
        }
        return Guest(state: state, loop: loop)
    }

    struct Output {
        let status: Int32
        let out: String
        let err: String
        func object() throws -> [String: Any] { try JSONObject(out) }
    }

    /// Runs a shell command in the guest. A guest that cannot run it (125) is a failure here.
    func run(_ command: String, timeout: Int = 300) throws -> Output {
        // Output to files, not pipes: nothing to drain while waiting, whatever the sizes.
        let base = NSTemporaryDirectory() + "sgio-guest-" + UUID().uuidString
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.script, "run", "--state", state, "--timeout", "\(timeout)", "--", command]
        p.standardOutput = FileHandle(forWritingAtPath: base + ".out")
        p.standardError = FileHandle(forWritingAtPath: base + ".err")
        try p.run()
        p.waitUntilExit()
        let o = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let e = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        if p.terminationStatus == 125 {
            throw RealTarget.Missing(description: "the LIO guest did not run '\(command)': \(e)")
        }
        return Output(status: p.terminationStatus, out: o, err: e)
    }

    /// The iSCSI URL of a loop LUN: the same backstore, reached by libiscsi from the host.
    func iscsiURL(_ lu: LoopLUN) throws -> String {
        let urls = try RealTarget.lio.urls()
        guard lu.iscsiLUN < urls.count else { throw RealTarget.Missing(description: "no iSCSI URL for LUN \(lu.iscsiLUN)") }
        return urls[lu.iscsiLUN].description
    }

    /// New random data on the source, zeros on the destination, both on the medium.
    func fillRandom(source: String, destination: String) throws {
        let r = try run("""
            n=$(($(blockdev --getsize64 \(source)) / 1048576))
            dd if=/dev/urandom of=\(source) bs=1M count=$n conv=fsync 2>/dev/null &&
            dd if=/dev/zero of=\(destination) bs=1M count=$n conv=fsync 2>/dev/null &&
            ! cmp -s \(source) \(destination)
            """)
        #expect(r.status == 0, "preparing the LUNs failed: \(r.err)")
    }

    /// Byte comparison of the two LUNs as the medium holds them (page cache dropped first: the
    /// copy wrote beneath it).
    func expectIdentical(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try run("blockdev --flushbufs \(a) && blockdev --flushbufs \(b) && echo 3 >/proc/sys/vm/drop_caches && cmp \(a) \(b)")
        #expect(r.status == 0, "the destination differs from the source: \(r.out)\(r.err)", sourceLocation: sourceLocation)
    }

    /// What must agree between transports: the probe report without what names the path (the
    /// address, and the target-port designators, which belong to the iSCSI or loopback port).
    static func comparable(_ report: [String: Any]) -> [String: Any] {
        var r = report
        if var device = r["device"] as? [String: Any] {
            device["address"] = nil
            device["designators"] = (device["designators"] as? [[String: Any]])?.filter { $0["association"] as? String == "logical unit" }
            r["device"] = device
        }
        return r
    }
}

func JSONObject(_ text: String) throws -> [String: Any] {
    guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw RealTarget.Missing(description: "not a JSON object: \(text.prefix(200))")
    }
    return o
}

