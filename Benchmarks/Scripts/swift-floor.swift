// The floor of any statically linked Swift process on this host: the Swift runtime's own
// start-up (libstdc++ loaded and bound, the runtime initialised) and one line printed.
// cli-timing.sh builds it as the release binaries are linked: swiftc -O -static-stdlib.
print("swift-floor")
