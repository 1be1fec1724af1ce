/// A QEMU `-cpu` option parsed: the model and its property settings.
///
/// Accepts QEMU's syntaxes: `model,feat=on|off` (also `true/false`, `yes/no`), a bare `feat`
/// (on), and the legacy `+feat`/`-feat`. As in QEMU (`x86_cpu_parse_featurestr()`), the
/// `feat=value` settings apply first, in order, then every `+feat`, then every `-feat`, so a
/// `-feat` always wins.
///
/// ```swift
/// let spec = try QEMUCPUSpec(parsing: "Skylake-Server-v4,+vmx,hv-evmcs,-vmx-posted-intr")
/// spec.model     // "Skylake-Server-v4"
/// spec.settings  // [vmx on, hv-evmcs on, vmx-posted-intr off] (QEMU's order)
/// ```
public struct QEMUCPUSpec: Hashable, Sendable {
    /// One boolean property setting.
    public struct Setting: Hashable, Sendable {
        /// The property, normalized (`vmx-posted-intr`).
        public var name: String
        public var on: Bool

        public init(_ name: String, _ on: Bool) {
            self.name = name
            self.on = on
        }
    }

    /// The model name as given (`Skylake-Server-v4`, `host`, `max`).
    public var model: String
    /// Boolean settings in the order QEMU applies them.
    public var settings: [Setting]
    /// Whether `enforce` is set: QEMU then refuses to start when the host lacks a feature.
    public var enforce: Bool

    public init(model: String, settings: [Setting] = [], enforce: Bool = false) {
        self.model = model
        self.settings = settings
        self.enforce = enforce
    }

    /// The `hv-*` properties that take a value rather than on/off.
    static let valuedProperties: Set<String> = [
        "hv-spinlocks", "hv-vendor-id", "hv-version-id-build", "hv-version-id-major", "hv-version-id-minor",
        "hv-version-id-sbranch", "hv-version-id-snumber", "hv-version-id-spack", "hv-no-nonarch-coresharing",
    ]

    /// Parses a `-cpu` value.
    /// - Throws: ``QEMUCPUError`` for an empty model, a malformed setting, or properties QEMU's
    ///   x86 CPUs do not have (all of them named in one message).
    public init(parsing text: String) throws(QEMUCPUError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let model = parts.first?.trimmingSpaces, !model.isEmpty else {
            throw QEMUCPUError(.malformed, "empty -cpu model in \"\(text)\"")
        }
        var assigned: [Setting] = []
        var plus: [Setting] = []
        var minus: [Setting] = []
        var unknown: [String] = []
        var enforce = false
        for part in parts.dropFirst() {
            let item = part.trimmingSpaces
            guard !item.isEmpty else { throw QEMUCPUError(.malformed, "empty property in -cpu \"\(text)\"") }
            let (name, value) = Self.split(item)
            let property = QEMUCPUProperties.normalized(name)
            guard let kind = QEMUCPUProperties.kind(of: property) else {
                unknown.append(property)
                continue
            }
            if property == "enforce" { enforce = value.flatMap(Self.boolean) ?? true }
            let takesValue: Bool
            switch kind {
            case .vmxFlag, .vmx: takesValue = false
            case .hyperV: takesValue = Self.valuedProperties.contains(property)
            case .other: takesValue = QEMUCPUProperties.cpuidGates[property] == nil
            }
            if item.hasPrefix("+") || item.hasPrefix("-") {
                guard value == nil, !takesValue || kind == .other else {
                    throw QEMUCPUError(.malformed, "\"\(item)\": +feat/-feat takes no value")
                }
                (item.hasPrefix("+") ? { plus.append($0) } : { minus.append($0) })(Setting(property, item.hasPrefix("+")))
                continue
            }
            guard !takesValue else { continue }
            guard let on = value.map(Self.boolean) ?? true else {
                throw QEMUCPUError(.malformed, "\"\(item)\": \(property) is on or off, not \"\(value ?? "")\"")
            }
            assigned.append(Setting(property, on))
        }
        guard unknown.isEmpty else {
            throw QEMUCPUError(
                .unknownFeatures,
                "unknown CPU feature\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) (not properties of QEMU's x86 CPUs)"
            )
        }
        self.init(model: model, settings: assigned + plus + minus, enforce: enforce)
    }

    private static func split(_ item: String) -> (String, String?) {
        var body = Substring(item)
        if body.hasPrefix("+") || body.hasPrefix("-") { body = body.dropFirst() }
        guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<equals]), String(body[body.index(after: equals)...]))
    }

    /// QEMU's boolean spellings (`qapi_bool_parse()`).
    static func boolean(_ value: String) -> Bool? {
        switch value {
        case "on", "yes", "true", "y": true
        case "off", "no", "false", "n": false
        default: nil
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
