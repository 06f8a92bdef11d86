/// RFC 1982 serial number arithmetic on 32-bit iSCSI sequence numbers (CmdSN, StatSN, DataSN,
/// RFC 7143 command and status numbering), which wrap: 0 follows 0xffffffff.
public enum SerialNumber {
    /// `a` < `b` in serial order; undefined (false) when they are exactly 2^31 apart.
    public static func isLess(_ a: UInt32, _ b: UInt32) -> Bool {
        a != b && (b &- a) < 0x8000_0000
    }

    /// ExpCmdSN <= cmdSN <= MaxCmdSN in serial order: the command window of RFC 7143.
    /// An empty window (MaxCmdSN = ExpCmdSN - 1) contains nothing.
    public static func isInWindow(_ cmdSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32) -> Bool {
        !isLess(cmdSN, expCmdSN) && !isLess(maxCmdSN, cmdSN) && !isLess(maxCmdSN, expCmdSN)
    }
}
