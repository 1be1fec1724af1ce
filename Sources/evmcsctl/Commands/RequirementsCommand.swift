import ArgumentParser
import LibvirtIntegration
import VMXModel

/// `evmcsctl requirements`: the VM requirements document of a real VM — from a QEMU `-cpu`,
/// from a running QEMU over QMP, or from a libvirt domain XML.
struct RequirementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requirements",
        abstract: "Build a VM requirements document from QEMU's -cpu, a running QEMU (QMP) or libvirt domain XML.",
        discussion: """
            One source:
              evmcsctl requirements --qemu-cpu 'Skylake-Server-v4,+vmx,hv-vapic,hv-evmcs' --profile HOST.json
              evmcsctl requirements --qmp /run/vm.qmp [--profile HOST.json]
              evmcsctl requirements --libvirt-xml DOMAIN.xml|- [--profile SOURCE.json]
            --profile is the host the VM runs (or was started) on; its KVM values filter the model's
            features as QEMU does. Without it the requested features are kept unfiltered.
            Formats: json (the document), report (document, dropped features, warnings and what
            was read), text, libvirt-metadata (the element for virsh metadata DOMAIN
            --uri urn:evmcsd:vm-requirements:1 --key evmcsd --set ...).
            Warnings (features QEMU drops, as QEMU words them) go to standard error.
            """
    )

    @Option(name: .customLong("qemu-cpu"), help: "A QEMU -cpu value.")
    var qemuCPU: String?

    @Option(name: .long, help: "A running QEMU's QMP socket (-qmp unix:PATH,server,nowait).")
    var qmp: String?

    @Option(name: .customLong("libvirt-xml"), help: "A libvirt domain XML file, or - for standard input.")
    var libvirtXML: String?

    @Option(name: .long, help: "Host profile of the host the VM runs or was started on.")
    var profile: String?

    @Option(name: .long, help: "The VM's name in the document (default: from QMP/libvirt, or MODEL VM on HOST).")
    var name: String?

    @Option(name: .long, help: "Seconds to wait for QEMU over QMP.")
    var timeout: Double = 5

    @Option(name: .long, help: "json, report, text or libvirt-metadata.")
    var format: RequirementsFormat = .json

    func validate() throws {
        guard [qemuCPU, qmp, libvirtXML].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --qemu-cpu, --qmp, --libvirt-xml")
        }
    }

    func run() throws {
        let host = try profile.map(DocumentFiles.hostProfile)
        var report = RequirementsReport()
        if let qemuCPU {
            do {
                let built = try QEMUCPURequirements(qemuCPU: qemuCPU, on: host, name: name)
                report.record(built)
            } catch {
                throw CommandFailure("-cpu \(qemuCPU): \(error.message)")
            }
        } else if let qmp {
            let read: QMPCPUReport
            do {
                read = try QMPCPUReader.read(path: qmp, timeout: timeout)
            } catch {
                throw CommandFailure(error.message, code: .daemonUnavailable, cause: error)
            }
            do {
                report.record(try QEMUCPURequirements(spec: read.spec, on: host, name: name ?? read.name, uuid: read.uuid))
            } catch {
                throw CommandFailure("\(qmp): \(read.type): \(error.message)")
            }
            report.qmp = read
        } else if let libvirtXML {
            let data = libvirtXML == "-" ? try DocumentFiles.standardInput() : try DocumentFiles.data(libvirtXML)
            do {
                let source = libvirtXML == "-" ? "standard input" : libvirtXML
                let built = try LibvirtRequirements.build(
                    LibvirtDomainXML(xml: Array(data), source: source),
                    profile: host,
                    source: source
                )
                if let qemu = built.qemu { report.record(qemu) } else { report.requirements = built.requirements }
                report.origin = built.origin
            } catch {
                throw CommandFailure(error.message)
            }
            if let name { report.requirements?.name = name }
        }
        try report.print(format)
    }
}

/// `--format` of `evmcsctl requirements`.
enum RequirementsFormat: String, ExpressibleByArgument, CaseIterable {
    case json, report, text
    case libvirtMetadata = "libvirt-metadata"
}

/// What `evmcsctl requirements --format report` prints.
struct RequirementsReport: Encodable {
    var requirements: VMRequirements?
    /// The resolved QEMU model (`Skylake-Server-v4`, `host`).
    var model: String?
    var dropped: [String] = []
    var warnings: [Warning] = []
    /// For libvirt XML: `metadata` or `cpu-definition`.
    var origin: LibvirtRequirements.Origin?
    /// For QMP: what the running QEMU reported.
    var qmp: QMPCPUReport?

    mutating func record(_ built: QEMUCPURequirements) {
        requirements = built.requirements
        model = built.model
        dropped = built.dropped
        warnings = built.warnings
    }

    func print(_ format: RequirementsFormat) throws {
        guard let requirements else { return }
        if format != .report {
            for warning in warnings { TerminalStyle.standardError.print("warning: \(warning.message)") }
        }
        switch format {
        case .json: try JSONOutput.print(requirements)
        case .report: try JSONOutput.print(self)
        case .libvirtMetadata: TerminalStyle.standardOutput.print(try LibvirtRequirements.metadataElement(requirements))
        case .text:
            let out = TerminalStyle.standardOutput
            out.print(out.bold(requirements.name ?? "VM") + (model.map { " (\($0))" } ?? ""))
            out.print("  eVMCS \(requirements.evmcs.enabled ? "on (version \(requirements.evmcs.version))" : "off"), nested state \(requirements.nestedState ? "migrates" : "not needed")")
            let on = VMXDecoder.decode(requirements.vmx).features.filter { $0.state.isAvailable }.map(\.name)
            out.print("  \(on.count) VMX features: \(on.joined(separator: " "))")
            for label in dropped { out.print("  dropped: \(label)") }
        }
    }
}
