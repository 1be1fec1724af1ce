/// What one host's KVM offers nested guests, as measured by the probe or written by hand:
/// the `evmcsd.host-profile/1` document (Docs/documents.md).
///
/// Every section is optional so that minimal hand-written profiles are accepted:
///
/// ```json
/// {"schema": "evmcsd.host-profile/1",
///  "kernel": {"release": "6.8.0-45-generic"}, "cpu": {"vendor": "GenuineIntel"},
///  "kvm": {"capabilities": {"HYPERV_ENLIGHTENED_VMCS": 1, "NESTED_STATE": 16384}},
///  "evmcs": {"versionLow": 1, "versionHigh": 1},
///  "vmx": {"system": {"0x48d": "0x0000007f00000016"}}}
/// ```
public struct HostProfile: Codable, Hashable, Sendable {
    /// The schema identifier this type reads and writes.
    public static let schema = "evmcsd.host-profile/1"

    public var schema: String = HostProfile.schema
    /// Hand-given or probed name of the host, used in pools and verdicts.
    public var host: Host?
    /// RFC 3339 time the profile was produced.
    public var generatedAt: String?
    /// What produced the profile (`evmcsd 0.1.0`, `hand-written`, `raw dump vmxcaps-6500`).
    public var generator: String?
    public var kernel: Kernel?
    public var cpu: CPU?
    public var kvm: KVM?
    public var evmcs: EVMCS?
    public var vmx: VMXViews?
    public var warnings: [Warning]?
    public var probe: ProbeReport?
    /// `sha256:` + hex digest of the capability-relevant content (``Fingerprint``).
    public var fingerprint: String?

    public init() {}

    public struct Host: Codable, Hashable, Sendable {
        public var name: String?
        public var bootId: String?
        public init(name: String? = nil, bootId: String? = nil) {
            self.name = name
            self.bootId = bootId
        }
    }

    public struct Kernel: Codable, Hashable, Sendable {
        /// `uname -r`, e.g. `6.8.0-45-generic`.
        public var release: String?
        /// `uname -v`: names the upstream base on Debian (`#1 SMP Debian 5.10.209-2 (2024-01-31)`).
        public var version: String?
        /// `/proc/version_signature`, where present (Ubuntu: `Ubuntu 5.15.0-91.101-generic 5.15.131`).
        public var versionSignature: String?
        /// Declares the eVMCS era, overriding the one the kernel's identity gives (for vendor
        /// kernels with backports). A measured guest view still takes precedence.
        public var evmcsEra: EVMCSEra?
        public init(
            release: String? = nil,
            version: String? = nil,
            versionSignature: String? = nil,
            evmcsEra: EVMCSEra? = nil
        ) {
            self.release = release
            self.version = version
            self.versionSignature = versionSignature
            self.evmcsEra = evmcsEra
        }
    }

    /// The CPU as /proc/cpuinfo describes its first processor (x86 field names); the probe reads
    /// it as `CPUIdentity`.
    public struct CPU: Codable, Hashable, Sendable {
        /// `vendor_id`, the CPUID vendor string: `GenuineIntel`, `AuthenticAMD`, …
        public var vendor: String?
        /// `cpu family` (decimal).
        public var family: Int?
        /// `model` (decimal).
        public var model: Int?
        /// `stepping` (decimal).
        public var stepping: Int?
        /// `microcode`, the revision exactly as /proc/cpuinfo prints it, e.g. `0x2b000603`.
        public var microcode: String?
        /// `model name`.
        public var modelName: String?

        /// Creates a CPU description; every field is optional because other architectures print
        /// other fields and hand-written profiles give what they know.
        public init(
            vendor: String? = nil,
            family: Int? = nil,
            model: Int? = nil,
            stepping: Int? = nil,
            microcode: String? = nil,
            modelName: String? = nil
        ) {
            self.vendor = vendor
            self.family = family
            self.model = model
            self.stepping = stepping
            self.microcode = microcode
            self.modelName = modelName
        }
    }

    public struct KVM: Codable, Hashable, Sendable {
        /// How the KVM facts were obtained (unavailable: no /dev/kvm, permission denied…).
        public var obtained: Provenance?
        public var device: Device?
        /// KVM_GET_API_VERSION (12 on every kernel since 2.6.22).
        public var apiVersion: Int?
        /// KVM_CHECK_EXTENSION results by linux/kvm.h name without `KVM_CAP_`.
        public var capabilities: [String: Int]?
        /// Module parameters: module name → parameter → value as read from sysfs.
        public var parameters: [String: [String: String]]?
        /// KVM_GET_MSR_FEATURE_INDEX_LIST indices with their system KVM_GET_MSRS values.
        public var featureMSRs: MSRValues?
        /// A summary of KVM_GET_SUPPORTED_CPUID.
        public var supportedCPUID: CPUIDSummary?
        /// The system KVM_GET_SUPPORTED_HV_CPUID leaves (KVM_CAP_SYS_HYPERV_CPUID, 5.11+).
        public var hypervCPUID: [CPUIDLeaf]?
        /// The vCPU KVM_GET_SUPPORTED_HV_CPUID leaves after enabling eVMCS on that vCPU: only
        /// these carry the eVMCS version in 0x4000000A EAX (the system ioctl has no vCPU).
        public var hypervCPUIDVCPU: [CPUIDLeaf]?
        public init() {}
    }

