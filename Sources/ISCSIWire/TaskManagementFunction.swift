/// Task management function codes (RFC 7143 11.5.1). Unknown codes are kept so the target can
/// answer "Task management function not supported".
public struct TaskManagementFunction: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }

    public static let abortTask = TaskManagementFunction(rawValue: 1)
    public static let abortTaskSet = TaskManagementFunction(rawValue: 2)
    public static let clearACA = TaskManagementFunction(rawValue: 3)
    public static let clearTaskSet = TaskManagementFunction(rawValue: 4)
    public static let logicalUnitReset = TaskManagementFunction(rawValue: 5)
    public static let targetWarmReset = TaskManagementFunction(rawValue: 6)
    public static let targetColdReset = TaskManagementFunction(rawValue: 7)
    public static let taskReassign = TaskManagementFunction(rawValue: 8)

    public var description: String {
        switch self {
        case .abortTask: return "ABORT TASK"
        case .abortTaskSet: return "ABORT TASK SET"
        case .clearACA: return "CLEAR ACA"
        case .clearTaskSet: return "CLEAR TASK SET"
        case .logicalUnitReset: return "LOGICAL UNIT RESET"
        case .targetWarmReset: return "TARGET WARM RESET"
        case .targetColdReset: return "TARGET COLD RESET"
        case .taskReassign: return "TASK REASSIGN"
        default: return "function \(rawValue)"
        }
    }
}

/// Task Management Function Response codes (RFC 7143 11.6.1).
public struct TaskManagementResponseCode: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let functionComplete = TaskManagementResponseCode(rawValue: 0)
    public static let taskDoesNotExist = TaskManagementResponseCode(rawValue: 1)
    public static let lunDoesNotExist = TaskManagementResponseCode(rawValue: 2)
    public static let taskStillAllegiant = TaskManagementResponseCode(rawValue: 3)
    public static let taskAllegianceReassignmentNotSupported = TaskManagementResponseCode(rawValue: 4)
    public static let functionNotSupported = TaskManagementResponseCode(rawValue: 5)
    public static let functionAuthorizationFailed = TaskManagementResponseCode(rawValue: 6)
    public static let functionRejected = TaskManagementResponseCode(rawValue: 255)

    public var description: String {
        switch self {
        case .functionComplete: return "Function complete"
        case .taskDoesNotExist: return "Task does not exist"
        case .lunDoesNotExist: return "LUN does not exist"
        case .taskStillAllegiant: return "Task still allegiant"
        case .taskAllegianceReassignmentNotSupported: return "Task allegiance reassignment not supported"
        case .functionNotSupported: return "Task management function not supported"
        case .functionAuthorizationFailed: return "Function authorization failed"
        case .functionRejected: return "Function rejected"
        default: return "response \(rawValue)"
        }
    }
}
