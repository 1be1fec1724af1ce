#!/bin/busybox sh
# /init of the Intel bench's initramfs (Tools/intel-bench/README.md). Runs inside Bochs on an
# emulated Intel CPU: loads kvm_intel nested=1, measures the host with `evmcsctl probe`, runs
# evmcsd with a notify socket, asks it every cached method, stops it with SIGTERM and powers off.
# Every step's output goes to the serial console between marker lines that collect.py parses:
#
#   @@BENCH BEGIN <step>@@
#   <output>
#   @@BENCH END <step> rc=<exit status> md5=<md5 of the output>@@
#
# A step whose output is binary (the host tree) is sent base64-encoded.
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
echo 1 > /proc/sys/kernel/printk
# The run's name (evmcsd.bench= on the kernel command line) is the host's name in its profile.
for word in $(cat /proc/cmdline); do
	case $word in evmcsd.bench=*) hostname "${word#evmcsd.bench=}" ;; esac
done
out=/tmp/bench
mkdir -p $out

# step NAME COMMAND...: runs COMMAND with stdout and stderr to the step's output and sends it.
step() {
	name=$1
	shift
	"$@" > $out/$name 2>&1
	rc=$?
	send $name $rc
	return $rc
}

send() {
	# The END marker needs a line of its own: end the output with a newline (notify datagrams have none).
	[ -s $out/$1 ] && [ -n "$(tail -c 1 $out/$1)" ] && echo >> $out/$1
	sum=$(md5sum < $out/$1 | cut -d' ' -f1)
	echo "@@BENCH BEGIN $1@@"
	cat $out/$1
	echo "@@BENCH END $1 rc=$2 md5=$sum@@"
}

finish() {
	echo "@@BENCH DONE $1@@"
	sleep 3
	poweroff -f
}

load_modules() {
	for module in $(cat /bench/modules); do
		parameters=
		[ "$module" = kvm-intel ] && parameters="nested=1"
		echo "insmod $module $parameters"
		if ! insmod /bench/$module.ko $parameters; then
			echo "insmod $module failed; the kernel said:"
			dmesg | tail -n 20
			return 1
		fi
	done
	[ -c /dev/kvm ] || { echo "/dev/kvm did not appear"; dmesg | tail -n 20; return 1; }
	echo "kvm_intel parameters:"
	for parameter in /sys/module/kvm_intel/parameters/*; do echo "  ${parameter##*/}=$(cat $parameter)"; done
}

host_tree() {
	rm -rf /tmp/tree
	# Only the archive goes to stdout: the recorder's own lines would corrupt the base64.
	sh /bench/record-host-tree.sh /tmp/tree > /tmp/tree.log 2>&1 || { cat /tmp/tree.log; return 1; }
	tar -C /tmp/tree -cz . | base64
}

# ask ID METHOD [PARAMS-FILE]: one JSON-RPC request on the daemon's socket, the answer on stdout.
ask() {
	if [ -n "$3" ]; then
		printf '{"jsonrpc":"2.0","id":%s,"method":"%s","params":' "$1" "$2" > /tmp/request
		tr -d '\n' < "$3" >> /tmp/request
		printf '}\n' >> /tmp/request
	else
		printf '{"jsonrpc":"2.0","id":%s,"method":"%s"}\n' "$1" "$2" > /tmp/request
	fi
	socat -t 60 - UNIX-CONNECT:$EVMCSD_SOCKET < /tmp/request
}

wait_for() {
	tries=0
	until grep -q "$1" /tmp/notify.log 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -gt 1200 ] && { echo "no $1 within 1200 polls"; cat /tmp/notify.log; return 1; }
		usleep 100000
	done
	echo "$1 received after $tries polls"
}

daemon_start() {
	socat -u UNIX-RECV:/run/notify.sock OPEN:/tmp/notify.log,creat,append &
	echo $! > /tmp/notify.pid
	usleep 200000
	NOTIFY_SOCKET=/run/notify.sock evmcsd --socket $EVMCSD_SOCKET --cache-dir /tmp/cache > /tmp/bench/daemon-log 2>&1 &
	echo $! > /tmp/daemon.pid
	wait_for READY=1 && cat /tmp/notify.log
}

daemon_stop() {
	pid=$(cat /tmp/daemon.pid)
	kill -TERM $pid
	wait $pid
	rc=$?
	echo "evmcsd exited with status $rc"
	wait_for STOPPING=1 || rc=1
	[ -e $EVMCSD_SOCKET ] && { echo "socket left behind"; rc=1; }
	kill $(cat /tmp/notify.pid)
	return $rc
}

step kernel uname -a
cat /proc/version >> $out/kernel
step modules load_modules || finish modules
step probe evmcsctl probe --json || finish probe
step host-tree host_tree || finish host-tree

export EVMCSD_SOCKET=/run/evmcsd/evmcsd.sock
mkdir -p /run/evmcsd /tmp/cache
printf '{"from":' > /tmp/compat-params
tr -d '\n' < $out/probe >> /tmp/compat-params
printf ',"evmcs":true}' >> /tmp/compat-params
step daemon-ready daemon_start || { send daemon-log 1; finish daemon-ready; }
step daemon-status ask 1 daemon.status
step host-evmcs ask 2 host.evmcs
step host-vmx ask 3 host.vmx
step compat-check ask 4 compat.check /tmp/compat-params
step evmcsctl-status evmcsctl status
step evmcsctl-features evmcsctl features
step daemon-stop daemon_stop
send daemon-log 0
finish ok
