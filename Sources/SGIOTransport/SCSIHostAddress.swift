/// A SCSI device's place in the Linux SCSI midlayer: host (HBA or software host such as an iSCSI
/// session or tcm_loop), channel, target, LUN. The first three name the I_T nexus the kernel
/// sends commands through; LUNs behind one nexus can be named in one EXTENDED COPY.
public struct SCSIHostAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var host: UInt32
    public var channel: UInt32
    public var target: UInt32
    public var lun: UInt64

    public init(host: UInt32, channel: UInt32, target: UInt32, lun: UInt64) {
        self.host = host
        self.channel = channel
        self.target = target
        self.lun = lun
    }

    /// Parses a sysfs directory name such as "2:0:1:3"; nil for anything else.
    public init?(sysfsName: String) {
        let parts = sysfsName.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let h = UInt32(parts[0]), let c = UInt32(parts[1]), let t = UInt32(parts[2]), let l = UInt64(parts[3]) else { return nil }
        self.init(host: h, channel: c, target: t, lun: l)
    }

    /// "H:C:T": the part LUNs on one nexus share.
    public var nexusName: String { "\(host):\(channel):\(target)" }

    public var description: String { "\(host):\(channel):\(target):\(lun)" }

    public static func < (a: SCSIHostAddress, b: SCSIHostAddress) -> Bool {
        (a.host, a.channel, a.target, a.lun) < (b.host, b.channel, b.target, b.lun)
    }
}
