package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evmcsd/evmcsd/clients/go/internal/testdaemon"
)

var (
	repo     = testdaemon.Repo()
	measured = filepath.Join(repo, "Tests", "Fixtures", "measured")
	examples = filepath.Join(repo, "Docs", "examples")
)

func hosts() []string {
	paths, _ := filepath.Glob(filepath.Join(measured, "*", "profile.json"))
	return paths
}

func TestFromSourceSplitsTheHosts(t *testing.T) {
	d := testdaemon.Start(t, testdaemon.Options{})
	var stdout, stderr bytes.Buffer
	args := append([]string{"-socket", d.Socket, "-json", "-from", filepath.Join(measured, "debian11-5.10.0-32-skylakex", "profile.json"), "-evmcs"}, hosts()...)
	status := run(args, &stdout, &stderr)
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, stdout.String(), stderr.String())
	}
	fit := map[string]HostResult{}
	unfit := map[string]HostResult{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var result HostResult
		if err := json.Unmarshal([]byte(line), &result); err != nil {
			t.Fatal(err)
		}
		if result.Compatible {
			fit[result.Host] = result
		} else {
			unfit[result.Host] = result
		}
	}
	if len(fit)+len(unfit) != 6 {
		t.Fatalf("%d hosts", len(fit)+len(unfit))
	}
	// A VM started on Debian 11's 5.10.0-32 on Skylake-X moves to the newer Skylake-X kernels...
	for _, host := range []string{"debian11-5.10.0-32-skylakex", "debian12-6.1.0-50-skylakex", "debian13-6.12.117-skylakex"} {
		if _, ok := fit[host]; !ok {
			t.Errorf("%s should fit: %+v", host, unfit[host])
		}
	}
	// ...but not to Haswell, which lacks controls Skylake-X has.
	for _, host := range []string{"debian11-5.10.0-32-haswell", "debian12-6.1.0-50-haswell", "debian13-6.12.117-haswell"} {
		if result, ok := unfit[host]; !ok || len(result.Reasons) == 0 {
			t.Errorf("%s should not fit: %+v", host, fit[host])
		}
	}
}

func TestTextOutputAndNoHostFits(t *testing.T) {
	d := testdaemon.Start(t, testdaemon.Options{})
	var stdout, stderr bytes.Buffer
	args := append([]string{"-socket", d.Socket, "-vm", filepath.Join(examples, "vm-windows-evmcs.json")}, hosts()...)
	if status := run(args, &stdout, &stderr); status != 1 {
		t.Fatalf("status %d: %s%s", status, stdout.String(), stderr.String())
	}
	out := stdout.String()
	if !strings.HasPrefix(out, "hosts that can run win2022-vbs: 0 of 6\nhosts that cannot:\n") ||
		!strings.Contains(out, "evmcs-guest-view-lost MSR(48FH).vmx-exit-save-preemption-timer [bit 22]") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestUsageDocumentAndDaemonErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run([]string{"-vm", "x.json"}, &stdout, &stderr); status != 2 {
		t.Fatalf("no hosts: %d", status)
	}
	if status := run([]string{"-vm", filepath.Join(repo, "README.md"), hosts()[0]}, &stdout, &stderr); status != 2 {
		t.Fatalf("bad document: %d", status)
	}
	stderr.Reset()
	dir := t.TempDir()
	status := run([]string{"-socket", filepath.Join(dir, "absent.sock"), "-vm", filepath.Join(examples, "vm-windows-evmcs.json"), hosts()[0]}, &stdout, &stderr)
	if status != 3 || !strings.Contains(stderr.String(), "evmcsd is not running") {
		t.Fatalf("no daemon: %d %s", status, stderr.String())
	}
}
