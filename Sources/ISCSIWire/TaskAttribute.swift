/// The ATTR field of a SCSI Command (RFC 7143 11.3.1): SAM task attribute. Values 5-7 are
/// reserved and carried unchanged.
public struct TaskAttribute: RawRepresentable, Equatable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x07 }

    public static let untagged = TaskAttribute(rawValue: 0)
    public static let simple = TaskAttribute(rawValue: 1)
    public static let ordered = TaskAttribute(rawValue: 2)
    public static let headOfQueue = TaskAttribute(rawValue: 3)
    public static let aca = TaskAttribute(rawValue: 4)
}
