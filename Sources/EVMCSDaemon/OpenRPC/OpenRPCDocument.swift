import EVMCSProtocol
import JSONRPC
import VMXModel

/// The OpenRPC 1.3 description of evmcsd's API, served by `rpc.discover` and kept in
/// Docs/openrpc.json (`evmcsd --print-openrpc`; a test checks the file is current).
public enum OpenRPCDocument {
    /// The document as a JSON value.
    public static func make() -> JSONValue {
        .object([
            .init("openrpc", "1.3.2"),
            .init(
                "info",
                .object([
                    .init("title", "evmcsd"),
                    .init("version", .string(EVMCSVersion.current)),
                    .init(
                        "description",
                        "KVM nested/eVMCS capabilities of this host and compatibility verdicts. JSON-RPC 2.0, one JSON text per line, on a Unix stream socket."
                    ),
                ])
            ),
            .init("methods", .array(EVMCSMethod.allCases.map(method))),
            .init("x-notifications", .array(NotificationContract.all.map(notification))),
            .init("components", .object([.init("schemas", schemas), .init("errors", errors)])),
        ])
    }

    // MARK: Methods

    private static func method(_ method: EVMCSMethod) -> JSONValue {
        let contract = method.contract
        var members: [JSONValue.Member] = [
            .init("name", .string(method.rawValue)),
            .init("summary", .string(contract.summary)),
        ]
        if let description = contract.description { members.append(.init("description", .string(description))) }
        members += [
            .init("paramStructure", "by-name"),
            .init("params", .array(contract.params.map(param))),
            .init(
                "result",
                .object([
                    .init("name", .string(contract.result.name)),
                    .init("schema", JSONSchema.ref(contract.result.schema).jsonValue),
                ])
            ),
            .init("errors", .array((contract.errors + EVMCSMethod.commonErrors).map(errorReference))),
        ]
        if let paramsSchema = contract.paramsSchema {
            members.append(.init("x-params-schema", JSONSchema.ref(paramsSchema).jsonValue))
        }
        if method.requiresAdmin { members.append(.init("x-admin", true)) }
        if !contract.notifications.isEmpty {
            members.append(.init("x-notifications", .array(contract.notifications.map { .string($0.name) })))
        }
        return .object(members)
    }

    private static func param(_ param: MethodContract.Param) -> JSONValue {
        .object([
            .init("name", .string(param.name)),
            .init("description", .string(param.description)),
            .init("required", .bool(param.isRequired)),
            .init("schema", param.schema.jsonValue),
        ])
    }

    private static func errorReference(_ error: EVMCSError) -> JSONValue {
        .object([.init("$ref", .string("#/components/errors/\(error.componentName)"))])
    }

    /// Server-sent notifications, by the `x-notifications` extension: OpenRPC 1.3 has no
    /// notification object, so each is written as a method object without a result. Its params are
    /// by name, one per member of the params object's schema, and `x-params-schema` names that
    /// whole object; the methods that start notifications name them in their own `x-notifications`.
    private static func notification(_ notification: NotificationContract) -> JSONValue {
        var params: [JSONValue] = []
        let schema = EVMCSSchemas.components.first { $0.name == notification.paramsSchema }?.schema
        if case .object(let properties, _, _)? = schema {
            params = properties.map { property in
                .object([
                    .init("name", .string(property.name)),
                    .init("required", .bool(property.isRequired)),
                    .init("schema", property.schema.jsonValue),
                ])
            }
        }
        return .object([
            .init("name", .string(notification.name)),
            .init("summary", .string(notification.summary)),
            .init("paramStructure", "by-name"),
            .init("params", .array(params)),
            .init("x-params-schema", JSONSchema.ref(notification.paramsSchema).jsonValue),
        ])
    }

    // MARK: Components

    private static var schemas: JSONValue {
        .object(EVMCSSchemas.components.map { .init($0.name, $0.schema.jsonValue) })
    }

    private static var errors: JSONValue {
        .object(
            EVMCSError.allCases.map { error in
                .init(
                    error.componentName,
                    .object([
                        .init("code", .number(JSONNumber(error.code))),
                        .init("message", .string(error.message)),
                        .init("x-description", .string(error.explanation)),
                    ])
                )
            }
        )
    }
}
