// Generated from `qom-list-properties` of Debian 12's qemu-system-x86_64 7.2 (typename
// Skylake-Server-v4-x86_64-cpu), without the QOM plumbing (type, realized, …), plus the hv-*
// properties of newer QEMU trees. Do not edit by hand: see Tools/gen-qemu-models.py's notes.

extension QEMUCPUProperties {
    /// The Hyper-V enlightenment properties (`hv-*`).
    static let hyperV: Set<String> = [
        "hv-apicv", "hv-avic", "hv-crash", "hv-emsr-bitmap", "hv-enforce-cpuid", "hv-evmcs", "hv-frequencies",
        "hv-ipi", "hv-no-nonarch-coresharing", "hv-passthrough", "hv-reenlightenment", "hv-relaxed", "hv-reset",
        "hv-runtime", "hv-spinlocks", "hv-stimer", "hv-stimer-direct", "hv-syndbg", "hv-synic", "hv-time",
        "hv-tlbflush", "hv-tlbflush-direct", "hv-tlbflush-ext", "hv-vapic", "hv-vendor-id", "hv-version-id-build",
        "hv-version-id-major", "hv-version-id-minor", "hv-version-id-sbranch", "hv-version-id-snumber",
        "hv-version-id-spack", "hv-vpindex", "hv-xmm-input",
    ]

    /// Every other `-cpu` property QEMU knows (CPUID features, accelerator and topology options):
    /// accepted and left alone, since they do not change VMX capability MSRs.
    static let other: Set<String> = [
        "3dnow", "3dnowext", "3dnowprefetch", "abm", "ace2", "ace2-en", "acpi", "adx", "aes", "amd-no-ssb",
        "amd-ssbd", "amd-stibp", "amx-bf16", "amx-int8", "amx-tile", "apic", "arat", "arch-capabilities",
        "arch-lbr", "avic", "avx", "avx-vnni", "avx2", "avx512-4fmaps", "avx512-4vnniw", "avx512-bf16",
        "avx512-fp16", "avx512-vp2intersect", "avx512-vpopcntdq", "avx512bitalg", "avx512bw", "avx512cd",
        "avx512dq", "avx512er", "avx512f", "avx512ifma", "avx512pf", "avx512vbmi", "avx512vbmi2", "avx512vl",
        "avx512vnni", "bmi1", "bmi2", "bus-lock-detect", "check", "cid", "cldemote", "clflush", "clflushopt",
        "clwb", "clzero", "cmov", "cmp-legacy", "cmp_legacy", "core-capability", "cr8legacy", "cx16", "cx8", "dca",
        "de", "decodeassists", "ds", "ds-cpl", "ds_cpl", "dtes64", "enforce", "erms", "est", "extapic", "f16c",
        "family", "ffxsr", "fill-mtrr-mask", "flushbyasid", "fma", "fma4", "fpu", "fsgsbase", "fsrm",
        "full-cpuid-auto-level", "full-width-write", "fxsr", "fxsr-opt", "fxsr_opt", "gfni", "hle",
        "host-phys-bits", "host-phys-bits-limit", "ht", "hypervisor", "i64", "ia64", "ibpb", "ibrs", "ibrs-all",
        "ibs", "intel-pt", "intel-pt-lip", "invpcid", "invtsc", "kvm", "kvm-asyncpf", "kvm-asyncpf-int",
        "kvm-hint-dedicated", "kvm-mmu", "kvm-msi-ext-dest-id", "kvm-no-smi-migration", "kvm-nopiodelay",
        "kvm-poll-control", "kvm-pv-enforce-cpuid", "kvm-pv-eoi", "kvm-pv-ipi", "kvm-pv-sched-yield",
        "kvm-pv-tlb-flush", "kvm-pv-unhalt", "kvm-steal-time", "kvm_asyncpf", "kvm_asyncpf_int", "kvm_mmu",
        "kvm_nopiodelay", "kvm_poll_control", "kvm_pv_eoi", "kvm_pv_unhalt", "kvm_steal_time", "kvmclock",
        "kvmclock-stable-bit", "l3-cache", "la57", "lahf-lm", "lahf_lm", "lbr-fmt", "lbr_fmt", "lbrv",
        "legacy-cache", "level", "level-func7", "lm", "lmce", "lwp", "mca", "mce", "md-clear", "mds-no",
        "min-level", "min-xlevel", "min-xlevel2", "misalignsse", "mmx", "mmxext", "model", "model-id", "monitor",
        "movbe", "movdir64b", "movdiri", "mpx", "msr", "mtrr", "nodeid-msr", "nodeid_msr", "npt", "nrip-save",
        "nrip_save", "nx", "osvw", "pae", "pat", "pause-filter", "pause_filter", "pbe", "pcid", "pclmuldq",
        "pclmulqdq", "pcommit", "pdcm", "pdpe1gb", "perfctr-core", "perfctr-nb", "perfctr_core", "perfctr_nb",
        "pfthreshold", "pge", "phe", "phe-en", "phys-bits", "pks", "pku", "pmm", "pmm-en", "pmu", "pn", "pni",
        "popcnt", "pschange-mc-no", "pse", "pse36", "rdctl-no", "rdpid", "rdrand", "rdseed", "rdtscp", "rsba",
        "rtm", "sep", "serialize", "sgx", "sgx-debug", "sgx-exinfo", "sgx-kss", "sgx-mode64", "sgx-provisionkey",
        "sgx-tokenkey", "sgx1", "sgx2", "sgxlc", "sha-ni", "skinit", "skip-l1dfl-vmentry", "smap", "smep", "smx",
        "spec-ctrl", "split-lock-detect", "ss", "ssb-no", "ssbd", "sse", "sse2", "sse3", "sse4-1", "sse4-2",
        "sse4.1", "sse4.2", "sse4_1", "sse4_2", "sse4a", "ssse3", "stepping", "stibp", "svm", "svm-lock",
        "svm_lock", "svme-addr-chk", "syscall", "taa-no", "tbm", "tce", "tcg-cpuid", "tm", "tm2", "topoext", "tsc",
        "tsc-adjust", "tsc-deadline", "tsc-frequency", "tsc-scale", "tsc_adjust", "tsc_scale", "tsx-ctrl",
        "tsx-ldtrk", "ucode-rev", "umip", "v-vmsave-vmload", "vaes", "vendor", "vgif", "virt-ssbd", "vmcb-clean",
        "vmcb_clean", "vme", "vmware-cpuid-freq", "vmx", "vpclmulqdq", "waitpkg", "wbnoinvd", "wdt",
        "x-force-features", "x-hv-max-vps", "x-hv-synic-kvm-only", "x-intel-pt-auto-level", "x-migrate-smi-count",
        "x-vendor-cpuid-only", "x2apic", "xcrypt", "xcrypt-en", "xd", "xfd", "xgetbv1", "xlevel", "xlevel2", "xop",
        "xsave", "xsavec", "xsaveerptr", "xsaveopt", "xsaves", "xstore", "xstore-en", "xtpr",
    ]
}
