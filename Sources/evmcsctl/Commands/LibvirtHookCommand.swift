import ArgumentParser
import LibvirtIntegration

/// `evmcsctl libvirt-hook`: libvirt's QEMU hook (``LibvirtHookArguments``); the same hook as
/// the `evmcsd-libvirt-hook` binary, which starts faster.
struct LibvirtHookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "libvirt-hook",
        abstract: "libvirt QEMU hook: refuse an incoming migration this host cannot run.",
        discussion: """
            Called as libvirtd calls hooks: evmcsctl libvirt-hook [options] -- DOMAIN OPERATION SUBOPERATION EXTRA,
            with the domain XML on standard input. On "migrate begin" the requirements come from
            evmcsd's <metadata> element, else from the CPU definition, and the local evmcsd
            answers compat.check. Exit 0 allows; 1 refuses, one line per reason on standard
            error (libvirt puts them in the migration error); 2 refuses by --on-error.
            --on-error (XML not understood, daemon unreachable, time up): allow (default; a
            warning goes to syslog and standard error) or refuse.
            """
    )

    @OptionGroup var hook: LibvirtHookArguments

    func run() async throws { await hook.run() }
}
