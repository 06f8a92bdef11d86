/// A LUN address in libiscsi's own URL form:
/// `iscsi://[user[%password]@]host[:port]/target-iqn/lun[?header_digest=none|crc32c|...]`.
/// Parsed here, in pure Swift, so every malformed URL gets one precise error line before any
/// socket is opened.
public struct ISCSIURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var targetName: String
    public var lun: UInt64
    public var credentials: ChapCredentials?
    public var headerDigest: HeaderDigest

    public enum HeaderDigest: String, Sendable, Hashable, CaseIterable {
        /// Offer None first, accept CRC32C: what libiscsi does by default.
        case noneThenCRC32C = "none-crc32c"
        case crc32cThenNone = "crc32c-none"
        case none
        case crc32c
    }

    public static let defaultPort = 3260
    /// Single-level LUN addressing (SAM-5) reaches 0...16383; libiscsi takes no more.
    public static let maximumLUN: UInt64 = 16383

    public init(host: String, port: Int = defaultPort, targetName: String, lun: UInt64,
                credentials: ChapCredentials? = nil, headerDigest: HeaderDigest = .noneThenCRC32C) {
        self.host = host
        self.port = port
        self.targetName = targetName
        self.lun = lun
        self.credentials = credentials
        self.headerDigest = headerDigest
    }

    public init(parsing text: String) throws {
        func fail(_ reason: String) -> TransportError { .invalidURL(Self.redacted(text), reason: reason) }
        let scheme = "iscsi://"
        guard text.lowercased().hasPrefix(scheme) else {
            throw fail("expected iscsi://[user[%password]@]host[:port]/target-iqn/lun")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var digest = HeaderDigest.noneThenCRC32C
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, kv[0] == "header_digest" else {
                    throw fail("unknown option '\(pair)' (only header_digest=none|crc32c|none-crc32c|crc32c-none)")
                }
                guard let d = HeaderDigest(rawValue: kv[1]) else {
                    throw fail("header_digest must be none, crc32c, none-crc32c or crc32c-none, not '\(kv[1])'")
                }
                digest = d
            }
            rest = rest[..<q]
        }
        var creds: ChapCredentials?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let user = parts.first, !user.isEmpty else { throw fail("empty user name before '@'") }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw fail("user '\(user)' has no password (write user%password@host)")
            }
            creds = ChapCredentials(user: user, secret: parts[1])
        }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("missing /target-iqn/lun after the host") }
        let hostPort = rest[..<slash]
        let path = rest[rest.index(after: slash)...]
        let (host, port) = try Self.splitHostPort(hostPort, fail: fail)
        guard let lunSlash = path.lastIndex(of: "/") else { throw fail("missing /lun after the target name") }
        let target = String(path[..<lunSlash])
        let lunText = String(path[path.index(after: lunSlash)...])
        guard !target.isEmpty else { throw fail("empty target name") }
        guard target.hasPrefix("iqn.") || target.hasPrefix("eui.") || target.hasPrefix("naa.") else {
            throw fail("target name '\(target)' is not an iSCSI name (iqn., eui. or naa.)")
        }
        guard !target.contains("/"), !target.contains(" ") else { throw fail("target name '\(target)' contains '/' or a space") }
        guard !lunText.isEmpty else { throw fail("missing LUN number after the target name") }
        guard lunText.allSatisfy({ $0.isASCII && $0.isNumber }), let lun = UInt64(lunText) else { throw fail("LUN '\(lunText)' is not a number") }
        guard lun <= Self.maximumLUN else { throw fail("LUN \(lun) is above \(Self.maximumLUN)") }
        self.init(host: host, port: port, targetName: target, lun: lun, credentials: creds, headerDigest: digest)
    }

    private static func splitHostPort(_ s: Substring, fail: (String) -> TransportError) throws -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw fail("unclosed '[' in IPv6 address") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after IPv6 address") }
                portText = after.dropFirst()
            }
        } else if s.filter({ $0 == ":" }).count > 1 {
            throw fail("IPv6 address must be in brackets: iscsi://[\(s)]/...")
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        } else {
            host = s
        }
        guard !host.isEmpty else { throw fail("empty host") }
        var port = defaultPort
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(portText), (1...65535).contains(p) else { throw fail("port '\(portText)' is not 1-65535") }
            port = p
        }
        return (String(host), port)
    }

    /// host:port as libiscsi's portal string; IPv6 in brackets.
    public var portal: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// The URL without the password, safe for logs and reports.
    public var description: String {
        let user = credentials.map { "\($0.user)@" } ?? ""
        return "iscsi://\(user)\(portal)/\(targetName)/\(lun)"
    }

    /// The URL as libiscsi takes it, password included.
    public var fullURL: String {
        let user = credentials.map { "\($0.user)%\($0.secret)@" } ?? ""
        let query = headerDigest == .noneThenCRC32C ? "" : "?header_digest=\(headerDigest.rawValue)"
        return "iscsi://\(user)\(portal)/\(targetName)/\(lun)\(query)"
    }

    /// The I_T nexus this LUN is reached through: LUNs sharing it share one session.
    public var nexus: String { "\(portal)/\(targetName)" }

    public var address: DeviceAddress { DeviceAddress(kind: .iscsi, nexus: nexus, lun: lun, display: description) }

    /// Removes a password from URL text that failed to parse, for error messages.
    static func redacted(_ text: String) -> String {
        // The parser splits user from password at the first '%': hide everything after it.
        guard let at = text.lastIndex(of: "@"), let pct = text[..<at].firstIndex(of: "%") else { return text }
        return String(text[..<pct]) + "%***" + String(text[at...])
    }
}
