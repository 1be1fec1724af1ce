#!/usr/bin/env bash
# make test-package: the Debian package on a clean Debian 12 with no Swift. Installs the .deb
# into a freshly copied debootstrap tree, checks what the binaries link against, runs both
# commands there (versions, units, the daemon on a recorded profile answering evmcsctl, the
# man page), removes and purges the package and checks that nothing of it is left.
#
#   Tools/test-package.sh PACKAGE.deb [PROFILE.json]
#
# The bootstrapped tree is cached in $PACKAGE_TEST_CACHE (default /var/cache/evmcsd-package-test)
# and copied for every run, so a run starts from the same clean system in seconds; remove the
# cache to bootstrap anew. The mirror is the one this machine's apt uses. Needs root. Prints the
# step that failed and why; leaves no mount, process or copy behind.
set -Eeuo pipefail

deb=${1:?usage: Tools/test-package.sh PACKAGE.deb [PROFILE.json]}
profile=${2:-Docs/examples/skylake-6.8.json}
cache=${PACKAGE_TEST_CACHE:-/var/cache/evmcsd-package-test}
suite=bookworm
includes=systemd,man-db
base=$cache/$suite-minbase
stamp="debootstrap --variant=minbase --include=$includes $suite"
# Libraries every Debian/Ubuntu/RHEL host has; anything else (a Swift runtime) is an error.
allowed_libraries=" libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1 ld-linux-x86-64.so.2 "
allowed_libraries="$allowed_libraries libstdc++.so.6 libgcc_s.so.1 libsystemd.so.0 "

step=
work=
root=
daemon=
started=$SECONDS

step() {
    step=$1
    echo "== test-package: $step"
}
failure() {
    echo "test-package: FAILED in step '$step': $*" >&2
    exit 1
}
trap 'status=$?; [ -n "$step" ] && echo "test-package: FAILED in step '"'"'$step'"'"': \"$BASH_COMMAND\" exited $status" >&2' ERR

in_root() { timeout "${STEP_TIMEOUT:-120}" chroot "$root" "$@"; }

cleanup() {
    local status=$?
    trap - ERR
    if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
        kill -TERM "$daemon" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon" 2>/dev/null || true
    fi
    if [ -n "$root" ]; then
        # Anything still running inside the tree (there should be nothing) is ended first.
        for process in /proc/[0-9]*; do
            [ "$(readlink "$process/root" 2>/dev/null)" = "$root" ] || continue
            echo "test-package: ending ${process#/proc/} left running in the tree: $(tr '\0' ' ' <"$process/cmdline")" >&2
            kill -KILL "${process#/proc/}" 2>/dev/null || true
            status=1
        done
        for mount in run proc; do
            if mountpoint -q "$root/$mount"; then umount "$root/$mount" || umount -l "$root/$mount"; fi
        done
        if grep -q " $root" /proc/mounts; then
            echo "test-package: mounts left under $root:" >&2
            grep " $root" /proc/mounts >&2
            status=1
        fi
    fi
    if [ -n "$work" ] && ! grep -q " $work" /proc/mounts; then rm -rf --one-file-system "$work"; fi
    echo "test-package: $([ $status = 0 ] && echo passed || echo failed) in $((SECONDS - started)) s"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "checking tools"
[ "$(id -u)" = 0 ] || failure "needs root (debootstrap, chroot, mount)"
missing=
for tool in debootstrap dpkg-deb readelf chroot mount umount mountpoint timeout strace; do
    command -v "$tool" >/dev/null || missing="$missing $tool"
done
[ -z "$missing" ] || failure "missing:$missing (apt-get install debootstrap dpkg binutils coreutils mount util-linux strace; make deps installs them)"
[ -f "$deb" ] || failure "$deb does not exist (make deb)"
[ -f "$profile" ] || failure "profile $profile does not exist (PACKAGE_TEST_PROFILE)"
package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)

step "bootstrapping Debian $suite (cached in $base)"
if [ "$(cat "$base/.evmcsd-package-test" 2>/dev/null)" = "$stamp" ]; then
    echo "reusing $base"
