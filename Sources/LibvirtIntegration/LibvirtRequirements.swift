#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import VMXModel

/// A libvirt domain's VMX requirements: the document in evmcsd's metadata element when there
/// is one, else the CPU definition as the `-cpu` libvirt gives QEMU.
public enum LibvirtRequirements {
    /// Where the requirements came from.
    public enum Origin: String, Encodable, Sendable {
        case metadata
        case cpuDefinition = "cpu-definition"
    }

    /// The requirements, with QEMU's build details for a CPU definition.
    public struct Built: Sendable {
        public var requirements: VMRequirements
        /// For a CPU definition: the model, dropped features and warnings.
        public var qemu: QEMUCPURequirements?
        public var origin: Origin
    }

    /// Builds the requirements of `domain`.
    /// - Parameter profile: the host the VM was started on (needed for host-passthrough); without
    ///   it a CPU definition gives the requested features, unfiltered.
    /// - Throws: ``LibvirtError`` naming `source` and what is wrong.
    public static func build(_ domain: LibvirtDomainXML, profile: HostProfile?, source: String) throws(LibvirtError)
        -> Built
    {
        if let text = domain.metadataRequirements {
            do {
                return Built(requirements: try DocumentLoader.vmRequirements(from: Data(text.utf8)), origin: .metadata)
            } catch {
                throw LibvirtError(
                    .invalidMetadata,
                    "\(source): <metadata> \(LibvirtDomainXML.namespace) requirements: \(error)",
                    cause: error
                )
            }
        }
        let cpu = try spec(domain, source: source)
        do {
            let built = try QEMUCPURequirements(spec: cpu, on: profile, name: domain.name, uuid: domain.uuid)
            return Built(requirements: built.requirements, qemu: built, origin: .cpuDefinition)
        } catch where error.code == .needsProfile {
            throw LibvirtError(
                .unsupportedCPU,
                "\(source): <cpu mode='\(domain.cpuMode)'> gives the VM the source host's own VMX values: give --profile SOURCE.json (the profile of the host the VM was started on), or put a requirements document in <metadata> (evmcsctl requirements --format libvirt-metadata)",
                cause: error
            )
        } catch {
            throw LibvirtError(.unsupportedCPU, "\(source): \(error.message)", cause: error)
        }
    }

    /// The `-cpu` that libvirt builds from `<cpu>` and `<hyperv>`: `require`/`force` features
    /// on, `disable`/`forbid` off, `optional` left to the model. Only `vmx`, `vmx-*` and the
    /// CPUID features that gate VMX bits are taken (libvirt names other CPUID features its own
    /// way; they do not change VMX MSRs).
    public static func spec(_ domain: LibvirtDomainXML, source: String) throws(LibvirtError) -> QEMUCPUSpec {
        let model: String
        switch domain.cpuMode {
        case "host-passthrough": model = "host"
        case "maximum": model = "max"
        case "custom", "host-model":
            guard let named = domain.model, !named.isEmpty else {
                throw LibvirtError(
                    .unsupportedCPU,
                    "\(source): <cpu mode='\(domain.cpuMode)'> without <model>: use the live XML (virsh dumpxml of the running domain), in which libvirt has expanded the model"
                )
            }
            model = named
        default: throw LibvirtError(.unsupportedCPU, "\(source): unknown <cpu mode='\(domain.cpuMode)'>")
        }
        var settings: [QEMUCPUSpec.Setting] = []
        var unknown: [String] = []
        for feature in domain.features where QEMUCPUProperties.affectsVMX(feature.name) {
            guard QEMUCPUProperties.kind(of: feature.name) != nil else {
                unknown.append(feature.name)
                continue
            }
            switch feature.policy {
            case "require", "force": settings.append(.init(feature.name, true))
            case "disable", "forbid": settings.append(.init(feature.name, false))
            default: continue
            }
        }
        guard unknown.isEmpty else {
            throw LibvirtError(
                .unsupportedCPU,
                "\(source): unknown CPU feature\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", "))"
            )
        }
        if domain.hypervMode == "passthrough" { settings.append(.init("hv-passthrough", true)) }
        for name in ["vapic", "evmcs"] where domain.hypervMode == "custom" {
            if let on = domain.hyperv[name] { settings.append(.init("hv-" + name, on)) }
        }
        return QEMUCPUSpec(model: model, settings: settings)
    }

    /// evmcsd's metadata element for `virsh metadata DOMAIN --uri … --key evmcsd --set …`:
    /// the requirements document as compact JSON, escaped for XML.
    public static func metadataElement(_ requirements: VMRequirements) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(requirements), as: UTF8.self)
        var escaped = ""
        for character in json {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return "<\(LibvirtDomainXML.elementName)>\(escaped)</\(LibvirtDomainXML.elementName)>"
    }
}
