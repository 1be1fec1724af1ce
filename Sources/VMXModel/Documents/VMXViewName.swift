/// The VMX views of a host profile (Docs/documents.md), by the names documents and answers
/// use for them.
public enum VMXViewName: String, CaseIterable, Codable, Hashable, Sendable {
    /// System KVM_GET_MSRS on /dev/kvm.
    case system
    /// Host-initiated KVM_GET_MSRS on a vCPU after enabling eVMCS.
    case vcpu
    /// What an eVMCS guest reads, Hyper-V CPUID 0x4000000A.EBX bit 0 clear.
    case guest
    /// The same with EBX bit 0 (PERF_GLOBAL_CTRL) set.
    case guestPerfGlobalCtrl

    /// The eVMCS guest view for this EBX bit 0 setting.
    public static func guest(perfGlobalCtrl: Bool) -> VMXViewName {
        perfGlobalCtrl ? .guestPerfGlobalCtrl : .guest
    }

    /// The two eVMCS guest views, with their EBX bit 0 setting.
    public static let guestViews: [(view: VMXViewName, perfGlobalCtrl: Bool)] = [
        (.guest, false), (.guestPerfGlobalCtrl, true),
    ]
}

extension HostProfile.VMXViews {
    /// The MSR set of `view`.
    public subscript(view: VMXViewName) -> VMXMSRSet? {
        get {
            switch view {
            case .system: system
            case .vcpu: vcpu
            case .guest: guest
            case .guestPerfGlobalCtrl: guestPerfGlobalCtrl
            }
        }
        set {
            switch view {
            case .system: system = newValue
            case .vcpu: vcpu = newValue
            case .guest: guest = newValue
            case .guestPerfGlobalCtrl: guestPerfGlobalCtrl = newValue
            }
        }
    }

    /// How `view` was obtained.
    public subscript(provenanceOf view: VMXViewName) -> Provenance? {
        get { obtained?[view.rawValue] }
        set {
            var all = obtained ?? [:]
            all[view.rawValue] = newValue
            obtained = all
        }
    }
}
