import SCSITransport
import Testing

/// `iscsi://[user[%password]@]host[:port]/target-iqn/lun[?header_digest=...]`: every accepted
/// form, every rejection with its class of message, and the password kept out of text.
@Suite("ISCSIURL")
struct ISCSIURLTests {
    static let iqn = "iqn.2003-01.org.linux-iscsi.lio.x8664:sn.0123456789ab"

    /// The reason of an `.invalidURL` error, or a description of what happened instead.
    func rejection(_ text: String) -> (url: String, reason: String)? {
        do {
            let u = try ISCSIURL(parsing: text)
            Issue.record("'\(text)' was accepted as \(u)")
            return nil
        } catch let TransportError.invalidURL(url, reason) {
            return (url, reason)
        } catch {
            Issue.record("'\(text)' threw \(error), not invalidURL")
            return nil
        }
    }

    // MARK: accepted forms

    @Test func plainURLGetsTheDefaults() throws {
        let u = try ISCSIURL(parsing: "iscsi://192.0.2.10/\(Self.iqn)/0")
        #expect(u.host == "192.0.2.10")
        #expect(u.port == 3260)
        #expect(u.port == ISCSIURL.defaultPort)
        #expect(u.targetName == Self.iqn)
        #expect(u.lun == 0)
        #expect(u.credentials == nil)
        #expect(u.headerDigest == .noneThenCRC32C)
        #expect(u.portal == "192.0.2.10:3260")
    }

    @Test func explicitPort() throws {
        let u = try ISCSIURL(parsing: "iscsi://target.example.com:3261/\(Self.iqn)/7")
        #expect(u.host == "target.example.com")
        #expect(u.port == 3261)
        #expect(u.lun == 7)
        #expect(u.portal == "target.example.com:3261")
    }

    @Test(arguments: [1, 860, 3260, 65535])
    func portRange(port: Int) throws {
        #expect(try ISCSIURL(parsing: "iscsi://h:\(port)/\(Self.iqn)/0").port == port)
    }

    @Test func credentials() throws {
        let u = try ISCSIURL(parsing: "iscsi://alice%s3cr3t@192.0.2.10/\(Self.iqn)/1")
        #expect(u.credentials == ChapCredentials(user: "alice", secret: "s3cr3t"))
        #expect(u.host == "192.0.2.10")
    }

    @Test func passwordMayContainPercentAndAt() throws {
        let u = try ISCSIURL(parsing: "iscsi://alice%p%a@ss@192.0.2.10/\(Self.iqn)/1")
        #expect(u.credentials == ChapCredentials(user: "alice", secret: "p%a@ss"))
        #expect(u.host == "192.0.2.10")
    }

    @Test func ipv6InBrackets() throws {
        let u = try ISCSIURL(parsing: "iscsi://[fe80::1%25eth0]:3262/\(Self.iqn)/2")
        #expect(u.host == "fe80::1%25eth0")
        #expect(u.port == 3262)
        #expect(u.portal == "[fe80::1%25eth0]:3262")
        let d = try ISCSIURL(parsing: "iscsi://[2001:db8::10]/\(Self.iqn)/0")
        #expect(d.host == "2001:db8::10")
        #expect(d.port == 3260)
        #expect(d.portal == "[2001:db8::10]:3260")
        #expect(d.description == "iscsi://[2001:db8::10]:3260/\(Self.iqn)/0")
    }

    @Test func ipv6WithCredentials() throws {
        let u = try ISCSIURL(parsing: "iscsi://bob%pw@[::1]:3260/\(Self.iqn)/3")
        #expect(u.host == "::1")
        #expect(u.credentials?.user == "bob")
    }

    @Test(arguments: ISCSIURL.HeaderDigest.allCases)
    func headerDigestOptions(digest: ISCSIURL.HeaderDigest) throws {
        let u = try ISCSIURL(parsing: "iscsi://h/\(Self.iqn)/0?header_digest=\(digest.rawValue)")
        #expect(u.headerDigest == digest)
        #expect(u.targetName == Self.iqn)
        #expect(u.lun == 0)
    }

