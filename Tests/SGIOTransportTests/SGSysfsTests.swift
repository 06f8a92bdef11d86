import Foundation
import SCSITransport
@testable import SGIOTransport
import Testing

@Suite struct SGSysfsTests {
    @Test func hostAddressParsing() {
        #expect(SCSIHostAddress(sysfsName: "2:0:1:3") == SCSIHostAddress(host: 2, channel: 0, target: 1, lun: 3))
        #expect(SCSIHostAddress(sysfsName: "2:0:1:3")?.nexusName == "2:0:1")
        for bad in ["", "2:0:1", "2:0:1:x", "target2:0:1", "2::1:3", "2:0:1:3:4", "sdb"] {
            #expect(SCSIHostAddress(sysfsName: bad) == nil, "\(bad)")
        }
    }

    @Test("a disk's block node and its sg node resolve to one H:C:T:L and one nexus")
    func diskAndSG() throws {
        let fs = try FakeSysfs()
        let dev = try fs.addDisk(2, 0, 1, 3, sd: "sdb", sdMinor: 16, sg: 1, maxKB: 8192)
        let sysfs = SGSysfs(root: fs.root)
        let sd = try #require(try sysfs.node(block: true, major: 8, minor: 16))
        let sg = try #require(try sysfs.node(block: false, major: 21, minor: 1))
        #expect(sd.kernelName == "sdb")
        #expect(sg.kernelName == "sg1")
        #expect(sd.scsi == SCSIHostAddress(host: 2, channel: 0, target: 1, lun: 3))
        #expect(sg.scsi == sd.scsi)
        #expect(sd.targetPath == sysfs.realPath("\(fs.root)/\((dev as NSString).deletingLastPathComponent)"))
        #expect(sd.targetPath?.hasSuffix("/host2/target2:0:1") == true)
        #expect(sg.targetPath == sd.targetPath)
        #expect(sd.maxTransferBytes == 8192 * 1024)
        #expect(sg.maxTransferBytes == 8192 * 1024)
        #expect(sd.multipath == nil)
        #expect(sd.genericName == "sg1")
        #expect(sg.genericName == nil)
    }

    @Test("the transfer limit is the smaller of max_hw_sectors_kb and max_segments pages")
    func transferLimit() throws {
        let fs = try FakeSysfs()
        try fs.addDisk(0, 0, 1, 0, sd: "sda", sdMinor: 0, sg: 0, maxKB: 32767, maxSegments: 256)
        try fs.addDisk(0, 0, 1, 1, sd: "sdb", sdMinor: 16, sg: 1, maxKB: 256, maxSegments: 256)
        let sysfs = SGSysfs(root: fs.root)
        #expect(try sysfs.node(block: true, major: 8, minor: 0)?.maxTransferBytes == 256 * Int(SGPassThrough.pageSize))
        #expect(try sysfs.node(block: false, major: 21, minor: 0)?.maxTransferBytes == 256 * Int(SGPassThrough.pageSize))
        #expect(try sysfs.node(block: true, major: 8, minor: 16)?.maxTransferBytes == 256 * 1024)
    }

    @Test("two LUNs behind one target share the nexus; another target or host does not")
    func nexusGrouping() throws {
        let fs = try FakeSysfs()
        try fs.addDisk(2, 0, 1, 0, sd: "sda", sdMinor: 0, sg: 0)
        try fs.addDisk(2, 0, 1, 1, sd: "sdb", sdMinor: 16, sg: 1)
        try fs.addDisk(2, 0, 2, 0, sd: "sdc", sdMinor: 32, sg: 2)
        try fs.addDisk(3, 0, 1, 0, sd: "sdd", sdMinor: 48, sg: 3, adapter: "platform/host-adapter")
        let sysfs = SGSysfs(root: fs.root)
        let a = try #require(try sysfs.node(block: true, major: 8, minor: 0))
        let b = try #require(try sysfs.node(block: true, major: 8, minor: 16))
        let c = try #require(try sysfs.node(block: true, major: 8, minor: 32))
        let d = try #require(try sysfs.node(block: true, major: 8, minor: 48))
        #expect(a.targetPath == b.targetPath)
        #expect(a.targetPath != c.targetPath)
        #expect(a.targetPath != d.targetPath)
        let addrA = SGIODevice.address(for: try SGDevicePath(parsing: "/dev/sda"), real: "/dev/sda", node: a)
        let addrB = SGIODevice.address(for: try SGDevicePath(parsing: "/dev/sg1"), real: "/dev/sg1", node: b)
        #expect(addrA.kind == .sg)
        #expect(addrA.nexus == addrB.nexus)
        #expect(addrA.lun == 0)
        #expect(addrB.lun == 1)
        #expect(addrA.display == "/dev/sda")
    }

