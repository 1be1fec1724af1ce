/// What a VM needs from a host it runs on or moves to: the `evmcsd.vm-requirements/1`
/// document (Docs/documents.md).
///
/// ```json
/// {"schema": "evmcsd.vm-requirements/1",
///  "evmcs": {"enabled": true, "version": 1, "perfGlobalCtrl": false},
///  "vmx": {"0x48d": "0x0000007f00000016"},
///  "nestedState": true}
/// ```
public struct VMRequirements: Codable, Hashable, Sendable {
    /// The schema identifier this type reads and writes.
    public static let schema = "evmcsd.vm-requirements/1"

    public var schema: String = VMRequirements.schema
    /// A name for humans.
    public var name: String?
    /// The VM's UUID, when its source knows it (QEMU `query-uuid`, libvirt `<uuid>`).
    public var uuid: String?
    public var evmcs: EVMCS
    /// The VMX capability MSR values the VM's vCPUs were given (what a migration saves and
    /// restores with KVM_SET_MSRS).
    public var vmx: VMXMSRSet
    /// Whether nested state (a running L2) must migrate: needs KVM_CAP_NESTED_STATE and
    /// KVM_CAP_EXCEPTION_PAYLOAD on the target.
    public var nestedState: Bool
    /// Where the VM was started, so the guest-visible view on the source can be known.
    public var source: Source?
    /// What the guest read with RDMSR on the source, when it was measured. When absent it is
    /// derived from `vmx` and the source's kernel era.
    public var guestVisible: VMXMSRSet?

    public init(
        name: String? = nil,
        uuid: String? = nil,
        evmcs: EVMCS = EVMCS(),
        vmx: VMXMSRSet,
        nestedState: Bool = false,
        source: Source? = nil,
        guestVisible: VMXMSRSet? = nil
    ) {
        self.name = name
        self.uuid = uuid
        self.evmcs = evmcs
        self.vmx = vmx
        self.nestedState = nestedState
        self.source = source
        self.guestVisible = guestVisible
    }

    public struct EVMCS: Codable, Hashable, Sendable {
        /// Whether the VM uses Enlightened VMCS (QEMU `hv-evmcs`).
        public var enabled: Bool
        /// The eVMCS version the VM uses (QEMU: 1).
        public var version: Int
        /// Hyper-V CPUID 0x4000000A.EBX bit 0 as the VMM sets it (QEMU: clear).
        public var perfGlobalCtrl: Bool

        public init(enabled: Bool = false, version: Int = 1, perfGlobalCtrl: Bool = false) {
            self.enabled = enabled
            self.version = version
            self.perfGlobalCtrl = perfGlobalCtrl
        }

