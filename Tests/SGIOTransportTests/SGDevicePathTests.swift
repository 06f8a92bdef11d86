import SCSITransport
import SGIOTransport
import Testing

@Suite struct SGDevicePathTests {
    @Test(arguments: ["/dev/sg1", "/dev/sda", "/dev/disk/by-id/wwn-0x6001405", "/dev/mapper/mpatha"])
    func accepted(_ p: String) throws { #expect(try SGDevicePath(parsing: p).path == p) }

    @Test(arguments: ["", "sg1", "dev/sg1", "/dev/", "iscsi://h/iqn.x/0"])
    func refused(_ p: String) { #expect(throws: TransportError.self) { try SGDevicePath(parsing: p) } }
}
