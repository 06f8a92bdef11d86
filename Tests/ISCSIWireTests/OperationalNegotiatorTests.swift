import ISCSIWire
import Testing

/// Result functions of RFC 7143 section 13, answered as a target.
@Suite struct OperationalNegotiatorTests {
    typealias L = LibiscsiLogin

    static func negotiate(_ keys: [String], preferences: TargetNegotiationPreferences = TargetNegotiationPreferences(),
                          leading: Bool = true, session: NegotiatedSession = NegotiatedSession()) throws
        -> (answers: TextParameters, session: NegotiatedSession) {
        var s = session
        let n = OperationalNegotiator(preferences: preferences, isLeadingConnection: leading)
        let answers = try n.respond(to: L.pairs(keys).pairs, session: &s)
        return (TextParameters(answers), s)
    }

    /// libiscsi's operational keys against the default preferences.
    @Test func libiscsiOperationalKeys() throws {
        let (answers, s) = try Self.negotiate(L.declarations(session: .normal) + L.operationalKeys)
        #expect(answers == L.pairs([
            "HeaderDigest=None", "DataDigest=None", "InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=262144",
            "FirstBurstLength=262144", "DefaultTime2Wait=2", "DefaultTime2Retain=0", "MaxOutstandingR2T=1",
            "ErrorRecoveryLevel=0", "IFMarker=Reject", "OFMarker=Reject", "MaxConnections=1", "DataPDUInOrder=Yes",
            "DataSequenceInOrder=Yes",
        ]))
        #expect(s.initiatorName == L.initiatorName && s.targetName == L.targetName && s.sessionType == .normal)
        #expect(s.headerDigest == .none && s.dataDigest == .none)
        #expect(!s.initialR2T && s.immediateData)
        #expect(s.maxBurstLength == 262_144 && s.firstBurstLength == 262_144)
        #expect(s.initiatorMaxRecvDataSegmentLength == 262_144)
        #expect(s.defaultTime2Wait == 2 && s.defaultTime2Retain == 0)
        #expect(s.maxOutstandingR2T == 1 && s.errorRecoveryLevel == 0 && s.maxConnections == 1)
        #expect(s.dataPDUInOrder && s.dataSequenceInOrder)
        #expect(s.unsolicitedDataLimit == 262_144)
    }

    @Test func resultFunctions() throws {
        var p = TargetNegotiationPreferences()
        p.initialR2T = true
        p.immediateData = false
        p.maxBurstLength = 65536
        p.defaultTime2Wait = 5
        p.defaultTime2Retain = 10
        p.maxOutstandingR2T = 4
        p.dataPDUInOrder = false
        p.errorRecoveryLevel = 2
        p.maxConnections = 4
        let (answers, s) = try Self.negotiate([
            "InitialR2T=No",            // OR: our Yes wins
            "ImmediateData=Yes",        // AND: our No wins
            "MaxBurstLength=1048576",   // min
            "DefaultTime2Wait=2",       // max
            "DefaultTime2Retain=20",    // min
            "MaxOutstandingR2T=8",      // min
            "DataPDUInOrder=No",        // OR of No and No
            "ErrorRecoveryLevel=1",     // min
            "MaxConnections=2",         // min
        ], preferences: p)
        #expect(answers == L.pairs([
            "InitialR2T=Yes", "ImmediateData=No", "MaxBurstLength=65536", "DefaultTime2Wait=5", "DefaultTime2Retain=10",
            "MaxOutstandingR2T=4", "DataPDUInOrder=No", "ErrorRecoveryLevel=1", "MaxConnections=2",
        ]))
        #expect(s.initialR2T && !s.immediateData && s.maxBurstLength == 65536 && s.defaultTime2Wait == 5)
        #expect(s.defaultTime2Retain == 10 && s.maxOutstandingR2T == 4 && !s.dataPDUInOrder)
        #expect(s.errorRecoveryLevel == 1 && s.maxConnections == 2)
        #expect(s.unsolicitedDataLimit == 0)
    }

    @Test func digestLists() throws {
        #expect(try Self.negotiate(["HeaderDigest=CRC32C,None", "DataDigest=CRC32C"]).answers
            == L.pairs(["HeaderDigest=CRC32C", "DataDigest=CRC32C"]))
        var noneOnly = TargetNegotiationPreferences()
        noneOnly.headerDigests = [.none]
        noneOnly.dataDigests = [.none]
        let (answers, s) = try Self.negotiate(["HeaderDigest=CRC32C", "DataDigest=MD5,None"], preferences: noneOnly)
        #expect(answers == L.pairs(["HeaderDigest=Reject", "DataDigest=None"]))
        #expect(s.digests == .none)
        #expect(try Self.negotiate(["HeaderDigest=CRC32C,None"]).session.digests == DigestSettings(header: .crc32c, data: .none))
    }

    /// FirstBurstLength never exceeds MaxBurstLength, wherever MaxBurstLength is in the PDU,
    /// and is Irrelevant with InitialR2T=Yes and ImmediateData=No (RFC 7143 13.14).
    @Test func firstBurstLength() throws {
        let (a1, s1) = try Self.negotiate(["FirstBurstLength=262144", "MaxBurstLength=131072"])
        #expect(a1 == L.pairs(["FirstBurstLength=131072", "MaxBurstLength=131072"]))
        #expect(s1.firstBurstLength == 131_072)
        let (a2, s2) = try Self.negotiate(["InitialR2T=Yes", "FirstBurstLength=65536", "ImmediateData=No"])
        #expect(a2 == L.pairs(["InitialR2T=Yes", "FirstBurstLength=Irrelevant", "ImmediateData=No"]))
        #expect(s2.firstBurstLength == 65536)
        #expect(try Self.negotiate(["FirstBurstLength=100"]).answers == L.pairs(["FirstBurstLength=Reject"]))
    }

    @Test func badOffersAreRejectedAndKeepDefaults() throws {
        let (answers, s) = try Self.negotiate([
            "MaxBurstLength=511", "MaxBurstLength2=1", "DefaultTime2Wait=3601", "ErrorRecoveryLevel=3",
            "InitialR2T=yes", "ImmediateData=", "MaxConnections=0", "MaxOutstandingR2T=x",
        ])
        #expect(answers == L.pairs([
            "MaxBurstLength=Reject", "MaxBurstLength2=NotUnderstood", "DefaultTime2Wait=Reject", "ErrorRecoveryLevel=Reject",
            "InitialR2T=Reject", "ImmediateData=Reject", "MaxConnections=Reject", "MaxOutstandingR2T=Reject",
        ]))
        #expect(s == NegotiatedSession())
        #expect(try Self.negotiate(["MaxBurstLength=0x10000"]).answers == L.pairs(["MaxBurstLength=65536"]))
    }

    @Test func keysThatAreNotNegotiatedHere() throws {
        let (answers, _) = try Self.negotiate([
            "X-com.example.Foo=1", "X#org.example.Bar=2", "RDMAExtensions=Yes", "TargetAlias=x", "TargetAddress=1.2.3.4",
            "TargetPortalGroupTag=1", "IFMarkInt=2048~8192", "OFMarkInt=1", "SendTargets=All", "TaskReporting=FastAbort,RFC3720",
            "iSCSIProtocolLevel=1", "MaxBurstLength=NotUnderstood", "FirstBurstLength=Reject",
        ])
        #expect(answers == L.pairs([
            "X-com.example.Foo=NotUnderstood", "X#org.example.Bar=NotUnderstood", "RDMAExtensions=NotUnderstood",
            "TargetAlias=Reject", "TargetAddress=Reject", "TargetPortalGroupTag=Reject", "IFMarkInt=Reject", "OFMarkInt=Reject",
            "SendTargets=Reject", "TaskReporting=RFC3720", "iSCSIProtocolLevel=NotUnderstood",
        ]))
        #expect(try Self.negotiate(["TaskReporting=FastAbort"]).answers == L.pairs(["TaskReporting=Reject"]))
    }

    @Test func discoveryMakesSessionKeysIrrelevant() throws {
        let (answers, s) = try Self.negotiate(L.declarations(session: .discovery) + L.operationalKeys)
        #expect(s.sessionType == .discovery)
        #expect(answers == L.pairs([
            "HeaderDigest=None", "DataDigest=None", "InitialR2T=Irrelevant", "ImmediateData=Irrelevant",
            "MaxBurstLength=Irrelevant", "FirstBurstLength=Irrelevant", "DefaultTime2Wait=2", "DefaultTime2Retain=0",
            "MaxOutstandingR2T=Irrelevant", "ErrorRecoveryLevel=0", "IFMarker=Reject", "OFMarker=Reject",
            "MaxConnections=Irrelevant", "DataPDUInOrder=Irrelevant", "DataSequenceInOrder=Irrelevant",
        ]))
    }

    @Test func nonLeadingConnectionLeavesSessionKeysAlone() throws {
        let (answers, s) = try Self.negotiate(["MaxBurstLength=512", "HeaderDigest=CRC32C", "FirstBurstLength=512"], leading: false)
        #expect(answers == L.pairs(["MaxBurstLength=Irrelevant", "HeaderDigest=CRC32C", "FirstBurstLength=Irrelevant"]))
        #expect(s.maxBurstLength == 262_144 && s.headerDigest == .crc32c)
    }

    @Test func badDeclarationsFailTheLogin() {
        #expect(throws: LoginFailure(.initiatorError, "MaxRecvDataSegmentLength=511 is outside 512-16777215")) {
            try Self.negotiate(["MaxRecvDataSegmentLength=511"])
        }
        #expect(throws: LoginFailure(.sessionTypeNotSupported, "SessionType=Bogus")) { try Self.negotiate(["SessionType=Bogus"]) }
        #expect((try? Self.negotiate(["InitiatorName="])) == nil)
        #expect((try? Self.negotiate(["TargetName=" + String(repeating: "t", count: 224)])) == nil)
        #expect((try? Self.negotiate(["MaxRecvDataSegmentLength=16777215"]))?.session.initiatorMaxRecvDataSegmentLength == 16_777_215)
    }
}
