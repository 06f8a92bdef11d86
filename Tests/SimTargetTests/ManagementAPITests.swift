import Foundation
import SCSIWire
import SimArray
import SimTarget
import Testing

/// Every endpoint of the management API and every status it answers, over real HTTP against
/// a running array with the ctl profile (docs/management-api.md).
@Suite("management API: endpoints", .serialized)
struct ManagementAPITests {
    @Test("GET /v1/health: status, profile name and target IQN")
    func health() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let r = try h.request("GET", "/v1/health")
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "application/json")
        let o = try r.object()
        #expect(o["status"] as? String == "ok")
        #expect(o["profile"] as? String == "ctl")
        #expect(o["target"] as? String == TargetSettings.defaultTargetName)
        await h.stop()
    }

    @Test("GET /v1/luns lists every LU with its geometry, identity (hex) and libiscsi URL")
    func list() async throws {
        let h = try await ManagementHarness.start(luns: 2)
        defer { h.cleanUp() }
        let r = try h.request("GET", "/v1/luns")
        #expect(r.status == 200)
        let luns = try #require(try r.object()["luns"] as? [[String: Any]])
        #expect(luns.count == 2)
        let first = try #require(luns.first)
        #expect(Set(first.keys) == ["lun", "blockSize", "blocks", "bytes", "thin", "identity", "url"])
        let identity = try #require(first["identity"] as? [String: Any])
        #expect(Set(identity.keys) == ["naa", "eui64", "t10", "serial"])
        let unit = try #require(h.array.logicalUnit(lun: 0))
        #expect(identity["naa"] as? String == unit.identity.naa.map { String(format: "%02x", $0) }.joined())
        #expect(identity["eui64"] as? String == unit.identity.eui64.map { String(format: "%02x", $0) }.joined())
        #expect(identity["serial"] as? String == unit.identity.unitSerial)
        #expect(identity["t10"] as? String == "FREEBSD " + unit.identity.unitSerial)

        let list = try r.decode(ManagementLUNList.self)
        #expect(list.luns.map(\.lun) == [0, 1])
        #expect(list.luns[0] == ManagementLUN(lun: 0, unit: unit, url: h.target.url(lun: 0)))
        #expect(list.luns[0].url == "iscsi://127.0.0.1:\(h.target.boundPort)/\(TargetSettings.defaultTargetName)/0")
        #expect(list.luns[0].blockSize == 512 && list.luns[0].blocks == 2048 && list.luns[0].bytes == 1 << 20)
        #expect(list.luns[0].thin)
        await h.stop()
    }

    @Test("POST /v1/luns creates a LU through the profile, persisted in the state dir: 201 with Location")
    func create() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let r = try h.request("POST", "/v1/luns", body: #"{"lun": 5, "size": "64M", "blockSize": 4096}"#)
        #expect(r.status == 201)
        #expect(r.headers["location"] == "/v1/luns/5")
        let lun = try r.decode(ManagementLUN.self)
        #expect(lun.lun == 5 && lun.blockSize == 4096 && lun.blocks == 16384 && lun.bytes == 64 << 20)
        #expect(lun.url == h.target.url(lun: 5))
        let unit = try #require(h.array.logicalUnit(lun: 5))
        #expect(lun.identity == ManagementIdentity(unit.identity))
        // The array's personality: INQUIRY text, T10 vendor ID and exposed designators from ctl.
        #expect(unit.options.vendor == h.profile.inquiry.vendor)
        #expect(unit.options.product == h.profile.inquiry.product)
        #expect(unit.identity.t10VendorID == h.profile.t10VendorID)
        #expect(unit.identity.exposedDesignators == h.profile.identity.designators)
        #expect(h.array.isPersistent(lun: 5))
        let image = h.stateDirectory.appendingPathComponent("naa-\(lun.identity.naa).img").path
        #expect(FileManager.default.fileExists(atPath: image))
        let state = try String(contentsOf: h.stateDirectory.appendingPathComponent(SimulatedArray.stateFileName), encoding: .utf8)
        #expect(state.contains(lun.identity.naa))
        await h.stop()
    }

    @Test("POST /v1/luns without a LUN takes the lowest free one; size may be a number of bytes")
    func createLowestFree() async throws {
        let h = try await ManagementHarness.start(luns: 1)
        defer { h.cleanUp() }
        #expect(try h.request("POST", "/v1/luns", body: #"{"lun": 2, "size": 1048576}"#).status == 201)
        let r = try h.request("POST", "/v1/luns", body: #"{"size": 1048576}"#)
        #expect(r.status == 201)
        let lun = try r.decode(ManagementLUN.self)
        #expect(lun.lun == 1)
        #expect(lun.blockSize == 512 && lun.blocks == 2048)
        #expect(try h.request("POST", "/v1/luns", body: #"{"size": "2k"}"#).decode(ManagementLUN.self).lun == 3)
        #expect(h.array.luns == [0, 1, 2, 3])
        await h.stop()
    }

    @Test("POST /v1/luns refuses bad bodies and values with 400 and an existing LUN with 409",
          arguments: [
              (#"{"lun": 0, "size": "1M"}"#, 409, "already in use"),
              (#"{"size": "1M", "blockSize": 1000}"#, 400, "blockSize"),
              (#"{"size": "1M", "blockSize": 2048}"#, 400, "blockSize"),
              (#"{"size": "12X"}"#, 400, "size"),
              (#"{"size": "-5"}"#, 400, "size"),
              (#"{"size": -5}"#, 400, "size"),
              (#"{"size": 1.5}"#, 400, "size"),
              (#"{"size": 0}"#, 400, "at least one block"),
              (#"{"size": 1000}"#, 400, "multiple of the block size"),
              (#"{"size": "4K", "blockSize": 4096, "lun": 16384}"#, 400, "16383"),
              (#"{"size": "1M", "blocksize": 4096}"#, 400, "blocksize"),
              (#"{"lun": 3}"#, 400, "missing \"size\""),
              (#"{"lun": "three", "size": "1M"}"#, 400, "lun"),
              (#"{"size": null}"#, 400, "size"),
              (#"{"size": "1M""#, 400, "not valid JSON"),
              (#"[{"size": "1M"}]"#, 400, "JSON object"),
              ("", 400, "body is required"),
              ("\n", 400, "body is required"),
              (#"{"size": "99999999999T"}"#, 400, "size"),
          ] as [(String, Int, String)])
    func createRefused(body: String, status: Int, phrase: String) async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let r = try h.request("POST", "/v1/luns", body: body)
        #expect(r.status == status, "\(body): \(r.text)")
        let message = try r.errorMessage()
        #expect(message.contains(phrase), "\(body): \(message)")
        #expect(h.array.luns == [0], "nothing is created by a refused request")
        await h.stop()
    }

    @Test("GET /v1/luns/{n}: the LU; 404 for a missing LUN or a path that is no LUN number")
    func getOne() async throws {
        let h = try await ManagementHarness.start(luns: 2)
        defer { h.cleanUp() }
        let r = try h.request("GET", "/v1/luns/1")
        #expect(r.status == 200)
        #expect(try r.decode(ManagementLUN.self) == ManagementLUN(lun: 1, unit: try #require(h.array.logicalUnit(lun: 1)),
                                                                    url: h.target.url(lun: 1)))
        for path in ["/v1/luns/2", "/v1/luns/abc", "/v1/luns/-1", "/v1/luns/1x", "/v1/luns/99999999999999999999999", "/v1/luns/+1"] {
            let missing = try h.request("GET", path)
            #expect(missing.status == 404, "\(path)")
            _ = try missing.errorMessage()
        }
        await h.stop()
    }

    @Test("PATCH /v1/luns/{n} grows a LU (persisted); same size is a no-op; shrinking is 400")
    func resize() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let grown = try h.request("PATCH", "/v1/luns/0", body: #"{"size": "4M"}"#)
        #expect(grown.status == 200, "\(grown.text)")
        let lun = try grown.decode(ManagementLUN.self)
        #expect(lun.blocks == 8192 && lun.bytes == 4 << 20)
        #expect(h.array.logicalUnit(lun: 0)?.blockCount == 8192)
        let state = try String(contentsOf: h.stateDirectory.appendingPathComponent(SimulatedArray.stateFileName), encoding: .utf8)
        #expect(state.contains("\"blockCount\" : 8192"))

        let same = try h.request("PATCH", "/v1/luns/0", body: #"{"size": 4194304}"#)
        #expect(same.status == 200)
        #expect(try same.decode(ManagementLUN.self).blocks == 8192)

        let shrink = try h.request("PATCH", "/v1/luns/0", body: #"{"size": "1M"}"#)
        #expect(shrink.status == 400)
        #expect(try shrink.errorMessage().contains("shrinking"))
        #expect(h.array.logicalUnit(lun: 0)?.blockCount == 8192)

        let ragged = try h.request("PATCH", "/v1/luns/0", body: #"{"size": 5000000}"#)
        #expect(ragged.status == 400)
        #expect(try ragged.errorMessage().contains("multiple"))
        #expect(try h.request("PATCH", "/v1/luns/0", body: #"{"size": "8M", "lun": 3}"#).status == 400)
        #expect(try h.request("PATCH", "/v1/luns/0", body: "size=8M").status == 400)
        #expect(try h.request("PATCH", "/v1/luns/0").status == 400)
        let missing = try h.request("PATCH", "/v1/luns/9", body: #"{"size": "8M"}"#)
        #expect(missing.status == 404)
        _ = try missing.errorMessage()
        await h.stop()
    }

    @Test("DELETE /v1/luns/{n}: 204 with no body, the LU and its image file gone; again is 404")
    func delete() async throws {
        let h = try await ManagementHarness.start(luns: 2)
        defer { h.cleanUp() }
        let naa = try h.request("GET", "/v1/luns/1").decode(ManagementLUN.self).identity.naa
        let image = h.stateDirectory.appendingPathComponent("naa-\(naa).img").path
        #expect(FileManager.default.fileExists(atPath: image))
        let r = try h.request("DELETE", "/v1/luns/1")
        #expect(r.status == 204)
        #expect(r.body.isEmpty)
        #expect(h.array.luns == [0])
        #expect(!FileManager.default.fileExists(atPath: image), "the data is deleted")
        #expect(try h.request("GET", "/v1/luns/1").status == 404)
        #expect(try h.request("DELETE", "/v1/luns/1").status == 404)
        #expect(try h.request("GET", "/v1/luns").decode(ManagementLUNList.self).luns.map(\.lun) == [0])
        await h.stop()
    }

    @Test("faults: list, add (normalised spec, 201), refuse a bad spec (400), clear (204)")
    func faults() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        #expect(try h.request("GET", "/v1/faults").decode(ManagementFaultList.self).faults == [])
        let added = try h.request("POST", "/v1/faults", body: #"{"fault": "busy:count=2"}"#)
        #expect(added.status == 201)
        #expect(try added.decode(ManagementFault.self).fault == "busy:count=2")
        let defaulted = try h.request("POST", "/v1/faults", body: #"{"fault": "task-set-full"}"#)
        #expect(try defaulted.decode(ManagementFault.self).fault == "task-set-full:count=1")
        #expect(h.faults.active == [.busy(count: 2), .taskSetFull(count: 1)])
        let listed = try h.request("GET", "/v1/faults")
        #expect(try listed.object()["faults"] as? [String] == ["busy:count=2", "task-set-full:count=1"])

        for body in [#"{"fault": "busy:count=0"}"#, #"{"fault": "melt-down"}"#, #"{"fault": 3}"#, #"{"spec": "busy"}"#, "{}", "busy"] {
            let r = try h.request("POST", "/v1/faults", body: body)
            #expect(r.status == 400, "\(body)")
            _ = try r.errorMessage()
        }
        #expect(h.faults.active.count == 2)

        let cleared = try h.request("DELETE", "/v1/faults")
        #expect(cleared.status == 204)
        #expect(cleared.body.isEmpty)
        #expect(h.faults.active.isEmpty)
        #expect(try h.request("GET", "/v1/faults").decode(ManagementFaultList.self).faults == [])
        await h.stop()
    }

    @Test("a fault posted while the target runs hits the next iSCSI command")
    func faultReachesTheTarget() async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let c = try RawInitiator(port: h.target.boundPort)
        #expect(try c.login()?.status.isSuccess == true)
        #expect(try c.testUnitReady(lun: 0) == SCSIStatus.good.rawValue)
        #expect(try h.request("POST", "/v1/faults", body: #"{"fault": "busy:count=1"}"#).status == 201)
        #expect(try c.testUnitReady(lun: 0) == SCSIStatus.busy.rawValue)
        #expect(try c.testUnitReady(lun: 0) == SCSIStatus.good.rawValue)
        #expect(try h.request("GET", "/v1/faults").decode(ManagementFaultList.self).faults == [], "spent")
        await h.stop()
    }

    @Test("unknown paths are 404",
          arguments: ["/", "/v1", "/v1/", "/v2/luns", "/v1/lun", "/v1/luns/0/identity", "/v1/health/x", "/V1/luns", "/v1/luns//", "*"])
    func unknownPath(path: String) async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let r = try h.request("GET", path)
        #expect(r.status == 404, "\(path)")
        _ = try r.errorMessage()
        await h.stop()
    }

    @Test("a known path with the wrong method is 405 with Allow",
          arguments: [("PUT", "/v1/luns", "GET, POST"), ("DELETE", "/v1/luns", "GET, POST"), ("POST", "/v1/luns/0", "GET, PATCH, DELETE"),
                      ("PUT", "/v1/luns/0", "GET, PATCH, DELETE"), ("PATCH", "/v1/faults", "GET, POST, DELETE"),
                      ("POST", "/v1/health", "GET"), ("DELETE", "/v1/health", "GET"), ("HEAD", "/v1/luns", "GET, POST"),
                      ("POST", "/v1/luns/42", "GET, PATCH, DELETE")] as [(String, String, String)])
    func wrongMethod(method: String, path: String, allow: String) async throws {
        let h = try await ManagementHarness.start()
        defer { h.cleanUp() }
        let r = try h.request(method, path, body: method == "HEAD" ? nil : #"{"size": "1M"}"#)
        #expect(r.status == 405, "\(method) \(path)")
        #expect(r.headers["allow"] == allow)
        if method == "HEAD" {
            #expect(r.body.isEmpty, "no body on an answer to HEAD")
        } else {
            _ = try r.errorMessage()
        }
        #expect(h.array.luns == [0])
        await h.stop()
    }
}
