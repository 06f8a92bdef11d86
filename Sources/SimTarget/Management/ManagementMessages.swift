import Foundation
import SimArray

// The JSON bodies of the management API (docs/management-api.md). Requests are decoded
// strictly: an unknown key is a 400, so a misspelt "blocksize" never silently becomes 512.
// Responses are encoded with sorted keys; binary identifiers are lowercase hex.

// MARK: - Requests

/// `POST /v1/luns`: `{"lun"?: N, "size": "64M" | bytes, "blockSize"?: 512 | 4096}`.
public struct ManagementCreateLUN: Decodable, Sendable {
    /// nil = the lowest free LUN.
    public var lun: UInt64?
    public var size: ManagementSize
    /// nil = 512.
    public var blockSize: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case lun, size, blockSize }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lun = try c.decodeIfPresent(UInt64.self, forKey: .lun)
        size = try c.decode(ManagementSize.self, forKey: .size)
        blockSize = try c.decodeIfPresent(Int.self, forKey: .blockSize)
    }
}

/// `PATCH /v1/luns/{n}`: `{"size": "128M" | bytes}`, the new capacity.
public struct ManagementResizeLUN: Decodable, Sendable {
    public var size: ManagementSize

    enum CodingKeys: String, CodingKey, CaseIterable { case size }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        size = try decoder.container(keyedBy: CodingKeys.self).decode(ManagementSize.self, forKey: .size)
    }
}

/// `POST /v1/faults` request and response: `{"fault": "busy:count=2"}` (the `--fault` syntax).
public struct ManagementFault: Codable, Equatable, Sendable {
    public var fault: String

    public init(fault: String) { self.fault = fault }

    enum CodingKeys: String, CodingKey, CaseIterable { case fault }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        fault = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .fault)
    }
}

// MARK: - Responses

/// One LU as the API shows it.
public struct ManagementLUN: Codable, Equatable, Sendable {
    public var lun: UInt64
    public var blockSize: Int
    public var blocks: UInt64
    public var bytes: UInt64
    /// Thin provisioned (LBPME, UNMAP).
    public var thin: Bool
    public var identity: ManagementIdentity
    /// The libiscsi URL of this LUN on this target.
    public var url: String

    public init(lun: UInt64, unit: LogicalUnit, url: String) {
        self.lun = lun
        blockSize = unit.blockSize
        blocks = unit.blockCount
        bytes = unit.blockCount.multipliedReportingOverflow(by: UInt64(unit.blockSize)).partialValue
        thin = unit.options.thinProvisioned
        identity = ManagementIdentity(unit.identity)
        self.url = url
    }
}

/// A LU's names, as VPD 0x83 and 0x80 carry them.
public struct ManagementIdentity: Codable, Equatable, Sendable {
    /// NAA IEEE Registered Extended designator, 16 bytes as 32 hex digits.
    public var naa: String
    /// EUI-64 designator, 8 bytes as 16 hex digits.
    public var eui64: String
    /// The T10 vendor ID designator's value (ASCII): vendor padded to 8 characters, then the serial.
    public var t10: String
    /// The unit serial number (VPD 0x80).
    public var serial: String

    public init(_ identity: LogicalUnitIdentity) {
        naa = Self.hex(identity.naa)
        eui64 = Self.hex(identity.eui64)
        t10 = String(decoding: identity.t10Designator.value, as: UTF8.self)
        serial = identity.unitSerial
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// `GET /v1/luns`.
public struct ManagementLUNList: Codable, Equatable, Sendable {
    public var luns: [ManagementLUN]
    public init(luns: [ManagementLUN]) { self.luns = luns }
}

/// `GET /v1/faults`: the active faults in `--fault` syntax, counters as they stand now.
public struct ManagementFaultList: Codable, Equatable, Sendable {
    public var faults: [String]
    public init(faults: [String]) { self.faults = faults }
}

/// `GET /v1/health`.
public struct ManagementHealth: Codable, Equatable, Sendable {
    public var status: String
    /// The array profile's name.
    public var profile: String
    /// The target IQN.
    public var target: String
    public init(status: String = "ok", profile: String, target: String) {
        self.status = status
        self.profile = profile
        self.target = target
    }
}

/// Every 4xx and 5xx body: `{"error": "one line"}`.
public struct ManagementErrorBody: Codable, Equatable, Sendable {
    public var error: String
    public init(error: String) { self.error = error }
}

// MARK: - Strict decoding

struct ManagementAnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws for a key the body type does not have (and for a body that is not an object).
    func rejectUnknownKeys<K: CodingKey & CaseIterable>(_ keys: K.Type) throws {
        let known = Set(K.allCases.map(\.stringValue))
        let c = try container(keyedBy: ManagementAnyKey.self)
        if let unknown = c.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: [ManagementAnyKey(stringValue: unknown)],
                debugDescription: "unknown key; expected \(K.allCases.map { "\"\($0.stringValue)\"" }.joined(separator: ", "))"))
        }
    }
}

extension DecodingError {
    /// One line for a 400: what was wrong and where.
    var managementDescription: String {
        func path(_ context: Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case let .keyNotFound(key, _):
            return "missing \"\(key.stringValue)\""
        case let .valueNotFound(_, context):
            return "\"\(path(context))\" must not be null"
        case let .typeMismatch(type, context):
            if context.codingPath.isEmpty { return "the body must be a JSON object" }
            let expected = type == String.self ? "a string" : (type == Bool.self ? "true or false" : "a whole number")
            return "\"\(path(context))\" must be \(expected)"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\"\(path(context))\": \(context.debugDescription)"
        @unknown default:
            return "the body does not match the request"
        }
    }
}
