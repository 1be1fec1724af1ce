// The floor of any static Swift executable on this host: the Swift runtime's own start-up
// (no program interpreter, nothing to load or bind) and one line printed.
// cli-timing.sh builds it as evmcsctl is linked: swiftc -O -static-executable.
print("swift-floor")
