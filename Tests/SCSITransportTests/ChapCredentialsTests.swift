import SCSITransport
import Testing

/// CHAP credentials from a file (`user=`, `secret=`/`password=`, comments) and from the
/// environment (ours first, then libiscsi's names).
@Suite("ChapCredentials")
struct ChapCredentialsTests {
    func reason(_ body: () throws -> Any?) -> String? {
        do {
            let v = try body()
            Issue.record("accepted: \(String(describing: v))")
            return nil
        } catch let TransportError.invalidCredentials(reason) {
            return reason
        } catch {
            Issue.record("threw \(error), not invalidCredentials")
            return nil
        }
    }

    // MARK: file

    @Test func minimalFile() throws {
        #expect(try ChapCredentials.parseFile("user=alice\nsecret=s3cr3t\n") == ChapCredentials(user: "alice", secret: "s3cr3t"))
    }

    @Test func commentsBlanksAndWhitespace() throws {
        let text = """
            # CHAP for the lab target

              # indented comment
            user = alice\t
            \t
            secret=  s3cr3t with spaces inside  

            """
        #expect(try ChapCredentials.parseFile(text) == ChapCredentials(user: "alice", secret: "s3cr3t with spaces inside"))
    }

    @Test func passwordAndUsernameAliases() throws {
        #expect(try ChapCredentials.parseFile("username=bob\npassword=hunter2") == ChapCredentials(user: "bob", secret: "hunter2"))
        #expect(try ChapCredentials.parseFile("password=hunter2\nuser=bob") == ChapCredentials(user: "bob", secret: "hunter2"))
    }

    @Test func valueMayContainEqualsAndHash() throws {
        #expect(try ChapCredentials.parseFile("user=a\nsecret=x=y#z") == ChapCredentials(user: "a", secret: "x=y#z"))
    }

    @Test func noTrailingNewline() throws {
        #expect(try ChapCredentials.parseFile("user=a\nsecret=b") == ChapCredentials(user: "a", secret: "b"))
    }

    /// The parser trims '\r', so files saved with CRLF line ends are meant to work.
    @Test func crlfLineEndings() throws {
        #expect(try ChapCredentials.parseFile("# lab\r\nuser=alice\r\nsecret=s3cr3t\r\n") == ChapCredentials(user: "alice", secret: "s3cr3t"))
    }

    @Test func missingUser() {
        #expect(reason { try ChapCredentials.parseFile("secret=x\n") } == "no user= line")
        #expect(reason { try ChapCredentials.parseFile("user=\nsecret=x\n") } == "no user= line")
    }

    @Test func missingSecret() {
        #expect(reason { try ChapCredentials.parseFile("user=alice\n") } == "no secret= line")
        #expect(reason { try ChapCredentials.parseFile("user=alice\npassword=  \n") } == "no secret= line")
    }

    @Test func emptyFile() {
        #expect(reason { try ChapCredentials.parseFile("") } == "no user= line")
        #expect(reason { try ChapCredentials.parseFile("# nothing\n\n") } == "no user= line")
    }

    @Test func junkLineNamesItsLineNumber() {
        #expect(reason { try ChapCredentials.parseFile("# c\nuser=alice\nthis is junk\nsecret=x") } == "line 3: expected key=value")
    }

    @Test func unknownKeyNamesItsLineNumber() {
        #expect(reason { try ChapCredentials.parseFile("user=alice\nsecret=x\nmutual_user=t") } == "line 3: unknown key 'mutual_user' (user, secret)")
        #expect(reason { try ChapCredentials.parseFile("User=alice\nsecret=x") } == "line 1: unknown key 'User' (user, secret)")
    }

    @Test func errorsAreUsageErrorsWithoutTheSecret() {
        do {
            _ = try ChapCredentials.parseFile("secret=TopSecret!\nbogus line")
            Issue.record("accepted")
        } catch let e as TransportError {
            #expect(e.isUsageError)
            #expect(e.description.hasPrefix("invalid CHAP credentials: "))
            #expect(!e.description.contains("TopSecret"))
        } catch {
            Issue.record("threw \(error)")
        }
    }

    // MARK: environment

    @Test func environmentNamesInOrder() {
        #expect(ChapCredentials.environmentNames.map(\.0) == ["OFFLOAD_CHAP_USER", "LIBISCSI_CHAP_USERNAME"])
        #expect(ChapCredentials.environmentNames.map(\.1) == ["OFFLOAD_CHAP_SECRET", "LIBISCSI_CHAP_PASSWORD"])
    }

    @Test func ours() throws {
        let env = ["OFFLOAD_CHAP_USER": "alice", "OFFLOAD_CHAP_SECRET": "s1", "PATH": "/usr/bin"]
        #expect(try ChapCredentials.fromEnvironment(env) == ChapCredentials(user: "alice", secret: "s1"))
    }

    @Test func libiscsis() throws {
        let env = ["LIBISCSI_CHAP_USERNAME": "bob", "LIBISCSI_CHAP_PASSWORD": "s2"]
        #expect(try ChapCredentials.fromEnvironment(env) == ChapCredentials(user: "bob", secret: "s2"))
    }

    @Test func oursWinOverLibiscsis() throws {
        let env = ["OFFLOAD_CHAP_USER": "alice", "OFFLOAD_CHAP_SECRET": "s1",
                   "LIBISCSI_CHAP_USERNAME": "bob", "LIBISCSI_CHAP_PASSWORD": "s2"]
        #expect(try ChapCredentials.fromEnvironment(env) == ChapCredentials(user: "alice", secret: "s1"))
    }

    @Test(arguments: [
        ["OFFLOAD_CHAP_USER": "alice"],
        ["OFFLOAD_CHAP_SECRET": "s1"],
        ["OFFLOAD_CHAP_USER": "alice", "OFFLOAD_CHAP_SECRET": ""],
        ["OFFLOAD_CHAP_USER": "", "OFFLOAD_CHAP_SECRET": "s1"],
        ["LIBISCSI_CHAP_USERNAME": "bob"],
        ["LIBISCSI_CHAP_PASSWORD": "s2"],
        ["OFFLOAD_CHAP_USER": "alice", "LIBISCSI_CHAP_USERNAME": "bob", "LIBISCSI_CHAP_PASSWORD": "s2"],
    ])
    func halfSetIsAnError(env: [String: String]) {
        guard let r = reason({ try ChapCredentials.fromEnvironment(env) }) else { return }
        #expect(r.contains("must both be set and non-empty"))
        let pair = env.keys.contains { $0.hasPrefix("OFFLOAD") } ? "OFFLOAD_CHAP_USER and OFFLOAD_CHAP_SECRET"
                                                                   : "LIBISCSI_CHAP_USERNAME and LIBISCSI_CHAP_PASSWORD"
        #expect(r.hasPrefix(pair))
        for secret in ["s1", "s2"] { #expect(!r.contains(secret)) }
    }

    @Test func noneSetIsNil() throws {
        #expect(try ChapCredentials.fromEnvironment([:]) == nil)
        #expect(try ChapCredentials.fromEnvironment(["HOME": "/root", "CHAP_USER": "x"]) == nil)
    }

    @Test func credentialsAreValues() {
        let a = ChapCredentials(user: "u", secret: "s")
        var b = a
        b.secret = "t"
        #expect(a != b)
        #expect(Set([a, a, b]).count == 2)
    }
}
