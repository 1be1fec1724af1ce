import ArgumentParser
import KVMProbe
import VMXModel

/// `evmcsctl probe`: runs the live probe in this process and prints the host profile.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe this host's /dev/kvm (in-process) and print its host profile.",
        discussion:
            "`evmcsctl probe --json > host.json` writes a profile that decode, check, baseline and pools accept."
    )

    @Option(name: .long, help: "The KVM device node.")
    var device = "/dev/kvm"

    @Option(name: .long, help: "Root of procfs (for recorded trees).")
    var procRoot = "/proc"

    @Option(name: .long, help: "Root of sysfs (for recorded trees).")
    var sysRoot = "/sys"

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let profile = LiveProbe(procRoot: procRoot, sysRoot: sysRoot, devicePath: device).probe()
        if output.json {
            try JSONOutput.print(profile)
        } else {
            ProfileSummaryRenderer(style: .standardOutput).render(profile)
        }
    }
}
