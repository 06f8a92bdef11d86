import ISCSIWire

/// What libiscsi 1.19 (Debian 1.19.0-3) sends while logging in, read from its lib/login.c
/// (iscsi_login_async and the iscsi_login_add_* helpers) and lib/init.c (defaults):
///
/// - Every login PDU is immediate, ISID 0x80 + 3 random bytes + 0x0000, TSIH 0, CID 0,
///   Version-max/min 0, the same ITT and CmdSN throughout.
/// - Without CHAP credentials it starts in the operational stage: T=1 CSG=1 NSG=3, one PDU.
/// - With credentials: (1) T=1 CSG=0 NSG=1 with the declarations and AuthMethod=CHAP,None;
///   (2) if the target chose CHAP: T=0 CSG=0 NSG=1 with CHAP_A=5; (3) T=1 CSG=0 NSG=1 with
///   CHAP_N, CHAP_R (hex, upper-case digits) and, for mutual CHAP, CHAP_I (a counter, 1 for
///   the first login) and a 32-byte CHAP_C; (4) T=1 CSG=1 NSG=3 with the operational keys.
/// - InitiatorName/InitiatorAlias/TargetName/SessionType go out while its "secneg phase" is
///   still OFFER_CHAP: so when the target answers AuthMethod=None, step (4) repeats them.
/// - Operational keys, in this order, only in the operational stage: HeaderDigest (default
///   want_header_digest NONE_CRC32C), DataDigest=None, InitialR2T=No, ImmediateData=Yes,
///   MaxBurstLength=262144, FirstBurstLength=262144, DefaultTime2Wait=2, DefaultTime2Retain=0,
///   MaxOutstandingR2T=1, ErrorRecoveryLevel=0, IFMarker=No, OFMarker=No, MaxConnections=1,
///   MaxRecvDataSegmentLength=262144, DataPDUInOrder=Yes, DataSequenceInOrder=Yes.
/// - It reads back only TargetAddress, HeaderDigest, FirstBurstLength, InitialR2T,
///   ImmediateData, MaxBurstLength, MaxRecvDataSegmentLength, AuthMethod and CHAP_*; if the
///   target never answers HeaderDigest it keeps "None,CRC32C" and turns CRC32C on.
enum LibiscsiLogin {
    static let initiatorName = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test"
    static let targetName = "iqn.2026-01.org.example:offload-sim"
    static let isid = ISID(rawValue: 0x80AB_CDEF_0000)
    static let itt: UInt32 = 0x6B8B_4567
    static let cmdSN: UInt32 = 0x327B_23C6

    static func declarations(session: SessionType) -> [String] {
        var keys = ["InitiatorName=\(initiatorName)"]
        if session == .normal { keys.append("TargetName=\(targetName)") }
        keys.append("SessionType=\(session.rawValue)")
        return keys
    }

    static let operationalKeys = [
        "HeaderDigest=None,CRC32C", "DataDigest=None", "InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=262144",
        "FirstBurstLength=262144", "DefaultTime2Wait=2", "DefaultTime2Retain=0", "MaxOutstandingR2T=1",
        "ErrorRecoveryLevel=0", "IFMarker=No", "OFMarker=No", "MaxConnections=1", "MaxRecvDataSegmentLength=262144",
        "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes",
    ]

    /// Splits "HeaderDigest=None,CRC32C" into the key and value of the pair.
    static func pairs(_ keys: [String]) -> TextParameters {
        TextParameters(keys.map { kv in
            let i = kv.firstIndex(of: "=")!
            return TextKeyValue(String(kv[..<i]), String(kv[kv.index(after: i)...]))
        })
    }

    static func request(transit: Bool, stage: LoginStage, next: LoginStage, keys: [String]) -> LoginRequest {
        LoginRequest(transit: transit, currentStage: stage, nextStage: next, isid: isid, initiatorTaskTag: itt, cmdSN: cmdSN,
                     data: pairs(keys).encoded())
    }

    /// The single PDU of a login without CHAP.
    static func operationalLogin(session: SessionType = .normal) -> LoginRequest {
        request(transit: true, stage: .operationalNegotiation, next: .fullFeaturePhase,
                keys: declarations(session: session) + operationalKeys)
    }
}
