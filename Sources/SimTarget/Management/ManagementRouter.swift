import Foundation
import NIOHTTP1
import SimArray

/// Maps an authenticated request to the array: `/v1/luns`, `/v1/luns/{n}`, `/v1/faults` and
/// `/v1/health` (docs/management-api.md). Synchronous (LU creation and removal touch files), so
/// the HTTP handler runs it off the event loop, one request at a time: "lowest free LUN" and the
/// creation that takes it cannot interleave with another request.
///
/// Unknown path 404; known path, wrong method 405 with `Allow`; then the body (400); then the
/// array's verdict (404 no such LUN, 409 LUN or identity in use, 400 a value it refuses).
public struct ManagementRouter: Sendable {
    public let context: ManagementContext

    /// The block sizes a LU may be created with (what initiators meet on real arrays).
    public static let blockSizes = [512, 4096]

    public init(context: ManagementContext) { self.context = context }

    enum Route: Equatable {
        case health
        case luns
        case lun(String)
        case faults

        var allowed: [HTTPMethod] {
            switch self {
            case .health: return [.GET]
            case .luns: return [.GET, .POST]
            case .lun: return [.GET, .PATCH, .DELETE]
            case .faults: return [.GET, .POST, .DELETE]
            }
        }
    }

    /// The route for a request target (origin form `/v1/luns`, or absolute form
    /// `http://host:port/v1/luns`): the path without query or fragment; one trailing slash is
    /// tolerated.
    static func route(for uri: String) -> Route? {
        var target = Substring(uri)
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            target = target.dropFirst(scheme.count)
            target = target.firstIndex(of: "/").map { target[$0...] } ?? "/"
        }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? $0 } ?? ""
        guard path.hasPrefix("/") else { return nil }
        var segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.count > 1, segments.last == "" { segments.removeLast() }
        switch segments {
        case ["v1", "health"]: return .health
        case ["v1", "luns"]: return .luns
        case ["v1", "faults"]: return .faults
        default:
            if segments.count == 3, segments[0] == "v1", segments[1] == "luns", !segments[2].isEmpty { return .lun(segments[2]) }
            return nil
        }
    }

    /// Answers one request (already authenticated).
    public func respond(method: HTTPMethod, uri: String, body: [UInt8]) -> ManagementResponse {
        guard let route = Self.route(for: uri) else {
            return .error(.notFound, "no such resource: \(uri.prefix(200))")
        }
        guard route.allowed.contains(method) else {
            let allow = route.allowed.map(\.rawValue).joined(separator: ", ")
            return .error(.methodNotAllowed, "\(method.rawValue) is not allowed here; use \(allow)", headers: [("Allow", allow)])
        }
        do {
            switch (route, method) {
            case (.health, _):
                return .json(.ok, ManagementHealth(profile: context.profile.name, target: context.targetName))
            case (.luns, .GET):
                return .json(.ok, ManagementLUNList(luns: context.array.luns.compactMap(info(lun:))))
            case (.luns, _):
                return try createLUN(decode(ManagementCreateLUN.self, from: body))
            case let (.lun(text), _):
                guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let lun = UInt64(text),
                      context.array.logicalUnit(lun: lun) != nil else {
                    return .error(.notFound, "there is no LUN \(text.prefix(40))")
                }
                switch method {
                case .GET: return try lunResponse(.ok, lun)
                case .DELETE:
                    try context.dispatcher.removeLogicalUnit(lun: lun, deleteData: true)
                    return .noContent
                default:
                    return try resizeLUN(lun, to: decode(ManagementResizeLUN.self, from: body))
                }
            case (.faults, .GET):
                return .json(.ok, ManagementFaultList(faults: context.faults.active.map(\.description)))
            case (.faults, .DELETE):
                context.faults.clear()
                return .noContent
            case (.faults, _):
                let request = try decode(ManagementFault.self, from: body)
                let fault: Fault
                do { fault = try Fault(parsing: request.fault) } catch let e as Fault.ParseError {
                    return .error(.badRequest, e.description)
                }
                context.faults.add(fault)
                return .json(.created, ManagementFault(fault: fault.description))
            }
        } catch let e as RequestError {
            return .error(e.status, e.message)
        } catch let e as SimulatedArrayError {
            return .error(Self.status(for: e), e.description)
        } catch {
            return .error(.internalServerError, "\(error)")
        }
    }

    // MARK: - LUNs

    private func createLUN(_ request: ManagementCreateLUN) throws -> ManagementResponse {
        let blockSize = request.blockSize ?? 512
        guard Self.blockSizes.contains(blockSize) else {
            throw RequestError(.badRequest, "blockSize must be 512 or 4096, not \(blockSize)")
        }
        let blockCount = try blocks(request.size, blockSize: blockSize)
        let array = context.array
        let lun: UInt64
        if let wanted = request.lun {
            guard wanted <= SimulatedArray.maximumLUN else { throw SimulatedArrayError.lunOutOfRange(wanted) }
            guard array.logicalUnit(lun: wanted) == nil else { throw SimulatedArrayError.lunInUse(wanted) }
            lun = wanted
        } else {
            let used = Set(array.luns)
            guard let free = (0...SimulatedArray.maximumLUN).first(where: { !used.contains($0) }) else {
                throw RequestError(.conflict, "every LUN 0...\(SimulatedArray.maximumLUN) is in use")
            }
            lun = free
        }
        try context.profile.createLogicalUnit(in: array, lun: lun, blockSize: blockSize, blockCount: blockCount)
        return try lunResponse(.created, lun, headers: [("Location", "/v1/luns/\(lun)")])
    }

    /// Grows a LU; the same size is a no-op, a smaller one is refused as arrays refuse it.
    private func resizeLUN(_ lun: UInt64, to request: ManagementResizeLUN) throws -> ManagementResponse {
        guard let unit = context.array.logicalUnit(lun: lun) else { throw SimulatedArrayError.noSuchLUN(lun) }
        let blockCount = try blocks(request.size, blockSize: unit.blockSize)
        if blockCount < unit.blockCount {
            let current = unit.blockCount * UInt64(unit.blockSize)
            throw RequestError(.badRequest, "LUN \(lun) has \(current) bytes; shrinking to \(request.size.bytes) is refused (LUNs only grow)")
        }
        if blockCount > unit.blockCount {
            try context.array.resizeLogicalUnit(lun: lun, blockCount: blockCount)
        }
        return try lunResponse(.ok, lun)
    }

    private func blocks(_ size: ManagementSize, blockSize: Int) throws -> UInt64 {
        guard size.bytes > 0 else { throw RequestError(.badRequest, "size must be at least one block") }
        guard size.bytes % UInt64(blockSize) == 0 else {
            throw RequestError(.badRequest, "size \(size.bytes) is not a multiple of the block size \(blockSize)")
        }
        return size.bytes / UInt64(blockSize)
    }

    private func info(lun: UInt64) -> ManagementLUN? {
        context.array.logicalUnit(lun: lun).map { ManagementLUN(lun: lun, unit: $0, url: context.lunURL(lun)) }
    }

    private func lunResponse(_ status: HTTPResponseStatus, _ lun: UInt64, headers: [(String, String)] = []) throws -> ManagementResponse {
        guard let info = info(lun: lun) else { throw SimulatedArrayError.noSuchLUN(lun) }
        return .json(status, info, headers: headers)
    }

    // MARK: - Errors and bodies

    struct RequestError: Error {
        var status: HTTPResponseStatus
        var message: String
        init(_ status: HTTPResponseStatus, _ message: String) {
            self.status = status
            self.message = message
        }
    }

    static func status(for error: SimulatedArrayError) -> HTTPResponseStatus {
        switch error {
        case .noSuchLUN: return .notFound
        case .lunInUse, .duplicateIdentity: return .conflict
        case .lunOutOfRange, .unsupportedBlockSize, .emptyLogicalUnit: return .badRequest
        case .backingFileMissing, .stateFile: return .internalServerError
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        guard body.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw RequestError(.badRequest, "a JSON body is required")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let e as DecodingError {
            throw RequestError(.badRequest, e.managementDescription)
        } catch {
            throw RequestError(.badRequest, "the body is not valid JSON")
        }
    }
}
