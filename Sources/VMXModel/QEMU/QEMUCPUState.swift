/// The VMX-relevant state of a QEMU x86 CPU while its `-cpu` is applied
/// (``QEMUCPURequirements`` steps 2 and 3).
struct QEMUCPUState {
    var model: String
    var words: QEMUFeatureWords
    /// CPUID.01H:ECX.vmx.
    var vmxFlag: Bool
    var longMode: Bool
    /// The CPUID features of ``QEMUCPUProperties/cpuidGates`` that are off.
    var cpuidOff: Set<String> = []
    var evmcs = false
    var hvVAPIC = false
    var hvPassthrough = false
    /// VMX features the settings turned on (QEMU warns when a dependency clears one).
    private var requested: [VMXFeature] = []
    private(set) var warnings: [Warning] = []

    init(model: String, words: QEMUFeatureWords, vmxFlag: Bool, longMode: Bool) {
        self.model = model
        self.words = words
        self.vmxFlag = vmxFlag
        self.longMode = longMode
    }

    /// A named model's state (`vmx` off, as QEMU's models leave it).
    init(named name: String) throws(QEMUCPUError) {
        let resolved = try QEMUCPUModel.resolve(name)
        self.init(model: resolved.versionedName, words: resolved.vmx, vmxFlag: false, longMode: resolved.model.longMode)
        cpuidOff = Set(resolved.model.cpuidOff)
    }


    /// Steps 2 and 3: the settings in order, then the dependencies.
    mutating func configure(_ settings: [QEMUCPUSpec.Setting]) {
        apply(settings)
        applyDependencies()
    }

    /// Applies the settings in order.
    private mutating func apply(_ settings: [QEMUCPUSpec.Setting]) {
        for setting in settings {
            switch QEMUCPUProperties.kind(of: setting.name) {
            case .vmxFlag: vmxFlag = setting.on
            case .vmx(let features):
                for feature in features {
                    words.set(feature, setting.on)
                    requested.removeAll { $0 == feature }
                    if setting.on { requested.append(feature) }
                }
            case .hyperV:
                switch setting.name {
                case "hv-evmcs": evmcs = setting.on
                case "hv-vapic": hvVAPIC = setting.on
                case "hv-passthrough": hvPassthrough = setting.on
                default: break
                }
            case .other where QEMUCPUProperties.cpuidGates[setting.name] != nil:
                if setting.on { cpuidOff.remove(setting.name) } else { cpuidOff.insert(setting.name) }
            case .other, nil: break
            }
        }
    }

    /// The VMX part of QEMU's `feature_dependencies` table, in its order.
    private mutating func applyDependencies() {
        let dependencies: [(from: String, group: VMXFeatureGroup, mask: UInt64)] = [
            ("vmx-secondary-ctls", .secondaryProcBased, ~0),
            ("vmx-ept", .eptVPID, 0xFFFF_FFFF),
            ("vmx-ept", .secondaryProcBased, 1 << 7),
            ("vmx-vpid", .eptVPID, 0xFFFF_FFFF << 32),
            ("vmx-vmfunc", .vmFunctions, ~0),
        ]
        if !vmxFlag {
            if !words.isEmpty && requested.isEmpty {
                warnings.append(
                    Warning(
                        code: "vmx-off",
                        message:
                            "CPUID vmx is off (QEMU's named models leave it off; add +vmx): the VM has no nested VMX and the model's vmx-* features are cleared"
                    )
                )
            }
            clear(QEMUFeatureWords.groups.map { ($0, ~0) }, because: "vmx (CPUID.01H:ECX.vmx [bit 5])")
            return
        }
        if !longMode { clear([(.entry, 1 << 9)], because: "lm (the model is 32-bit)") }
        for (cpuid, names) in QEMUCPUProperties.cpuidGates.sorted(by: { $0.key < $1.key }) where cpuidOff.contains(cpuid) {
            let features = names.compactMap(VMXCatalog.feature(named:))
            clear(features.map { ($0.group, 1 << UInt64($0.bit)) }, because: "CPUID \(cpuid)")
        }
        for dependency in dependencies {
            guard let feature = VMXCatalog.feature(named: dependency.from), !words.contains(feature) else { continue }
            clear([(dependency.group, dependency.mask)], because: dependency.from)
        }
    }

    private mutating func clear(_ masks: [(VMXFeatureGroup, UInt64)], because missing: String) {
        var lost: [String] = []
        for (group, mask) in masks {
            for feature in requested where feature.group == group && mask & (1 << UInt64(feature.bit)) != 0 {
                lost.append(feature.name)
            }
            words[group] &= ~mask
        }
        requested.removeAll { lost.contains($0.name) }
        if !lost.isEmpty {
            warnings.append(
                Warning(
                    code: "qemu-dependency-cleared",
                    message: "\(lost.joined(separator: ", ")) depend\(lost.count == 1 ? "s" : "") on \(missing), which is off: QEMU clears \(lost.count == 1 ? "it" : "them")"
                )
            )
        }
    }
}
