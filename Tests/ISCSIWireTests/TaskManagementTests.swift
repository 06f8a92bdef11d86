import ISCSIWire
import Testing

/// Task Management Function Request/Response vectors hand-built from RFC 7143 11.5 / 11.6.
@Suite struct TaskManagementTests {
    typealias S = WireTestSupport

    static let abortTaskVector: [UInt8] = [
        0x42, 0x81, 0x00, 0x00,                         // 0: I + 0x02; 1: 1 + function 1
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8-15: LUN 2
        0x00, 0x00, 0x00, 0x20,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x14,                         // 20-23: Referenced Task Tag
        0x00, 0x00, 0x00, 0x30,                         // 24-27: CmdSN
        0x00, 0x00, 0x00, 0x31,                         // 28-31: ExpStatSN
        0x00, 0x00, 0x00, 0x2F,                         // 32-35: RefCmdSN
        0x00, 0x00, 0x00, 0x00,                         // 36-39: ExpDataSN
        0, 0, 0, 0, 0, 0, 0, 0,                         // 40-47: reserved
    ]

    @Test func abortTask() throws {
        let req = TaskManagementRequest(function: .abortTask, lun: 2 << 48, initiatorTaskTag: 0x20, referencedTaskTag: 0x14,
                                        cmdSN: 0x30, expStatSN: 0x31, refCmdSN: 0x2F)
        try S.checkVector(Self.abortTaskVector, req)
    }

    @Test func functionCodes() throws {
        let codes: [(TaskManagementFunction, UInt8, String)] = [
            (.abortTask, 1, "ABORT TASK"), (.abortTaskSet, 2, "ABORT TASK SET"), (.clearACA, 3, "CLEAR ACA"),
            (.clearTaskSet, 4, "CLEAR TASK SET"), (.logicalUnitReset, 5, "LOGICAL UNIT RESET"),
            (.targetWarmReset, 6, "TARGET WARM RESET"), (.targetColdReset, 7, "TARGET COLD RESET"),
            (.taskReassign, 8, "TASK REASSIGN"),
        ]
        for (function, raw, name) in codes {
            #expect(function.rawValue == raw)
            #expect(function.description == name)
            let req = TaskManagementRequest(function: function, initiatorTaskTag: 1, cmdSN: 1, expStatSN: 1)
            let b = try req.encoded()
            #expect(b[1] == 0x80 | raw)
            #expect(try TaskManagementRequest(parsing: b).function == function)
        }
        // Unknown functions parse (the target answers "function not supported").
        var b = Self.abortTaskVector
        b[1] = 0x80 | 0x20
        #expect(try TaskManagementRequest(parsing: b).function == TaskManagementFunction(rawValue: 0x20))
    }

    static let responseVector: [UInt8] = [
        0x22, 0x80, 0x05, 0x00,                         // 0: 0x22; 1: 1; 2: Response 5
        0x00, 0x00, 0x00, 0x00,
        0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0x00, 0x20,                         // 16-19: ITT
        0x00, 0x00, 0x00, 0x00,                         // 20-23: reserved
        0x00, 0x00, 0x00, 0x11,                         // 24-27: StatSN
        0x00, 0x00, 0x00, 0x31,                         // 28-31: ExpCmdSN
        0x00, 0x00, 0x00, 0x50,                         // 32-35: MaxCmdSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]

    @Test func responseCodes() throws {
        let r = TaskManagementResponse(response: .functionNotSupported, initiatorTaskTag: 0x20, statSN: 0x11, expCmdSN: 0x31, maxCmdSN: 0x50)
        try S.checkVector(Self.responseVector, r)
        let codes: [(TaskManagementResponseCode, UInt8)] = [
            (.functionComplete, 0), (.taskDoesNotExist, 1), (.lunDoesNotExist, 2), (.taskStillAllegiant, 3),
            (.taskAllegianceReassignmentNotSupported, 4), (.functionNotSupported, 5), (.functionAuthorizationFailed, 6),
            (.functionRejected, 255),
        ]
        for (code, raw) in codes {
            #expect(code.rawValue == raw)
            var v = Self.responseVector
            v[2] = raw
            #expect(try TaskManagementResponse(parsing: v).response == code)
        }
    }
}
