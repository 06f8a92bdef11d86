/// The 4-bit sense key (SPC-4 4.5.6). Note COPY ABORTED is 0x0A; 0x0D is VOLUME OVERFLOW.
public struct SenseKey: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let noSense = SenseKey(rawValue: 0x0)
    public static let recoveredError = SenseKey(rawValue: 0x1)
    public static let notReady = SenseKey(rawValue: 0x2)
    public static let mediumError = SenseKey(rawValue: 0x3)
    public static let hardwareError = SenseKey(rawValue: 0x4)
    public static let illegalRequest = SenseKey(rawValue: 0x5)
    public static let unitAttention = SenseKey(rawValue: 0x6)
    public static let dataProtect = SenseKey(rawValue: 0x7)
    public static let blankCheck = SenseKey(rawValue: 0x8)
    public static let vendorSpecific = SenseKey(rawValue: 0x9)
    public static let copyAborted = SenseKey(rawValue: 0xA)
    public static let abortedCommand = SenseKey(rawValue: 0xB)
    public static let volumeOverflow = SenseKey(rawValue: 0xD)
    public static let miscompare = SenseKey(rawValue: 0xE)
    public static let completed = SenseKey(rawValue: 0xF)

    public var description: String {
        switch rawValue {
        case 0x0: return "NO SENSE"
        case 0x1: return "RECOVERED ERROR"
        case 0x2: return "NOT READY"
        case 0x3: return "MEDIUM ERROR"
        case 0x4: return "HARDWARE ERROR"
        case 0x5: return "ILLEGAL REQUEST"
        case 0x6: return "UNIT ATTENTION"
        case 0x7: return "DATA PROTECT"
        case 0x8: return "BLANK CHECK"
        case 0x9: return "VENDOR SPECIFIC"
        case 0xA: return "COPY ABORTED"
        case 0xB: return "ABORTED COMMAND"
        case 0xD: return "VOLUME OVERFLOW"
        case 0xE: return "MISCOMPARE"
        case 0xF: return "COMPLETED"
        default: return "RESERVED(\(hexByte(rawValue)))"
        }
    }
}
