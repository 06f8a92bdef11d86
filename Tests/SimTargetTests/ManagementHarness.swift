import Foundation
import SimArray
import SimTarget

/// offload-sim in the test process as its command assembles it: a file-backed array in a temp
/// state dir with the ctl profile, the iSCSI server and the management server, both on
/// ephemeral loopback ports.
struct ManagementHarness {
    let stateDirectory: URL
    let profile: ArrayProfile
    let array: SimulatedArray
    let faults: FaultInjector
    let target: ISCSITargetServer
    let management: ManagementServer
    let token: String

    static func newStateDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("offload-sim-mgmt-\(UUID().uuidString)")
    }

    /// `luns` LUs of 1 MiB are created (if the state dir does not have them yet).
    static func start(stateDirectory: URL = newStateDirectory(), luns: Int = 1,
                      token: ManagementToken = .generate()) async throws -> ManagementHarness {
        let profile = try ArrayProfile.load("ctl")
        let array = try SimulatedArray(stateDirectory: stateDirectory,
                                       companyID: profile.identity.companyID ?? LogicalUnitIdentity.defaultCompanyID)
        try profile.apply(to: array)
        for lun in 0..<UInt64(luns) where array.logicalUnit(lun: lun) == nil {
            try profile.createLogicalUnit(in: array, lun: lun, blockSize: 512, blockCount: 2048)
        }
        let injector = FaultInjector()
        let tokens = profile.odx.map { TokenManager(configuration: TokenManagerConfiguration(profile: $0), faults: injector) }
        let dispatcher = SCSIDispatcher(array: array, copyHandler: CopyManager(profile: profile, faults: injector, tokenService: tokens))
        dispatcher.faults = injector
        let target = try await ISCSITargetServer.start(host: "127.0.0.1", port: 0, settings: TargetSettings(),
                                                        dispatcher: dispatcher, faults: injector, workerThreads: 2)
        let management: ManagementServer
        do {
            management = try await ManagementServer.start(host: "127.0.0.1", port: 0, token: token,
                                                          context: ManagementContext(target: target, profile: profile))
        } catch {
            await target.stop()
            throw error
        }
        return ManagementHarness(stateDirectory: stateDirectory, profile: profile, array: array, faults: injector,
                                 target: target, management: management, token: token.text)
    }

    func client() throws -> HTTPTestClient { try HTTPTestClient(port: management.boundPort) }

    /// One request on a fresh connection, with the right token unless told otherwise.
    func request(_ method: String, _ path: String, body: String? = nil, token: String?? = .none,
                 headers: [(String, String)] = []) throws -> HTTPTestResponse {
        let t: String? = switch token { case .none: self.token; case let .some(given): given }
        return try client().request(method, path, token: t, body: body, headers: headers)
    }

    func stop() async {
        await management.stop()
        await target.stop()
    }

    func cleanUp() { try? FileManager.default.removeItem(at: stateDirectory) }
}
