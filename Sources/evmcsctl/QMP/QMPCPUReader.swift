import JSONRPC
import VMXModel

/// What a running QEMU says about its vCPUs and itself, read over QMP.
struct QMPCPUReport: Encodable {
    /// The QEMU version from the greeting.
    var qemuVersion: String
    /// `query-name` (absent when the VM has no -name).
    var name: String?
    /// `query-uuid` (absent when QEMU reports the nil UUID).
    var uuid: String?
    /// The QOM paths of the vCPUs (`query-cpus-fast`).
    var vcpus: [String]
    /// The first vCPU's QOM type (`Skylake-Server-v4-x86_64-cpu`) and the model it names.
    var type: String
    var model: String
    /// The vCPU's `vmx`, every `vmx-*`/`hv-*` boolean property and the CPUID features that gate
    /// VMX bits (`qom-list` + `qom-get`).
    var properties: [String: Bool]

    /// The `-cpu` these properties amount to: the model with every VMX property and the
    /// eVMCS-relevant Hyper-V properties set as read.
    var spec: QEMUCPUSpec {
        let relevant = properties.filter { name, _ in
            QEMUCPUProperties.affectsVMX(name) || ["hv-evmcs", "hv-vapic", "hv-passthrough"].contains(name)
        }
        return QEMUCPUSpec(
            model: model,
            settings: relevant.keys.sorted().map { QEMUCPUSpec.Setting($0, relevant[$0]!) }
        )
    }
}

/// Reads ``QMPCPUReport`` from a QMP socket.
enum QMPCPUReader {
    static let typeSuffix = "-x86_64-cpu"

    static func read(path: String, timeout: Double) throws(QMPError) -> QMPCPUReport {
        let qmp = try QMPClient(path: path, timeout: timeout)
        guard case .array(let cpus) = try qmp.execute("query-cpus-fast"), !cpus.isEmpty else {
            throw QMPError(.notQMP, "\(path): query-cpus-fast lists no vCPU")
        }
        let paths = cpus.compactMap { $0["qom-path"]?.string }
        guard let first = paths.first else { throw QMPError(.notQMP, "\(path): query-cpus-fast gives no qom-path") }
        guard case .array(let listed) = try qmp.execute("qom-list", ["path": .string(first)]) else {
            throw QMPError(.notQMP, "\(path): qom-list \(first): not a list")
        }
        var properties: [String: Bool] = [:]
        var type = ""
        for entry in listed {
            guard let property = entry["name"]?.string else { continue }
            if property == "type" {
                type = try qmp.execute("qom-get", ["path": .string(first), "property": "type"]).string ?? ""
                continue
            }
            guard entry["type"]?.string == "bool", QEMUCPUProperties.affectsVMX(property) || property.hasPrefix("hv-")
            else { continue }
            properties[property] = try qmp.execute("qom-get", ["path": .string(first), "property": .string(property)])
                .bool
        }
        guard type.hasSuffix(typeSuffix) else {
            throw QMPError(.notQMP, "\(path): vCPU type \"\(type)\" is not an x86_64 CPU")
        }
        let name = try qmp.execute("query-name")["name"]?.string
        let uuid = try qmp.execute("query-uuid")["UUID"]?.string
        return QMPCPUReport(
            qemuVersion: qmp.version,
            name: name,
            uuid: uuid == "00000000-0000-0000-0000-000000000000" ? nil : uuid,
            vcpus: paths,
            type: type,
            model: String(type.dropLast(typeSuffix.count)),
            properties: properties
        )
    }
}
