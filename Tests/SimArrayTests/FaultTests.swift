import SCSIWire
import SimArray
import Testing

@Suite struct FaultTests {
    @Test(arguments: ["xcopy-fail-segment:n=3", "good-without-copy", "wut-partial:blocks=2048", "expire-tokens",
                      "revoke-tokens", "out-of-space:asc=55/0C", "busy:count=2", "task-set-full:count=1",
                      "drop-connection:opcode=0x83", "drop-connection", "delay:ms=250"])
    func specsRoundTrip(spec: String) throws {
        #expect(try Fault(parsing: spec).description == spec)
    }

    @Test func defaults() throws {
        #expect(try Fault(parsing: "busy") == .busy(count: 1))
        #expect(try Fault(parsing: "out-of-space") == .outOfSpace(asc: .spaceAllocationFailedWriteProtect))
    }

    @Test(arguments: ["", "nonsense", "xcopy-fail-segment", "xcopy-fail-segment:n=0", "xcopy-fail-segment:n=x",
                      "busy:count=2,count=3", "busy:what=1", "delay:ms", "out-of-space:asc=99/99", "drop-connection:opcode=zz"])
    func badSpecsAreOneClearError(spec: String) {
        #expect(throws: Fault.ParseError.self) { try Fault(parsing: spec) }
    }

    @Test func countedStatusFaultsRunOut() {
        let f = FaultInjector([.busy(count: 2)])
        #expect(f.statusOverride() == .busy)
        #expect(f.statusOverride() == .busy)
        #expect(f.statusOverride() == nil)
        #expect(f.active.isEmpty)
    }

    @Test func nthSegmentFailsOnce() {
        let f = FaultInjector([.xcopyFailSegment(n: 2)])
        #expect(!f.segmentMustFail())
        #expect(f.segmentMustFail())
        #expect(!f.segmentMustFail())
    }

    @Test func oneShotsAreConsumed() {
        let f = FaultInjector([.revokeTokens, .dropConnection(opcode: 0x83)])
        #expect(f.takeTokenInvalidation() == .revoke)
        #expect(f.takeTokenInvalidation() == nil)
        #expect(!f.takeConnectionDrop(opcode: 0x28))
        #expect(f.takeConnectionDrop(opcode: 0x83))
        #expect(!f.takeConnectionDrop(opcode: 0x83))
    }
}
