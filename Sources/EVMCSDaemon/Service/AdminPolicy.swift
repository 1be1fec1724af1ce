import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Who may call admin methods (`cache.refresh`, `daemon.reload`): root, and members of the
/// configured admin group — the peer's primary group (SO_PEERCRED) or the groups its user
/// belongs to in the group database (getgrouplist(3), so it works under ProtectProc=).
struct AdminPolicy: Sendable, Equatable {
    let groupName: String?
    let groupID: UInt32?
    private let groups: GroupResolver

    /// Resolves `groupName` to its gid with `groups`.
    /// - Throws: ``ConfigurationError`` when the group does not exist.
    static func resolve(_ groupName: String?, source: String, groups: GroupResolver = .system) throws(
        ConfigurationError
    ) -> AdminPolicy {
        guard let groupName else { return AdminPolicy(groupName: nil, groupID: nil, groups: groups) }
        guard let gid = groups.gid(groupName) else {
            throw ConfigurationError(
                code: .unknownGroup,
                source: source,
                key: "authorization.admin-group",
                message: "no such group \"\(groupName)\""
            )
        }
        return AdminPolicy(groupName: groupName, groupID: gid, groups: groups)
    }

    static func == (lhs: AdminPolicy, rhs: AdminPolicy) -> Bool {
        lhs.groupName == rhs.groupName && lhs.groupID == rhs.groupID
    }

    func allows(_ peer: JSONRPCPeerCredentials) -> Bool {
        if peer.uid == 0 { return true }
        guard let groupID else { return false }
        return peer.gid == groupID || groups.groupsOfUser(peer.uid, peer.gid).contains(groupID)
    }

    /// Who is allowed, for error messages.
    var description: String {
        groupName.map { "root or members of group \($0)" } ?? "root"
    }
}

/// How the daemon looks groups up: the system's group database on a host, a table in tests.
public struct GroupResolver: Sendable {
    /// The gid of a group name, or `nil` when there is no such group.
    public var gid: @Sendable (String) -> UInt32?
    /// The groups of a uid with its primary gid, the primary one included; empty for an unknown user.
    public var groupsOfUser: @Sendable (_ uid: UInt32, _ primary: UInt32) -> [UInt32]

    /// Creates a resolver from its two lookups.
    public init(
        gid: @escaping @Sendable (String) -> UInt32?,
        groupsOfUser: @escaping @Sendable (_ uid: UInt32, _ primary: UInt32) -> [UInt32]
    ) {
        self.gid = gid
        self.groupsOfUser = groupsOfUser
    }

    /// The system's group database (NSS: getgrnam_r(3), getgrouplist(3)).
    public static let system = GroupResolver(
        gid: { GroupDatabase.gid(of: $0) },
        groupsOfUser: { GroupDatabase.groups(ofUser: $0, primary: $1) }
    )
}

/// Group lookups in the system's group database.
enum GroupDatabase {
    static func gid(of name: String) -> UInt32? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &group, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return group.gr_gid
    }

    /// The groups of user `uid` per the group database, `primary` included; empty when the
    /// user is unknown.
    static func groups(ofUser uid: UInt32, primary: UInt32) -> [UInt32] {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primary, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }
}