else
    # The mirror this machine's apt uses (deb822 sources first, then sources.list).
    mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { print ($2 ~ /^\[/ ? $3 : $2); exit }' /etc/apt/sources.list 2>/dev/null)
    [ -n "$mirror" ] || failure "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
    rm -rf --one-file-system "$base" "$base.tmp"
    mkdir -p "$cache"
    timeout "${BOOTSTRAP_TIMEOUT:-1800}" debootstrap --variant=minbase --include="$includes" "$suite" "$base.tmp" "$mirror" \
        >"$cache/debootstrap.log" 2>&1 || failure "debootstrap from $mirror failed (last lines of $cache/debootstrap.log: $(tail -3 "$cache/debootstrap.log" | tr '\n' ' '))"
    echo "$stamp" >"$base.tmp/.evmcsd-package-test"
    mv "$base.tmp" "$base"
fi
if command -v swift >/dev/null; then
    for found in "$base"/usr/bin/swift* "$base"/usr/lib/swift; do
        [ ! -e "$found" ] || failure "the clean tree has a Swift toolchain ($found)"
    done
fi

step "copying the clean tree"
work=$(mktemp -d /var/tmp/evmcsd-package-test.XXXXXX)
root=$work/root
cp -a --reflink=auto "$base" "$root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,size=64m tmpfs "$root/run"
cp "$deb" "$root/tmp/package.deb"
cp "$profile" "$root/tmp/profile.json"

step "dpkg -i $(basename "$deb") ($package $version)"
if ! in_root dpkg -i /tmp/package.deb; then
    echo "dpkg -i left dependencies to resolve: apt-get -f install"
    in_root apt-get update -qq
    in_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq
fi
[ "$(in_root dpkg-query -W -f '${Status}' "$package")" = "install ok installed" ] || failure "$package is not installed"
in_root dpkg-query -L "$package" | sort >"$work/files"
cat "$root/var/lib/dpkg/info/$package.conffiles" >"$work/conffiles" 2>/dev/null || : >"$work/conffiles"
echo "$(wc -l <"$work/files") paths, conffiles: $(tr '\n' ' ' <"$work/conffiles")"

step "linkage of every installed binary (readelf -d)"
binaries=0
while read -r path; do
    file=$root$path
    [ -f "$file" ] && [ ! -L "$file" ] && readelf -h "$file" >/dev/null 2>&1 || continue
    binaries=$((binaries + 1))
    if ! readelf -lW "$file" | grep -q '^ *INTERP'; then
        # A static executable (evmcsctl: Docs/operations.md) has no loader, no NEEDED and no RUNPATH.
        case "$path" in */bin/evmcsctl) ;; *) failure "$path is statically linked; only evmcsctl is" ;; esac
        if readelf -d "$file" | grep -qE '\((NEEDED|RUNPATH|RPATH)\)'; then failure "$path has no interpreter but NEEDED or RUNPATH"; fi
        echo "$path: static executable (no interpreter, no NEEDED)"
        continue
    fi
    dynamic=$(readelf -d "$file")
    needed=$(echo "$dynamic" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
    echo "$path: NEEDED $needed"
    for library in $needed; do
        case "$allowed_libraries" in *" $library "*) ;; *) failure "$path needs $library, which a host without Swift lacks" ;; esac
    done
    if echo "$dynamic" | grep -E '\((RUNPATH|RPATH)\)'; then failure "$path has a RUNPATH/RPATH"; fi
done <"$work/files"
[ "$binaries" -ge 2 ] || failure "found $binaries ELF binaries in the package, expected evmcsd and evmcsctl"

step "evmcsd --version, evmcsctl --version"
for tool in evmcsd evmcsctl; do
    reported=$(in_root "/usr/bin/$tool" --version)
    [ "$reported" = "$version" ] || failure "$tool --version says '$reported', the package is $version"
    echo "$tool $reported"
done

step "what the maintainer scripts set up"
in_root getent group evmcsd >/dev/null || failure "the evmcsd group was not created (sysusers)"
[ -d "$root/run/evmcsd" ] || failure "/run/evmcsd was not created (tmpfiles)"
[ -L "$root/etc/systemd/system/sockets.target.wants/evmcsd.socket" ] || failure "evmcsd.socket was not enabled"
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/evmcsd.service" ] || failure "evmcsd.service was enabled (the socket starts it)"
echo "group evmcsd, /run/evmcsd, sockets.target.wants/evmcsd.socket"

step "systemd-analyze verify on the installed units"
units=$(grep -E '^/lib/systemd/system/[^/]+\.(service|socket)$' "$work/files" | tr '\n' ' ')
[ -n "$units" ] || failure "the package has no units in /lib/systemd/system"
verify=$(in_root systemd-analyze verify $units 2>&1) || failure "systemd-analyze verify $units: $verify"
# systemd < 253 reads Type=notify-reload as unknown before the shipped drop-in sets Type=notify.
unexpected=$(echo "$verify" | grep -v -e '^$' -e 'notify-reload' || true)
[ -z "$unexpected" ] || failure "systemd-analyze verify $units: $unexpected"
echo "verified: $units"

