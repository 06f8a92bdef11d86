/// One portal of a target as SendTargets reports it: `TargetAddress=host:port,tpgt`
/// (RFC 7143 13.8; IPv6 literals go in brackets).
public struct TargetPortal: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var portalGroupTag: UInt16

    public init(host: String, port: UInt16 = 3260, portalGroupTag: UInt16 = 1) {
        self.host = host
        self.port = port
        self.portalGroupTag = portalGroupTag
    }

    /// The TargetAddress value.
    public var description: String {
        let h = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(h):\(port),\(portalGroupTag)"
    }
}

/// A target and where it can be reached, for discovery.
public struct DiscoveredTarget: Equatable, Hashable, Sendable {
    public var name: String
    public var portals: [TargetPortal]

    public init(name: String, portals: [TargetPortal]) {
        self.name = name
        self.portals = portals
    }
}

/// The target side of SendTargets (RFC 7143 Appendix C, 13.3): answers a Text Request carrying
/// `SendTargets=All` (every target), `SendTargets=<name>` (that one) or `SendTargets=` (the
/// session's own target) with TargetName/TargetAddress pairs.
///
/// Only TargetName and TargetAddress are sent: libiscsi 1.19 fails discovery on any other key
/// (lib/discovery.c) and accepts only a single Text Response with F set and C clear, so the
/// caller should check the encoding fits the initiator's MaxRecvDataSegmentLength.
public enum SendTargets {
    /// Keys that repeat in a SendTargets response (for `TextParameters(parsing:repeatableKeys:)`).
    public static let repeatableKeys: Set<String> = ["TargetName", "TargetAddress"]

    public enum Request: Equatable, Sendable {
        case all
        case target(String)
        /// `SendTargets=` with an empty value: the target of the current Normal session.
        case sessionTarget

        public init(value: String) {
            switch value {
            case "All": self = .all
            case "": self = .sessionTarget
            default: self = .target(value)
            }
        }
    }

    /// The response text for `request`. Unknown names, and `.sessionTarget` without a session
    /// target, give an empty response (RFC 7143 Appendix C).
    public static func responseParameters(for request: Request, targets: [DiscoveredTarget],
                                          sessionTarget: String? = nil) -> TextParameters {
        let chosen: [DiscoveredTarget]
        switch request {
        case .all: chosen = targets
        case let .target(name): chosen = targets.filter { $0.name == name }
        case .sessionTarget: chosen = targets.filter { $0.name == sessionTarget }
        }
        var out = TextParameters()
        for target in chosen {
            out.append("TargetName", target.name)
            for portal in target.portals { out.append("TargetAddress", portal.description) }
        }
        return out
    }

    /// The Text Response answering `request` (a Text Request whose text holds SendTargets):
    /// F set, TTT 0xffffffff, ITT and LUN echoed. Throws when the request has no SendTargets
    /// key or malformed text.
    public static func response(to request: TextRequest, targets: [DiscoveredTarget], sessionTarget: String? = nil,
                                statSN: UInt32, expCmdSN: UInt32, maxCmdSN: UInt32) throws -> TextResponse {
        let text = try request.parameters()
        guard let value = text["SendTargets"] else {
            throw ISCSIWireError.malformedText(detail: "Text Request without SendTargets")
        }
        let body = responseParameters(for: Request(value: value), targets: targets, sessionTarget: sessionTarget)
        return TextResponse(final: true, lun: request.lun, initiatorTaskTag: request.initiatorTaskTag, statSN: statSN,
                            expCmdSN: expCmdSN, maxCmdSN: maxCmdSN, data: body.encoded())
    }
}