    @Test func headerDigestRawValues() {
        #expect(ISCSIURL.HeaderDigest.allCases.map(\.rawValue).sorted() == ["crc32c", "crc32c-none", "none", "none-crc32c"])
    }

    @Test(arguments: [(UInt64(0), "0"), (16383, "16383"), (255, "255"), (256, "256")])
    func lunRange(lun: UInt64, text: String) throws {
        #expect(try ISCSIURL(parsing: "iscsi://h/\(Self.iqn)/\(text)").lun == lun)
        #expect(ISCSIURL.maximumLUN == 16383)
    }

    @Test(arguments: ["iqn.2024-01.test.tgt:disk0", "eui.02004567A425678D", "naa.52004567BA64678D"])
    func iscsiNameForms(target: String) throws {
        #expect(try ISCSIURL(parsing: "iscsi://h/\(target)/0").targetName == target)
    }

    @Test func schemeIsCaseInsensitive() throws {
        #expect(try ISCSIURL(parsing: "ISCSI://h/\(Self.iqn)/0").host == "h")
    }

    // MARK: rejections

    @Test(arguments: ["http://h/iqn.2003-01.org.x:t/0", "iscsi:/h/iqn.2003-01.org.x:t/0", "h/iqn.2003-01.org.x:t/0", "", "iscsi//h/iqn.x:t/0"])
    func wrongScheme(text: String) {
        #expect(rejection(text)?.reason.contains("expected iscsi://") == true)
    }

    @Test(arguments: ["iscsi:///iqn.2003-01.org.x:t/0", "iscsi://:3260/iqn.2003-01.org.x:t/0", "iscsi://[]:3260/iqn.2003-01.org.x:t/0",
                      "iscsi://user%pw@/iqn.2003-01.org.x:t/0"])
    func emptyHost(text: String) {
        #expect(rejection(text)?.reason == "empty host")
    }

    @Test(arguments: ["0", "65536", "abc", "", "-1", "99999999999999999999", "3260x"])
    func badPort(port: String) {
        let r = rejection("iscsi://h:\(port)/iqn.2003-01.org.x:t/0")
        #expect(r?.reason == "port '\(port)' is not 1-65535")
    }

    @Test func badIPv6Brackets() {
        #expect(rejection("iscsi://[::1/iqn.2003-01.org.x:t/0")?.reason.contains("unclosed '['") == true)
        #expect(rejection("iscsi://[::1]3260/iqn.2003-01.org.x:t/0")?.reason.contains("after IPv6 address") == true)
        #expect(rejection("iscsi://[::1]:0/iqn.2003-01.org.x:t/0")?.reason == "port '0' is not 1-65535")
    }

    /// An IPv6 address without brackets cannot be told from host:port; libiscsi wants
    /// brackets. It must be refused, not read as host "fe80:" port 1.
    @Test(arguments: ["iscsi://fe80::1/iqn.2003-01.org.x:t/0", "iscsi://::1/iqn.2003-01.org.x:t/0",
                      "iscsi://2001:db8::10/iqn.2003-01.org.x:t/0"])
    func unbracketedIPv6IsRejected(text: String) {
        _ = rejection(text)
    }

    @Test func missingTarget() {
        #expect(rejection("iscsi://h")?.reason.contains("missing /target-iqn/lun") == true)
        #expect(rejection("iscsi://h:3260")?.reason.contains("missing /target-iqn/lun") == true)
        #expect(rejection("iscsi://h/")?.reason.contains("missing /lun") == true)
        #expect(rejection("iscsi://h//0")?.reason == "empty target name")
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t")?.reason.contains("missing /lun after the target name") == true)
    }