    /// The KVM device node as the probe saw it.
    public struct Device: Codable, Hashable, Sendable {
        public var path: String
        public var present: Bool
        /// Octal permission bits, e.g. `0660`.
        public var mode: String?
        public var uid: Int?
        public var gid: Int?
        /// ctime as `seconds.nanoseconds`.
        public var ctime: String?
        /// Whether the probing process could open it read-write.
        public var readWrite: Bool?
        public init(path: String, present: Bool) {
            self.path = path
            self.present = present
        }
    }

    public struct CPUIDSummary: Codable, Hashable, Sendable {
        public var vendor: String?
        /// Leaf 1 ECX bit 5.
        public var vmx: Bool?
        /// Leaf 0x80000001 ECX bit 2.
        public var svm: Bool?
        public var leaves: Int?
        public init() {}
    }

    public struct CPUIDLeaf: Codable, Hashable, Sendable {
        public var function: String
        public var index: Int
        public var eax: String
        public var ebx: String
        public var ecx: String
        public var edx: String
        public init(function: UInt32, index: UInt32, eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
            self.function = HexNumber.formatShort(UInt64(function))
            self.index = Int(index)
            self.eax = HexNumber.formatShort(UInt64(eax))
            self.ebx = HexNumber.formatShort(UInt64(ebx))
            self.ecx = HexNumber.formatShort(UInt64(ecx))
            self.edx = HexNumber.formatShort(UInt64(edx))
        }
    }

    public struct EVMCS: Codable, Hashable, Sendable {
        /// Whether a VMM can enable eVMCS on this host.
        public var supported: Bool?
        /// Lowest supported eVMCS version (low byte of the KVM_ENABLE_CAP result).
        public var versionLow: Int?
        /// Highest supported eVMCS version (high byte).
        public var versionHigh: Int?
        /// How support was determined; the reason when unsupported.
        public var obtained: Provenance?
        /// The era whose filter this host's KVM applies, and what that rests on.
        public var effectiveEra: EffectiveEra?
        public init(supported: Bool? = nil, versionLow: Int? = nil, versionHigh: Int? = nil) {
            self.supported = supported
            self.versionLow = versionLow
            self.versionHigh = versionHigh
        }
    }

    /// The VMX capability MSRs in the views that matter (Docs/documents.md).
    public struct VMXViews: Codable, Hashable, Sendable {
        /// System KVM_GET_MSRS on /dev/kvm: KVM's `vmcs_config.nested`.
        public var system: VMXMSRSet?
        /// Host-initiated KVM_GET_MSRS on a vCPU after enabling eVMCS: what a migration saves.
        public var vcpu: VMXMSRSet?
        /// What an eVMCS guest reads with RDMSR, Hyper-V CPUID 0x4000000A.EBX bit 0 clear.
        public var guest: VMXMSRSet?
        /// The same with EBX bit 0 (PERF_GLOBAL_CTRL) set.
        public var guestPerfGlobalCtrl: VMXMSRSet?
        /// How each view was obtained, keyed by view name.
        public var obtained: [String: Provenance]?
        public init(system: VMXMSRSet? = nil) { self.system = system }
    }

    /// How the probe went: total and per-step durations, and the self-check of the
    /// guest-read mechanism.
    public struct ProbeReport: Codable, Hashable, Sendable {
        public var durationMicros: Int
        public var steps: [Step]
        /// Ordinary MSRs read both by the RDMSR guest and host-initiated on the same vCPU:
        /// proof that the guest-view mechanism reports what the guest really reads.
        public var guestReadCheck: GuestReadCheck?

        public struct Step: Codable, Hashable, Sendable {
            public var name: String
            public var micros: Int
            /// `ok`, or why the step could not complete.
            public var outcome: String
            public init(name: String, micros: Int, outcome: String = "ok") {
                self.name = name
                self.micros = micros
                self.outcome = outcome
            }
        }

        public struct GuestReadCheck: Codable, Hashable, Sendable {
            /// Indices the guest read and whose values equal the host-initiated read.
            public var matched: [String]
            /// Indices whose guest value differs from the host-initiated read.
            public var mismatched: [String]
            /// Indices that raised #GP in the guest.
            public var faulted: [String]
            /// At least one MSR compared and none mismatched.
            public var verified: Bool
            public init(matched: [String], mismatched: [String], faulted: [String]) {
                self.matched = matched
                self.mismatched = mismatched
                self.faulted = faulted
                self.verified = !matched.isEmpty && mismatched.isEmpty
            }
        }