    @Test("a by-id name shows what it resolved to")
    func byIDDisplay() throws {
        let fs = try FakeSysfs()
        try fs.addDisk(2, 0, 1, 3, sd: "sdb", sdMinor: 16, sg: 1)
        let node = try #require(try SGSysfs(root: fs.root).node(block: true, major: 8, minor: 16))
        let a = SGIODevice.address(for: try SGDevicePath(parsing: "/dev/disk/by-id/wwn-0x6001405abc"), real: "/dev/sdb", node: node)
        #expect(a.display == "/dev/disk/by-id/wwn-0x6001405abc (sdb 2:0:1:3)")
        #expect(a.lun == 3)
    }

    @Test("a partition is refused, naming the whole disk")
    func partition() throws {
        let fs = try FakeSysfs()
        let dev = try fs.addDisk(2, 0, 1, 0, sd: "sdb", sdMinor: 16, sg: 1)
        try fs.addPartition(of: "sdb", device: dev, number: 1, minor: 17)
        #expect(throws: SGSysfs.Refusal.partition(name: "sdb1", parent: "sdb")) {
            try SGSysfs(root: fs.root).node(block: true, major: 8, minor: 17)
        }
        #expect(SGSysfs.Refusal.partition(name: "sdb1", parent: "sdb").description.contains("give /dev/sdb"))
    }

    @Test("a multipath map: paths in H:C:T:L order, the first running one gives the nexus")
    func multipath() throws {
        let fs = try FakeSysfs()
        let p1 = try fs.addDisk(3, 0, 0, 1, sd: "sdc", sdMinor: 32, sg: 2, state: "running")
        let p0 = try fs.addDisk(2, 0, 0, 1, sd: "sdb", sdMinor: 16, sg: 1, state: "offline")
        let p2 = try fs.addDisk(4, 0, 0, 1, sd: "sdd", sdMinor: 48, sg: 3, state: "running")
        try fs.addMap(3, name: "mpatha", uuid: "mpath-36001405abcdef", slaves: [("sdd", p2), ("sdc", p1), ("sdb", p0)])
        let sysfs = SGSysfs(root: fs.root)
        let node = try #require(try sysfs.node(block: true, major: 253, minor: 3))
        let mp = try #require(node.multipath)
        #expect(mp.name == "mpatha")
        #expect(mp.kernelName == "dm-3")
        #expect(mp.paths.map(\.kernelName) == ["sdb", "sdc", "sdd"])
        #expect(mp.paths.map(\.state) == ["offline", "running", "running"])
        #expect(mp.chosen.kernelName == "sdc")
        #expect(node.scsi == SCSIHostAddress(host: 3, channel: 0, target: 0, lun: 1))
        #expect(node.targetPath?.hasSuffix("/host3/target3:0:0") == true)
        #expect(node.maxTransferBytes == 256 * 1024)
        let a = SGIODevice.address(for: try SGDevicePath(parsing: "/dev/mapper/mpatha"), real: "/dev/dm-3", node: node)
        #expect(a.display.hasPrefix("/dev/mapper/mpatha (dm-3 multipath, 3 paths"))
        #expect(a.display.contains("current path"))
        #expect(a.display.contains("sdc 3:0:0:1"))
        #expect(a.lun == 1)
        let direct = try #require(try sysfs.node(block: true, major: 8, minor: 32))
        #expect(a.nexus == direct.targetPath, "the map's nexus is its chosen path's")
    }

    @Test("two maps on one array with the same paths pick the same nexus")
    func twoMapsOneNexus() throws {
        let fs = try FakeSysfs()
        let a0 = try fs.addDisk(2, 0, 0, 1, sd: "sdb", sdMinor: 16, sg: 1)
        let a1 = try fs.addDisk(3, 0, 0, 1, sd: "sdc", sdMinor: 32, sg: 2)
        let b0 = try fs.addDisk(2, 0, 0, 2, sd: "sdd", sdMinor: 48, sg: 3)
        let b1 = try fs.addDisk(3, 0, 0, 2, sd: "sde", sdMinor: 64, sg: 4)
        try fs.addMap(0, name: "mpatha", uuid: "mpath-3600a", slaves: [("sdc", a1), ("sdb", a0)])
        try fs.addMap(1, name: "mpathb", uuid: "mpath-3600b", slaves: [("sdd", b0), ("sde", b1)])
        let sysfs = SGSysfs(root: fs.root)
        let ma = try #require(try sysfs.node(block: true, major: 253, minor: 0))
        let mb = try #require(try sysfs.node(block: true, major: 253, minor: 1))
        #expect(ma.targetPath == mb.targetPath)
        #expect(ma.scsi?.lun == 1)
        #expect(mb.scsi?.lun == 2)
    }

    @Test("device-mapper maps other than multipath are refused, saying what they are")
    func notMultipath() throws {
        let fs = try FakeSysfs()
        let d = try fs.addDisk(2, 0, 0, 1, sd: "sdb", sdMinor: 16, sg: 1)
        try fs.addMap(4, name: "vg0-data", uuid: "LVM-abcdef", slaves: [("sdb", d)])
        try fs.addMap(5, name: "plain", uuid: "", slaves: [("sdb", d)])
        let sysfs = SGSysfs(root: fs.root)
        #expect(throws: SGSysfs.Refusal.notMultipath(map: "vg0-data", uuid: "LVM-abcdef")) {
            try sysfs.node(block: true, major: 253, minor: 4)
        }
        #expect(SGSysfs.Refusal.notMultipath(map: "vg0-data", uuid: "LVM-abcdef").description.contains("an LVM volume"))
        #expect(throws: SGSysfs.Refusal.notMultipath(map: "plain", uuid: "")) {
            try sysfs.node(block: true, major: 253, minor: 5)
        }
    }

    @Test("a multipath map without paths is refused")
    func noPaths() throws {
        let fs = try FakeSysfs()
        try fs.addMap(6, name: "mpathz", uuid: "mpath-3600z", slaves: [])
        #expect(throws: SGSysfs.Refusal.noPaths(map: "mpathz")) {
            try SGSysfs(root: fs.root).node(block: true, major: 253, minor: 6)
        }
    }

    @Test("a non-SCSI block device resolves without a SCSI address; an unknown number gives nil")
    func nonSCSIAndUnknown() throws {
        let fs = try FakeSysfs()
        try fs.addVirtioDisk("vda", minor: 0)
        let sysfs = SGSysfs(root: fs.root)
        let vda = try #require(try sysfs.node(block: true, major: 252, minor: 0))
        #expect(vda.kernelName == "vda")
        #expect(vda.scsi == nil)
        #expect(vda.targetPath == nil)
        #expect(try sysfs.node(block: true, major: 8, minor: 99) == nil)
        #expect(try SGSysfs(root: fs.root + "/missing").node(block: false, major: 21, minor: 0) == nil)
        let a = SGIODevice.address(for: try SGDevicePath(parsing: "/dev/vda"), real: "/dev/vda", node: nil)
        #expect(a.nexus == "/dev/vda")
        #expect(a.display == "/dev/vda")
    }
}