    @Test(arguments: ["target0", "iqn", "192.0.2.10", "lun", "iqn-2003-01.org.x:t"])
    func nonISCSITargetName(target: String) {
        let r = rejection("iscsi://h/\(target)/0")
        #expect(r?.reason == "target name '\(target)' is not an iSCSI name (iqn., eui. or naa.)")
    }

    @Test func targetNameWithSlashOrSpace() {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:a/b/0")?.reason.contains("contains '/' or a space") == true)
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:a b/0")?.reason.contains("contains '/' or a space") == true)
    }

    @Test func missingLUN() {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t/")?.reason == "missing LUN number after the target name")
    }

    @Test(arguments: ["abc", "1a", "0x1", " 1", "1.0", "-1", "٣"])
    func nonNumericLUN(lun: String) {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t/\(lun)")?.reason == "LUN '\(lun)' is not a number")
    }

    @Test(arguments: ["16384", "65535", "4294967296"])
    func tooLargeLUN(lun: String) {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t/\(lun)")?.reason == "LUN \(lun) is above 16383")
    }

    @Test func lunBeyond64BitsIsNotANumber() {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t/18446744073709551616")?.reason.contains("is not a number") == true)
    }

    @Test func userWithoutPassword() {
        #expect(rejection("iscsi://alice@h/iqn.2003-01.org.x:t/0")?.reason == "user 'alice' has no password (write user%password@host)")
        #expect(rejection("iscsi://alice%@h/iqn.2003-01.org.x:t/0")?.reason.contains("has no password") == true)
        #expect(rejection("iscsi://%pw@h/iqn.2003-01.org.x:t/0")?.reason == "empty user name before '@'")
    }

    @Test(arguments: ["?foo=bar", "?header_digest", "?Header_Digest=none", "?header_digest=none&x=1", "?data_digest=crc32c"])
    func unknownQueryOption(query: String) {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t/0\(query)")?.reason.hasPrefix("unknown option") == true)
    }

    @Test(arguments: ["CRC32C", "md5", "none,crc32c"])
    func badHeaderDigestValue(value: String) {
        #expect(rejection("iscsi://h/iqn.2003-01.org.x:t/0?header_digest=\(value)")?.reason.hasPrefix("header_digest must be") == true)
    }

    @Test func rejectionsAreUsageErrors() throws {
        let e = try #require(throws: TransportError.self) { try ISCSIURL(parsing: "iscsi://h/x/0") }
        #expect(e.isUsageError)
        #expect(e.description.hasPrefix("invalid device URL 'iscsi://h/x/0': "))
    }

    // MARK: the password stays out of text

    @Test func descriptionHasNoPassword() throws {
        let u = try ISCSIURL(parsing: "iscsi://alice%Tr0ub4dor@192.0.2.10:3261/\(Self.iqn)/4?header_digest=crc32c")
        #expect(u.description == "iscsi://alice@192.0.2.10:3261/\(Self.iqn)/4")
        #expect(!"\(u)".contains("Tr0ub4dor"))
        #expect(!String(reflecting: u).contains("Tr0ub4dor"))
        #expect(!u.address.display.contains("Tr0ub4dor"))
        #expect(!u.address.description.contains("Tr0ub4dor"))
        #expect(!u.nexus.contains("Tr0ub4dor"))
        #expect(u.fullURL.contains("alice%Tr0ub4dor@"))
    }

    @Test(arguments: ["iscsi://alice%Tr0ub4dor@h/notaniqn/0", "iscsi://alice%Tr0ub4dor@h:0/iqn.2003-01.org.x:t/0",
                      "http://alice%Tr0ub4dor@h/iqn.2003-01.org.x:t/0", "iscsi://alice%Tr0ub4dor@h/iqn.2003-01.org.x:t/0?x=1"])
    func errorsHaveNoPassword(text: String) {
        guard let r = rejection(text) else { return }
        #expect(!r.url.contains("Tr0ub4dor"))
        #expect(!r.reason.contains("Tr0ub4dor"))
        #expect(!TransportError.invalidURL(r.url, reason: r.reason).description.contains("Tr0ub4dor"))
        #expect(r.url.contains("alice%***@"))
    }