        public init(durationMicros: Int, steps: [Step], guestReadCheck: GuestReadCheck? = nil) {
            self.durationMicros = durationMicros
            self.steps = steps
            self.guestReadCheck = guestReadCheck
        }
    }
}

// MARK: - Strict decoding (unknown fields are errors; see DocumentCoding.swift)

extension HostProfile {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case schema, host, generatedAt, generator, kernel, cpu, kvm, evmcs, vmx, warnings, probe, fingerprint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        schema = try c.decodeSchema(Self.schema, forKey: .schema)
        host = try c.decodeIfPresent(Host.self, forKey: .host)
        generatedAt = try c.decodeIfPresent(String.self, forKey: .generatedAt)
        generator = try c.decodeIfPresent(String.self, forKey: .generator)
        kernel = try c.decodeIfPresent(Kernel.self, forKey: .kernel)
        cpu = try c.decodeIfPresent(CPU.self, forKey: .cpu)
        kvm = try c.decodeIfPresent(KVM.self, forKey: .kvm)
        evmcs = try c.decodeIfPresent(EVMCS.self, forKey: .evmcs)
        vmx = try c.decodeIfPresent(VMXViews.self, forKey: .vmx)
        warnings = try c.decodeIfPresent([Warning].self, forKey: .warnings)
        probe = try c.decodeIfPresent(ProbeReport.self, forKey: .probe)
        fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint)
    }
}

extension HostProfile.Kernel {
    private enum CodingKeys: String, CodingKey, CaseIterable { case release, version, versionSignature, evmcsEra }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        release = try c.decodeIfPresent(String.self, forKey: .release)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        versionSignature = try c.decodeIfPresent(String.self, forKey: .versionSignature)
        evmcsEra = try c.decodeIfPresent(EVMCSEra.self, forKey: .evmcsEra)
    }
}

extension HostProfile.CPU {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case vendor, family, model, stepping, microcode, modelName
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        vendor = try c.decodeIfPresent(String.self, forKey: .vendor)
        family = try c.decodeIfPresent(Int.self, forKey: .family)
        model = try c.decodeIfPresent(Int.self, forKey: .model)
        stepping = try c.decodeIfPresent(Int.self, forKey: .stepping)
        microcode = try c.decodeIfPresent(String.self, forKey: .microcode)
        modelName = try c.decodeIfPresent(String.self, forKey: .modelName)
    }
}

extension HostProfile.KVM {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case obtained, device, apiVersion, capabilities, parameters, featureMSRs, supportedCPUID, hypervCPUID
        case hypervCPUIDVCPU
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        obtained = try c.decodeIfPresent(Provenance.self, forKey: .obtained)
        device = try c.decodeIfPresent(HostProfile.Device.self, forKey: .device)
        apiVersion = try c.decodeIfPresent(Int.self, forKey: .apiVersion)
        capabilities = try c.decodeIfPresent([String: Int].self, forKey: .capabilities)
        parameters = try c.decodeIfPresent([String: [String: String]].self, forKey: .parameters)
        featureMSRs = try c.decodeIfPresent(MSRValues.self, forKey: .featureMSRs)
        supportedCPUID = try c.decodeIfPresent(HostProfile.CPUIDSummary.self, forKey: .supportedCPUID)
        hypervCPUID = try c.decodeIfPresent([HostProfile.CPUIDLeaf].self, forKey: .hypervCPUID)
        hypervCPUIDVCPU = try c.decodeIfPresent([HostProfile.CPUIDLeaf].self, forKey: .hypervCPUIDVCPU)
    }
}

extension HostProfile.EVMCS {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case supported, versionLow, versionHigh, obtained, effectiveEra
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        supported = try c.decodeIfPresent(Bool.self, forKey: .supported)
        versionLow = try c.decodeIfPresent(Int.self, forKey: .versionLow)
        versionHigh = try c.decodeIfPresent(Int.self, forKey: .versionHigh)
        obtained = try c.decodeIfPresent(Provenance.self, forKey: .obtained)
        effectiveEra = try c.decodeIfPresent(EffectiveEra.self, forKey: .effectiveEra)
        for (key, version) in [(CodingKeys.versionLow, versionLow), (.versionHigh, versionHigh)] {
            if let version, !(0...255).contains(version) {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: c,
                    debugDescription: "eVMCS versions are one byte (0–255), got \(version)"
                )
            }
        }
    }
}

extension HostProfile.VMXViews {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case system, vcpu, guest, guestPerfGlobalCtrl, obtained
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        system = try c.decodeIfPresent(VMXMSRSet.self, forKey: .system)
        vcpu = try c.decodeIfPresent(VMXMSRSet.self, forKey: .vcpu)
        guest = try c.decodeIfPresent(VMXMSRSet.self, forKey: .guest)
        guestPerfGlobalCtrl = try c.decodeIfPresent(VMXMSRSet.self, forKey: .guestPerfGlobalCtrl)
        obtained = try c.decodeIfPresent([String: Provenance].self, forKey: .obtained)
    }
}
