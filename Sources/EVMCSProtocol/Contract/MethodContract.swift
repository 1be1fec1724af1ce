/// What the contract says about one method: its summary, params, result and errors. The OpenRPC
/// document (`rpc.discover`, Docs/openrpc.json) is rendered from these.
public struct MethodContract: Sendable {
    /// One by-name param.
    public struct Param: Sendable {
        public var name: String
        public var schema: JSONSchema
        public var isRequired: Bool
        public var description: String

        public init(_ name: String, _ schema: JSONSchema, required: Bool = false, _ description: String) {
            self.name = name
            self.schema = schema
            self.isRequired = required
            self.description = description
        }
    }

    /// One line on what the method does.
    public var summary: String
    /// More about the params' shapes, when one line does not say it.
    public var description: String?
    /// The params, all by name.
    public var params: [Param]
    /// The schema in `components.schemas` of the whole params object, when the method takes any (it
    /// also says which params go together).
    public var paramsSchema: String?
    /// The result's name and its schema in `components.schemas`.
    public var result: (name: String, schema: String)
    /// The errors the method itself answers with, beyond the ones every method can get.
    public var errors: [EVMCSError]
    /// Notifications the method starts on the connection.
    public var notifications: [NotificationContract]

    public init(
        summary: String,
        description: String? = nil,
        params: [Param] = [],
        paramsSchema: String? = nil,
        result: (name: String, schema: String),
        errors: [EVMCSError] = [],
        notifications: [NotificationContract] = []
    ) {
        self.summary = summary
        self.description = description
        self.params = params
        self.paramsSchema = paramsSchema
        self.result = result
        self.errors = errors
        self.notifications = notifications
    }
}

/// A notification evmcsd sends, with its params' schema.
public struct NotificationContract: Sendable {
    /// The notification's method name.
    public var name: String
    /// What it means.
    public var summary: String
    /// The name of its params' schema in `components.schemas` (params are by name).
    public var paramsSchema: String

    /// `profile.changed`: what the host offers changed; params are a ``ProfileChangedEvent``.
    public static let profileChanged = NotificationContract(
        name: "profile.changed",
        summary:
            "The host's capabilities changed (kernel, microcode, KVM parameters, eVMCS, VMX views): the old and new fingerprints, what triggered the re-probe, and the changes with their features.",
        paramsSchema: "ProfileChanged"
    )

    /// Every notification.
    public static let all: [NotificationContract] = [.profileChanged]
}
