/// One-way CHAP credentials (the initiator proves itself to the target).
public struct ChapCredentials: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var secret: String
    public init(user: String, secret: String) { self.user = user; self.secret = secret }

    /// Never the secret: credentials end up in logs and error lines by interpolation.
    public var description: String { "CHAP user \(user)" }

    /// Environment names: ours first, then libiscsi's own, so existing setups keep working.
    public static let environmentNames = [("OFFLOAD_CHAP_USER", "OFFLOAD_CHAP_SECRET"),
                                          ("LIBISCSI_CHAP_USERNAME", "LIBISCSI_CHAP_PASSWORD")]

    /// Credentials from the environment; nil when none is set, an error when only half is.
    public static func fromEnvironment(_ env: [String: String]) throws -> ChapCredentials? {
        for (userKey, secretKey) in environmentNames {
            switch (env[userKey], env[secretKey]) {
            case let (user?, secret?) where !user.isEmpty && !secret.isEmpty:
                return ChapCredentials(user: user, secret: secret)
            case (nil, nil):
                continue
            default:
                throw TransportError.invalidCredentials("\(userKey) and \(secretKey) must both be set and non-empty")
            }
        }
        return nil
    }

    /// Parses a credentials file: `user=NAME` and `secret=SECRET` lines (`password=` accepted),
    /// `#` comments and blank lines ignored. Kept out of URLs so secrets stay off command lines.
    public static func parseFile(_ text: String) throws -> ChapCredentials {
        var user: String?
        var secret: String?
        // isNewline splits LF, CR and CRLF alike (a CRLF "\r\n" is one Character in Swift).
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw TransportError.invalidCredentials("line \(index + 1): expected key=value")
            }
            let key = line[..<eq].trimmingCharacters(in: " \t")
            let value = line[line.index(after: eq)...].trimmingCharacters(in: " \t")
            switch key {
            case "user", "username": user = value
            case "secret", "password": secret = value
            default: throw TransportError.invalidCredentials("line \(index + 1): unknown key '\(key)' (user, secret)")
            }
        }
        guard let user, !user.isEmpty else { throw TransportError.invalidCredentials("no user= line") }
        guard let secret, !secret.isEmpty else { throw TransportError.invalidCredentials("no secret= line") }
        return ChapCredentials(user: user, secret: secret)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
