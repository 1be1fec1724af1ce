import EVMCSProtocol
import JSONRPC

extension JSONSchema {
    /// The schema as JSON Schema draft 7 (`$ref`s point into `#/components/schemas`).
    var jsonValue: JSONValue {
        switch self {
        case .string(let rules, let description):
            var members: [JSONValue.Member] = [.init("type", "string")]
            if let allowed = rules.allowed { members.append(.init("enum", .array(allowed.map(JSONValue.string)))) }
            if let pattern = rules.pattern { members.append(.init("pattern", .string(pattern))) }
            if let format = rules.format { members.append(.init("format", .string(format))) }
            return Self.described(members, description)
        case .integer(let minimum, let description):
            var members: [JSONValue.Member] = [.init("type", "integer")]
            if let minimum { members.append(.init("minimum", .number(JSONNumber(minimum)))) }
            return Self.described(members, description)
        case .number(let minimum, let description):
            var members: [JSONValue.Member] = [.init("type", "number")]
            if let minimum, let number = JSONNumber(double: minimum) { members.append(.init("minimum", .number(number))) }
            return Self.described(members, description)
        case .boolean(let description):
            return Self.described([.init("type", "boolean")], description)
        case .array(let items, let description):
            return Self.described([.init("type", "array"), .init("items", items.jsonValue)], description)
        case .object(let properties, let closed, let description):
            var members: [JSONValue.Member] = [
                .init("type", "object"),
                .init("properties", .object(properties.map { .init($0.name, $0.schema.jsonValue) })),
            ]
            // Always stated, empty too: a client can tell "every member optional" from "not described".
            members.append(.init("required", .array(properties.filter(\.isRequired).map { .string($0.name) })))
            if closed { members.append(.init("additionalProperties", false)) }
            return Self.described(members, description)
        case .map(let values, let keyPattern, let description):
            var members: [JSONValue.Member] = [.init("type", "object"), .init("additionalProperties", values.jsonValue)]
            if let keyPattern {
                members.append(.init("propertyNames", .object([.init("pattern", .string(keyPattern))])))
            }
            return Self.described(members, description)
        case .nullable(let wrapped):
            return .object([.init("oneOf", .array([wrapped.jsonValue, .object([.init("type", "null")])]))])
        case .oneOf(let choices, let description):
            return Self.described([.init("oneOf", .array(choices.map(\.jsonValue)))], description)
        case .reference(let name):
            return .object([.init("$ref", .string("#/components/schemas/\(name)"))])
        case .anyValue(let description):
            return Self.described([], description)
        }
    }

    private static func described(_ members: [JSONValue.Member], _ description: String?) -> JSONValue {
        guard let description else { return .object(members) }
        return .object(members + [.init("description", .string(description))])
    }
}