    /// The parser splits user from password at the first '%', so a password may contain '%';
    /// the redaction of a failed URL must hide all of it, not only what follows the last '%'.
    @Test func errorsHaveNoPartOfAPasswordContainingPercent() {
        guard let r = rejection("iscsi://alice%hunter%2go@h/notaniqn/0") else { return }
        #expect(!r.url.contains("hunter"), "redacted URL: \(r.url)")
        #expect(!r.url.contains("2go"))
    }

    // MARK: fullURL and nexus

    @Test(arguments: [
        "iscsi://192.0.2.10/iqn.2003-01.org.x:t/0",
        "iscsi://alice%s3cr3t@192.0.2.10:3261/iqn.2003-01.org.x:t/16383",
        "iscsi://alice%p%a@ss@h/iqn.2003-01.org.x:t/5",
        "iscsi://[2001:db8::10]:3262/eui.02004567A425678D/1",
        "iscsi://bob%pw@[::1]/naa.52004567BA64678D/2",
    ])
    func fullURLRoundTrips(text: String) throws {
        let u = try ISCSIURL(parsing: text)
        let again = try ISCSIURL(parsing: u.fullURL)
        #expect(again == u)
        #expect(again.fullURL == u.fullURL)
    }

    /// A non-default header digest is part of the URL libiscsi takes; fullURL must keep it.
    @Test(arguments: ["none", "crc32c", "crc32c-none"])
    func fullURLRoundTripsTheHeaderDigest(digest: String) throws {
        let u = try ISCSIURL(parsing: "iscsi://alice%pw@h/iqn.2003-01.org.x:t/3?header_digest=\(digest)")
        #expect(try ISCSIURL(parsing: u.fullURL) == u, "fullURL: \(u.fullURL)")
    }

    @Test func memberwiseURLsRoundTrip() throws {
        let u = ISCSIURL(host: "fd00::5", port: 3270, targetName: "iqn.2024-01.test:x", lun: 9,
                         credentials: ChapCredentials(user: "u", secret: "s"))
        #expect(u.portal == "[fd00::5]:3270")
        #expect(try ISCSIURL(parsing: u.fullURL) == u)
    }

    @Test func nexusIsSharedByTheLUNsOfOneTarget() throws {
        let a = try ISCSIURL(parsing: "iscsi://192.0.2.10/iqn.2003-01.org.x:t/0")
        let b = try ISCSIURL(parsing: "iscsi://192.0.2.10:3260/iqn.2003-01.org.x:t/1")
        let c = try ISCSIURL(parsing: "iscsi://alice%pw@192.0.2.10/iqn.2003-01.org.x:t/2?header_digest=crc32c")
        #expect(a.nexus == b.nexus)
        #expect(a.nexus == c.nexus)
        #expect(a.nexus == "192.0.2.10:3260/iqn.2003-01.org.x:t")
        #expect(a.address.nexus == b.address.nexus)
        #expect(a.address.lun == 0 && b.address.lun == 1)
        #expect(a.address.kind == .iscsi)
        #expect(a.address.display == a.description)
        #expect(a.address != b.address)
    }

    @Test func nexusDiffersAcrossTargetsPortsAndHosts() throws {
        let base = try ISCSIURL(parsing: "iscsi://192.0.2.10/iqn.2003-01.org.x:t/0").nexus
        let others = try [
            "iscsi://192.0.2.10/iqn.2003-01.org.x:u/0",
            "iscsi://192.0.2.10:3261/iqn.2003-01.org.x:t/0",
            "iscsi://192.0.2.11/iqn.2003-01.org.x:t/0",
            "iscsi://[::1]/iqn.2003-01.org.x:t/0",
        ].map { try ISCSIURL(parsing: $0).nexus }
        for n in others { #expect(n != base) }
        #expect(Set(others).count == others.count)
    }
}