        private enum CodingKeys: String, CodingKey, CaseIterable { case enabled, version, perfGlobalCtrl }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            enabled = try c.decode(Bool.self, forKey: .enabled)
            version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
            perfGlobalCtrl = try c.decodeIfPresent(Bool.self, forKey: .perfGlobalCtrl) ?? false
            guard (0...255).contains(version) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .version,
                    in: c,
                    debugDescription: "eVMCS versions are one byte (0–255), got \(version)"
                )
            }
        }
    }

    public struct Source: Codable, Hashable, Sendable {
        /// Host name of the source.
        public var host: String?
        /// `uname -r` of the source.
        public var kernelRelease: String?
        /// `uname -v` of the source (names the upstream base on Debian).
        public var kernelVersion: String?
        /// `/proc/version_signature` of the source (Ubuntu).
        public var versionSignature: String?
        /// The source's eVMCS era when it was declared, or measured there.
        public var evmcsEra: EVMCSEra?
        /// Fingerprint of the source profile.
        public var fingerprint: String?

        public init(
            host: String? = nil,
            kernelRelease: String? = nil,
            kernelVersion: String? = nil,
            versionSignature: String? = nil,
            evmcsEra: EVMCSEra? = nil,
            fingerprint: String? = nil
        ) {
            self.host = host
            self.kernelRelease = kernelRelease
            self.kernelVersion = kernelVersion
            self.versionSignature = versionSignature
            self.evmcsEra = evmcsEra
            self.fingerprint = fingerprint
        }

        /// The source part of a VM started on `profile`'s host: its name, kernel identity, declared
        /// era and fingerprint.
        public init(of profile: HostProfile) {
            self.init(
                host: profile.host?.name,
                kernelRelease: profile.kernel?.release,
                kernelVersion: profile.kernel?.version,
                versionSignature: profile.kernel?.versionSignature,
                evmcsEra: profile.kernel?.evmcsEra,
                fingerprint: profile.fingerprint
            )
        }

        /// The source's kernel, as a host profile's `kernel` section says it.
        public var kernel: HostProfile.Kernel {
            HostProfile.Kernel(
                release: kernelRelease,
                version: kernelVersion,
                versionSignature: versionSignature,
                evmcsEra: evmcsEra
            )
        }

        /// The era the source kernel's identity gives, with why it may be wrong.
        public var derivedEra: DerivedEra? { kernel.derivedEra }

        /// The source's era: the declared one, else the derived one.
        public var era: EVMCSEra? { kernel.nominalEra }

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case host, kernelRelease, kernelVersion, versionSignature, evmcsEra, fingerprint
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            host = try c.decodeIfPresent(String.self, forKey: .host)
            kernelRelease = try c.decodeIfPresent(String.self, forKey: .kernelRelease)
            kernelVersion = try c.decodeIfPresent(String.self, forKey: .kernelVersion)
            versionSignature = try c.decodeIfPresent(String.self, forKey: .versionSignature)
            evmcsEra = try c.decodeIfPresent(EVMCSEra.self, forKey: .evmcsEra)
            fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint)
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case schema, name, uuid, evmcs, vmx, nestedState, source, guestVisible
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        schema = try c.decodeSchema(Self.schema, forKey: .schema)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        uuid = try c.decodeIfPresent(String.self, forKey: .uuid)
        evmcs = try c.decodeIfPresent(EVMCS.self, forKey: .evmcs) ?? EVMCS()
        vmx = try c.decodeIfPresent(VMXMSRSet.self, forKey: .vmx) ?? VMXMSRSet()
        nestedState = try c.decodeIfPresent(Bool.self, forKey: .nestedState) ?? false
        source = try c.decodeIfPresent(Source.self, forKey: .source)
        guestVisible = try c.decodeIfPresent(VMXMSRSet.self, forKey: .guestVisible)
    }
}

extension VMRequirements {
    /// The requirements of a VM started on `profile`'s host with that host's defaults (what
    /// `-cpu host` gives), with or without eVMCS.
    ///
    /// The VM's VMX values are the host-initiated vCPU view (filtered on 4.20–5.5 when eVMCS is
    /// enabled); the source's kernel identity and declared era are kept so the guest-visible view
    /// on the source is known, and a measured guest view is carried over when the profile has one
    /// (a derived one is not: the source's era gives it again, labelled as derived).
    public init(startedOn profile: HostProfile, evmcs: Bool, perfGlobalCtrl: Bool = false, nestedState: Bool = false) {
        self.init(
            name: "VM started on \(profile.displayName)",
            evmcs: EVMCS(enabled: evmcs, version: 1, perfGlobalCtrl: perfGlobalCtrl),
            vmx: profile.hostInitiatedView(evmcsEnabled: evmcs),
            nestedState: nestedState,
            source: Source(of: profile),
            guestVisible: evmcs ? profile.observedGuestView(perfGlobalCtrl: perfGlobalCtrl) : nil
        )
        if evmcs, let version = Self.highestCommonVersion(profile) { self.evmcs.version = version }
    }

    /// QEMU always uses eVMCS version 1 (DEFAULT_EVMCS_VERSION 0x0101) and KVM has never
    /// offered another; keep 1 whenever the source range contains it.
    private static func highestCommonVersion(_ profile: HostProfile) -> Int? {
        guard case .supported(let low, let high, _) = profile.evmcsSupport else { return nil }
        return (low...high).contains(1) ? 1 : low
    }
}
