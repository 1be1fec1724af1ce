import EVMCSProtocol
import Foundation

/// The schemas as the OpenRPC document renders them, and `Tools/validate-json-schema.py` over a
/// directory of answers: the answers are held to the very document `rpc.discover` serves.
enum SchemaJSON {
    /// The OpenRPC document of the `evmcsd` binary under test (`evmcsd --print-openrpc`).
    static func componentsDocument() throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary)
        process.arguments = ["--print-openrpc"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "evmcsd --print-openrpc failed"])
        }
        return data
    }

    /// Every schema name `schema` refers to.
    static func references(in schema: JSONSchema) -> [String] {
        switch schema {
        case .string, .integer, .number, .boolean, .anyValue: []
        case .array(let items, _): references(in: items)
        case .object(let properties, _, _): properties.flatMap { references(in: $0.schema) }
        case .map(let values, _, _): references(in: values)
        case .nullable(let wrapped): references(in: wrapped)
        case .oneOf(let choices, _): choices.flatMap(references(in:))
        case .reference(let name): [name]
        }
    }
}

/// A directory of answers, each named after the schema it must match, checked by the script.
final class AnswerDirectory {
    let url = URL(fileURLWithPath: "/tmp/evmcsd-schema-answers-\(UUID().uuidString.prefix(8))")
    private(set) var count = 0

    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }

    /// Kept for inspection when EVMCSD_KEEP_SCHEMA_ANSWERS is set.
    deinit {
        if ProcessInfo.processInfo.environment["EVMCSD_KEEP_SCHEMA_ANSWERS"] == nil {
            try? FileManager.default.removeItem(at: url)
        } else {
            print("schema answers kept in \(url.path)")
        }
    }

    /// Keeps `json` (a raw JSON-RPC line, or a bare instance) as an instance of `schema`.
    func keep(_ json: String, as schema: String, _ label: String) throws {
        count += 1
        let name =
            "\(schema)--\(String(format: "%03d", count))-\(label.filter { $0.isLetter || $0.isNumber || $0 == "-" }).json"
        try json.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Runs `python3 Tools/validate-json-schema.py` on the rendered components and this directory;
    /// the script's output and whether it found nothing wrong.
    func validate() throws -> (passed: Bool, output: String) {
        let schemas = url.appendingPathComponent("schemas.json.txt")
        try SchemaJSON.componentsDocument().write(to: schemas)
        let script = DaemonProcess.repositoryRoot.appendingPathComponent("Tools/validate-json-schema.py").path
        let probe = Self.run(["python3", "-c", "import jsonschema"])
        guard probe.status == 0 else {
            return (
                false,
                "python3 with the jsonschema module is needed to check the answers (apt-get install python3 python3-jsonschema): \(probe.output)"
            )
        }
        let result = Self.run(["python3", script, schemas.path, url.path])
        return (result.status == 0, result.output)
    }

    private static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (127, "cannot run \(arguments[0]): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
