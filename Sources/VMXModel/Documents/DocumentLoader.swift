import JSONCore

/// A parsed document of any kind evmcsd reads.
public enum Document: Sendable {
    case hostProfile(HostProfile)
    case vmRequirements(VMRequirements)
}

/// Reads JSON documents, identifies them by their `schema`, and reports every problem as a
/// ``DocumentError`` with the path of the bad field.
///
/// Besides the two schemas it accepts raw VMX MSR dumps — `{"msrs": {"0x480": "0x…"}, …}` as
/// in `rdmsr`-style collections — as a host profile whose system view is the dump.
public enum DocumentLoader {
    /// Parses a host profile, a VM requirements document or a raw MSR dump (`[UInt8]`, `Data`, …): one parse by
    /// the strict parser, then decoding from the tree.
    public static func load(_ bytes: some Collection<UInt8>) throws(DocumentError) -> Document {
        let tree: JSONValue
        do {
            tree = try JSONParser().parse(bytes)
        } catch {
            throw DocumentError(.notJSON, path: "$", message: "not valid JSON (\(error))", cause: error)
        }
        let header = try decode(Header.self, from: tree)
        switch header.schema {
        case HostProfile.schema?:
            return .hostProfile(try decode(HostProfile.self, from: tree))
        case VMRequirements.schema?:
            return .vmRequirements(try decode(VMRequirements.self, from: tree))
        case let schema?:
            throw DocumentError(.unsupportedSchema, path: "schema", message: unsupportedSchemaMessage(schema))
        case nil where header.hasMSRs:
            return .hostProfile(try decode(RawMSRDump.self, from: tree).hostProfile)
        case nil:
            throw DocumentError(
                .unsupportedSchema,
                path: "schema",
                message:
                    "missing \"schema\" (expected \"\(HostProfile.schema)\" or \"\(VMRequirements.schema)\", or a raw dump with \"msrs\")"
            )
        }
    }

    /// Parses a host profile or a raw MSR dump.
    public static func hostProfile(from bytes: some Collection<UInt8>) throws(DocumentError) -> HostProfile {
        switch try load(bytes) {
        case .hostProfile(let profile): return profile
        case .vmRequirements:
            throw DocumentError(.wrongDocument, path: "schema", message: "expected a host profile, got a VM requirements document")
        }
    }

    /// Parses a VM requirements document.
    public static func vmRequirements(from bytes: some Collection<UInt8>) throws(DocumentError) -> VMRequirements {
        switch try load(bytes) {
        case .vmRequirements(let requirements): return requirements
        case .hostProfile:
            throw DocumentError(.wrongDocument, path: "schema", message: "expected a VM requirements document, got a host profile")
        }
    }

    /// Decodes `type` from a parsed tree, mapping every failure to a ``DocumentError``.
    public static func decode<T: Decodable>(_ type: T.Type, from tree: JSONValue, pathPrefix: String = "")
        throws(DocumentError) -> T
    {
        do {
            return try JSONValueDecoder().decode(type, from: tree)
        } catch let error as DecodingError {
            throw DocumentError(error, prefix: pathPrefix)
        } catch {
            throw DocumentError(.invalidField, path: pathPrefix.isEmpty ? "$" : pathPrefix, message: "\(error)", cause: error)
        }
    }

    static func unsupportedSchemaMessage(_ schema: String) -> String {
        let known = [HostProfile.schema, VMRequirements.schema]
        if let family = known.first(where: { schema.hasPrefix($0.dropLast(1)) && schema != $0 }) {
            return "unsupported schema version \"\(schema)\" (this build reads \"\(family)\")"
        }
        return "unknown schema \"\(schema)\" (expected one of \(known.map { "\"\($0)\"" }.joined(separator: ", ")))"
    }

    /// Just enough of any document to tell its kind.
    private struct Header: Decodable {
        var schema: String?
        var hasMSRs: Bool

        private enum CodingKeys: String, CodingKey { case schema, msrs }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            schema = try c.decodeIfPresent(String.self, forKey: .schema)
            hasMSRs = c.contains(.msrs)
        }
    }
}

/// A raw dump of VMX capability MSRs (the fixtures' format): `id`, `cpu`, `context`, `msrs`.
struct RawMSRDump: Decodable {
    var id: String?
    var cpu: String?
    var context: String?
    var msrs: MSRValues

    var hostProfile: HostProfile {
        var profile = HostProfile()
        profile.host = HostProfile.Host(name: id)
        profile.generator = "raw MSR dump" + (id.map { " \($0)" } ?? "")
        var cpuInfo = HostProfile.CPU(vendor: HostProfile.intelVendor)
        cpuInfo.modelName = cpu
        profile.cpu = cpuInfo
        profile.vmx = HostProfile.VMXViews(system: msrs.vmx)
        profile.vmx?[provenanceOf: .system] = Provenance(.recorded)
        var warnings = [
            Warning(
                code: "raw-dump",
                message:
                    "raw MSR dump: no kernel release or KVM capabilities; eVMCS support and the guest view are unknown unless given"
            )
        ]
        if context == "bare-metal" {
            warnings.append(
                Warning(
                    code: "bare-metal-values",
                    message:
                        "values are hardware capabilities, not KVM's nested view (KVM reports revision 0x11e57ed0 and a subset of controls)"
                )
            )
        }
        profile.warnings = warnings
        return profile
    }
}
