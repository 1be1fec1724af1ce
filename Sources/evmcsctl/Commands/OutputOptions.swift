import ArgumentParser

/// `--json`: print the documented JSON instead of the human tables.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the documented JSON document instead of human-readable text.")
    var json = false
}

/// eVMCS options shared by check, baseline and pools.
struct EVMCSOptions: ParsableArguments {
    @Flag(
        name: .long,
        help: "Set Hyper-V CPUID 0x4000000A.EBX bit 0 (PERF_GLOBAL_CTRL) for the guest; QEMU leaves it clear."
    )
    var perfGlobalCtrl = false

    @Flag(
        name: .long,
        help: "The VM's nested state (a running L2) must migrate: needs NESTED_STATE and EXCEPTION_PAYLOAD."
    )
    var nestedState = false
}