step "evmcsd on $(basename "$profile") and evmcsctl status"
chroot "$root" /usr/bin/evmcsd --profile /tmp/profile.json --log-level warning &
daemon=$!
for _ in $(seq 100); do [ -S "$root/run/evmcsd/evmcsd.sock" ] && break; kill -0 "$daemon" || break; sleep 0.1; done
[ -S "$root/run/evmcsd/evmcsd.sock" ] || failure "evmcsd did not create /run/evmcsd/evmcsd.sock within 10 s"
status=$(in_root /usr/bin/evmcsctl status) || failure "evmcsctl status: $status"
echo "$status"
echo "$status" | grep -q "ready" && echo "$status" | grep -q "recorded" || failure "evmcsctl status does not show a ready daemon on the recorded profile"

step "evmcsctl opens no shared library and no NSS file (strace)"
# A static executable with glibc inside must not reach for libraries or NSS at run time: a
# glibc of another version would be loaded into it. Traced from the exec of evmcsctl on.
in_root cp /tmp/profile.json /tmp/other.json
for command in "status" "status --json" "profile --json" "check --from /tmp/profile.json --to /tmp/other.json" \
    "check --from /tmp/profile.json --to /tmp/absent.json" "no-such-command"; do
    # shellcheck disable=SC2086
    timeout "${STEP_TIMEOUT:-120}" strace -f -qq -e trace=execve,open,openat -o "$work/evmcsctl.trace" \
        chroot "$root" /usr/bin/evmcsctl $command >/dev/null 2>&1 || true
    grep -q 'execve("/usr/bin/evmcsctl"' "$work/evmcsctl.trace" || failure "strace did not see evmcsctl $command start"
    opened=$(sed -n '/execve("\/usr\/bin\/evmcsctl"/,$p' "$work/evmcsctl.trace" \
        | grep -E 'open(at)?\(' | grep -E '\.so|nsswitch|/etc/(passwd|group)|gconv|locale' || true)
    [ -z "$opened" ] || failure "evmcsctl $command opened: $opened"
    echo "evmcsctl $command: $(sed -n '/execve("\/usr\/bin\/evmcsctl"/,$p' "$work/evmcsctl.trace" | grep -cE 'open(at)?\(') opens, none of a library or NSS"
done
kill -TERM "$daemon"
wait "$daemon" || failure "evmcsd exited with status $? on SIGTERM"
daemon=

step "man evmcsctl, man 8 evmcsd"
for page in "evmcsctl" "8 evmcsd"; do
    # shellcheck disable=SC2086
    text=$(in_root env MANPAGER=cat MANWIDTH=80 man $page 2>&1) || failure "man $page: $text"
    echo "$text" | grep -q "SYNOPSIS" && echo "$text" | grep -q "${page#8 }" || failure "man $page did not render: $text"
    echo "man $page: $(echo "$text" | wc -l) lines"
done

step "dpkg -r $package"
in_root dpkg -r "$package"
for path in /usr/bin/evmcsd /usr/bin/evmcsctl /lib/systemd/system/evmcsd.service; do
    [ ! -e "$root$path" ] || failure "$path is still there after dpkg -r"
done
while read -r conffile; do
    [ -e "$root$conffile" ] || failure "conffile $conffile was removed by dpkg -r (only purge removes it)"
done <"$work/conffiles"
echo "binaries and units gone; conffiles kept"

step "dpkg -P $package, and what remains"
in_root dpkg -P "$package"
: >"$work/remains"
while read -r path; do
    [ -e "$root$path" ] || [ -L "$root$path" ] || continue
    [ "$path" != "/." ] || continue
    # A directory another package owns too (/usr/bin, /lib/systemd/system) stays.
    if [ -d "$root$path" ] && in_root dpkg-query -S "$path" >/dev/null 2>&1; then continue; fi
    echo "$path" >>"$work/remains"
done <"$work/files"
for path in /etc/evmcsd /var/cache/evmcsd /var/cache/private/evmcsd /run/evmcsd /var/lib/dpkg/info/"$package".list; do
    [ ! -e "$root$path" ] || echo "$path" >>"$work/remains"
done
(cd "$root" && find etc/systemd var/lib/systemd -name '*evmcsd*' 2>/dev/null | sed 's|^|/|') >>"$work/remains"
in_root getent group evmcsd >/dev/null && echo "group evmcsd" >>"$work/remains"
if [ -s "$work/remains" ]; then
    failure "left after purge: $(tr '\n' ' ' <"$work/remains")"
fi
echo "nothing of $package remains ($(wc -l <"$work/files") paths checked, plus units' symlinks, cache, runtime directory, group)"
step=
