// Package testdaemon starts a real evmcsd for tests: a temporary socket, a recorded profile,
// readiness by READY=1 on a NOTIFY_SOCKET datagram socket, and a t.Cleanup that stops it.
package testdaemon

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Repo is the repository's root (clients/go/internal/testdaemon → ../../../..).
func Repo() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", "..", ".."))
}

// Binary is $EVMCSD_BIN or .build/debug/evmcsd.
func Binary() string {
	if bin := os.Getenv("EVMCSD_BIN"); bin != "" {
		return bin
	}
	return filepath.Join(Repo(), ".build", "debug", "evmcsd")
}

// Profile is the daemon's default recorded profile: Debian 12's 6.1 on Skylake-X, measured.
func Profile() string {
	return filepath.Join(Repo(), "Tests", "Fixtures", "measured", "debian12-6.1.0-50-skylakex", "profile.json")
}

// Options of a daemon.
type Options struct {
	Profile    string // default Profile()
	Config     string // TOML text; default an empty file
	SocketMode string // --socket-mode
}

// Daemon is one running evmcsd.
type Daemon struct {
	Root, Socket, ProfilePath, ConfigPath, LogPath string
	Cmd                                            *exec.Cmd
	exited                                         chan struct{}
}

// Start starts a daemon and registers its stop with t.Cleanup.
func Start(t testing.TB, options Options) *Daemon {
	t.Helper()
	if _, err := os.Stat(Binary()); err != nil {
		t.Fatalf("no evmcsd at %s: run swift build or set EVMCSD_BIN", Binary())
	}
	root, err := os.MkdirTemp("", "evmcsd-go-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(root, 0o755) // nobody may reach the socket when its mode allows
	t.Cleanup(func() { os.RemoveAll(root) })
	d := &Daemon{Root: root, Socket: filepath.Join(root, "s.sock"), ProfilePath: filepath.Join(root, "profile.json"),
		ConfigPath: filepath.Join(root, "evmcsd.toml"), LogPath: filepath.Join(root, "daemon.log"), exited: make(chan struct{})}
	profile := options.Profile
	if profile == "" {
		profile = Profile()
	}
	data, err := os.ReadFile(profile)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(d.ProfilePath, data, 0o644))
	must(t, os.WriteFile(d.ConfigPath, []byte(options.Config), 0o644))

	notifyPath := filepath.Join(root, "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notifyPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()

	args := []string{"--socket", d.Socket, "--cache-dir", filepath.Join(root, "cache"), "--profile", d.ProfilePath, "--config", d.ConfigPath}
	if options.SocketMode != "" {
		args = append(args, "--socket-mode", options.SocketMode)
	}
	log, err := os.Create(d.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	d.Cmd = exec.Command(Binary(), args...)
	d.Cmd.Stdout, d.Cmd.Stderr = log, log
	d.Cmd.Env = append(filterEnv(os.Environ()), "NOTIFY_SOCKET="+notifyPath)
	d.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	log.Close()
	go func() { _ = d.Cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { d.Stop(t) })

	deadline := time.Now().Add(30 * time.Second)
	buffer := make([]byte, 4096)
	for {
		_ = notify.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _, err := notify.ReadFromUnix(buffer)
		if err == nil && bytes.Contains(buffer[:n], []byte("READY=1")) {
			return d
		}
		select {
		case <-d.exited:
			t.Fatalf("evmcsd exited before READY=1:\n%s", d.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("evmcsd sent no READY=1 in 30 s:\n%s", d.Log())
		}
	}
}

func filterEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "LISTEN_") || strings.HasPrefix(kv, "NOTIFY_SOCKET=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Log is the daemon's output so far.
func (d *Daemon) Log() string {
	data, _ := os.ReadFile(d.LogPath)
	return string(data)
}

// Signal sends sig to the daemon.
func (d *Daemon) Signal(sig syscall.Signal) { _ = d.Cmd.Process.Signal(sig) }

// Stop sends SIGTERM and waits (SIGKILL after 10 s); it reports whether the daemon stopped
// on SIGTERM.
func (d *Daemon) Stop(t testing.TB) bool {
	select {
	case <-d.exited:
		return true
	default:
	}
	d.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
		return true
	case <-time.After(10 * time.Second):
		_ = d.Cmd.Process.Kill()
		<-d.exited
		t.Errorf("evmcsd did not stop on SIGTERM in 10 s:\n%s", d.Log())
		return false
	}
}

// Kill kills the daemon at once.
func (d *Daemon) Kill() {
	_ = d.Cmd.Process.Kill()
	<-d.exited
}

// PID is the daemon's process id.
func (d *Daemon) PID() int { return d.Cmd.Process.Pid }

// ReadProfile and WriteProfile get and replace (atomically) the recorded profile.
func (d *Daemon) ReadProfile(t testing.TB) map[string]any {
	var profile map[string]any
	data, err := os.ReadFile(d.ProfilePath)
	must(t, err)
	must(t, json.Unmarshal(data, &profile))
	return profile
}

func (d *Daemon) WriteProfile(t testing.TB, profile map[string]any) {
	data, err := json.Marshal(profile)
	must(t, err)
	temporary := d.ProfilePath + ".tmp"
	must(t, os.WriteFile(temporary, data, 0o644))
	must(t, os.Rename(temporary, d.ProfilePath))
}

// FlipPreemptionTimer flips allowed-1 bit 6 of MSR 0x48d in the recorded system view: another
// fingerprint on the next re-probe.
func (d *Daemon) FlipPreemptionTimer(t testing.TB) {
	profile := d.ReadProfile(t)
	system := profile["vmx"].(map[string]any)["system"].(map[string]any)
	var value uint64
	_, err := fmtSscan(system["0x48d"].(string), &value)
	must(t, err)
	system["0x48d"] = fmtHex(value ^ (1 << 38))
	d.WriteProfile(t, profile)
}
