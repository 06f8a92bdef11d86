import ISCSIWire
import Testing

@Suite struct SendTargetsTests {
    typealias S = WireTestSupport

    static let targets = [
        DiscoveredTarget(name: "iqn.2026-01.org.example:a", portals: [TargetPortal(host: "192.0.2.10"),
                                                                       TargetPortal(host: "2001:db8::1", port: 3261, portalGroupTag: 2)]),
        DiscoveredTarget(name: "iqn.2026-01.org.example:b", portals: [TargetPortal(host: "192.0.2.10")]),
    ]

    @Test func allTargets() {
        let p = SendTargets.responseParameters(for: .all, targets: Self.targets)
        #expect(p.encoded() == S.text([
            "TargetName=iqn.2026-01.org.example:a", "TargetAddress=192.0.2.10:3260,1", "TargetAddress=[2001:db8::1]:3261,2",
            "TargetName=iqn.2026-01.org.example:b", "TargetAddress=192.0.2.10:3260,1",
        ]))
        #expect(TargetPortal(host: "[::1]").description == "[::1]:3260,1")
    }

    @Test func requestForms() {
        #expect(SendTargets.Request(value: "All") == .all)
        #expect(SendTargets.Request(value: "") == .sessionTarget)
        #expect(SendTargets.Request(value: "iqn.x") == .target("iqn.x"))
        #expect(SendTargets.responseParameters(for: .target("iqn.2026-01.org.example:b"), targets: Self.targets).keys
            == ["TargetName", "TargetAddress"])
        #expect(SendTargets.responseParameters(for: .target("iqn.nope"), targets: Self.targets).isEmpty)
        #expect(SendTargets.responseParameters(for: .sessionTarget, targets: Self.targets,
                                               sessionTarget: "iqn.2026-01.org.example:a").values(for: "TargetAddress").count == 2)
        #expect(SendTargets.responseParameters(for: .sessionTarget, targets: Self.targets).isEmpty)
    }

    /// The reply to libiscsi's discovery request (TextPDUTests.requestVector): F set and C
    /// clear (libiscsi insists on flags == 0x80), TTT 0xffffffff, ITT echoed, only TargetName
    /// and TargetAddress keys.
    @Test func answersLibiscsiDiscovery() throws {
        let request = try TextRequest(parsing: TextPDUTests.requestVector)
        let response = try SendTargets.response(to: request, targets: [Self.targets[1]], statSN: 5, expCmdSN: 8, maxCmdSN: 0x18)
        let b = try response.encoded()
        #expect(b[0] == 0x24 && b[1] == 0x80)
        #expect(Array(b[16..<24]) == [0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF])
        let text = try response.parameters(repeatableKeys: SendTargets.repeatableKeys)
        #expect(Set(text.keys).isSubset(of: SendTargets.repeatableKeys))
        #expect(text["TargetName"] == "iqn.2026-01.org.example:b")
        let noKey = TextRequest(initiatorTaskTag: 1, cmdSN: 1, expStatSN: 1, data: S.text(["Other=1"]))
        S.expectWireError({ try SendTargets.response(to: noKey, targets: Self.targets, statSN: 0, expCmdSN: 0, maxCmdSN: 0) }) {
            if case .malformedText = $0 { return true }; return false
        }
    }
}

@Suite struct SerialNumberTests {
    @Test func wrapAround() {
        #expect(SerialNumber.isLess(1, 2))
        #expect(SerialNumber.isLess(0xFFFF_FFFF, 0))
        #expect(!SerialNumber.isLess(0, 0xFFFF_FFFF))
        #expect(!SerialNumber.isLess(5, 5))
        #expect(!SerialNumber.isLess(0, 0x8000_0000) && !SerialNumber.isLess(0x8000_0000, 0))
    }

    @Test func commandWindow() {
        #expect(SerialNumber.isInWindow(10, expCmdSN: 10, maxCmdSN: 41))
        #expect(SerialNumber.isInWindow(41, expCmdSN: 10, maxCmdSN: 41))
        #expect(!SerialNumber.isInWindow(42, expCmdSN: 10, maxCmdSN: 41))
        #expect(!SerialNumber.isInWindow(9, expCmdSN: 10, maxCmdSN: 41))
        #expect(SerialNumber.isInWindow(0, expCmdSN: 0xFFFF_FFF0, maxCmdSN: 0x10))
        #expect(!SerialNumber.isInWindow(10, expCmdSN: 10, maxCmdSN: 9))  // empty window
    }
}
