/// A JSON Schema (draft 7, the dialect OpenRPC 1.3 uses), as far as evmcsd's contract needs one:
/// what the OpenRPC document says about every param and result, and what a test holds every
/// live answer to.
///
/// Objects are closed by default (`additionalProperties: false`): an answer with a member the
/// contract does not name is drift, and a test fails on it.
///
/// ```swift
/// let status: JSONSchema = .object(
///     "daemon.status result.",
///     [
///         .required("pid", .integer(minimum: 1)),
///         .optional("note", .string("Why the cache is in this state.")),
///     ]
/// )
/// ```
public indirect enum JSONSchema: Sendable, Equatable {
    /// A string, optionally restricted.
    case string(StringRules, description: String?)
    /// An integer, with an optional lower bound.
    case integer(minimum: Int?, description: String?)
    /// A number (integer or fraction), with an optional lower bound.
    case number(minimum: Double?, description: String?)
    /// `true` or `false`.
    case boolean(description: String?)
    /// An array of `items`.
    case array(items: JSONSchema, description: String?)
    /// An object with these members; `closed` forbids any other member.
    case object(properties: [Property], closed: Bool, description: String?)
    /// An object used as a map: any member name matching `keyPattern` (all when `nil`), each value a `values`.
    case map(values: JSONSchema, keyPattern: String?, description: String?)
    /// `null` or the wrapped schema.
    case nullable(JSONSchema)
    /// Exactly one of these.
    case oneOf([JSONSchema], description: String?)
    /// A schema of the document's `components.schemas`, by name.
    case reference(String)
    /// Any JSON value.
    case anyValue(description: String?)

    /// What a string must be.
    public struct StringRules: Sendable, Equatable {
        /// The only values allowed.
        public var allowed: [String]?
        /// A regular expression (ECMA 262) the value must match.
        public var pattern: String?
        /// A JSON Schema format (`date-time`).
        public var format: String?

        /// Creates rules; none of them is required.
        public init(allowed: [String]? = nil, pattern: String? = nil, format: String? = nil) {
            self.allowed = allowed
            self.pattern = pattern
            self.format = format
        }
    }

    /// One member of an object schema.
    public struct Property: Sendable, Equatable {
        /// The member name.
        public var name: String
        /// The member's schema.
        public var schema: JSONSchema
        /// Whether every instance has the member.
        public var isRequired: Bool

        /// A member every instance has.
        public static func required(_ name: String, _ schema: JSONSchema) -> Property {
            Property(name: name, schema: schema, isRequired: true)
        }

        /// A member an instance may leave out.
        public static func optional(_ name: String, _ schema: JSONSchema) -> Property {
            Property(name: name, schema: schema, isRequired: false)
        }
    }
}

extension JSONSchema {
    /// Any string.
    public static func string(_ description: String? = nil) -> JSONSchema {
        .string(StringRules(), description: description)
    }

    /// One of `values`.
    public static func oneOf(_ values: [String], _ description: String? = nil) -> JSONSchema {
        .string(StringRules(allowed: values), description: description)
    }

    /// Exactly `value` (a document's `schema` member, say).
    public static func constant(_ value: String, _ description: String? = nil) -> JSONSchema {
        .string(StringRules(allowed: [value]), description: description)
    }

    /// A string matching `pattern`.
    public static func matching(_ pattern: String, _ description: String? = nil) -> JSONSchema {
        .string(StringRules(pattern: pattern), description: description)
    }

    /// An RFC 3339 time.
    public static func dateTime(_ description: String? = nil) -> JSONSchema {
        .string(StringRules(format: "date-time"), description: description)
    }

    /// An integer.
    public static func integer(minimum: Int? = nil, _ description: String? = nil) -> JSONSchema {
        .integer(minimum: minimum, description: description)
    }

    /// A number.
    public static func number(minimum: Double? = nil, _ description: String? = nil) -> JSONSchema {
        .number(minimum: minimum, description: description)
    }

    /// A boolean.
    public static func boolean(_ description: String? = nil) -> JSONSchema {
        .boolean(description: description)
    }

    /// An array of `items`.
    public static func array(_ items: JSONSchema, _ description: String? = nil) -> JSONSchema {
        .array(items: items, description: description)
    }

    /// A closed object: only these members.
    public static func object(_ description: String? = nil, _ properties: [Property]) -> JSONSchema {
        .object(properties: properties, closed: true, description: description)
    }

    /// An object used as a map from names (matching `keys`, when given) to `values`.
    public static func map(_ values: JSONSchema, keys: String? = nil, _ description: String? = nil) -> JSONSchema {
        .map(values: values, keyPattern: keys, description: description)
    }

    /// A schema of `components.schemas`.
    public static func ref(_ name: String) -> JSONSchema { .reference(name) }

    /// Patterns shared by the contract.
    public enum Pattern {
        /// An MSR index as evmcsd writes it: `0x480`.
        public static let msrIndex = "^0x[0-9a-f]+$"
        /// A 64-bit value as evmcsd writes it: `0x00ff00ff00000016`.
        public static let hex64 = "^0x[0-9a-f]{16}$"
        /// A capability fingerprint: `sha256:` and 64 hex digits.
        public static let fingerprint = "^sha256:[0-9a-f]{64}$"
    }
}
