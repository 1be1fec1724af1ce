package evmcsd_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	evmcsd "github.com/evmcsd/evmcsd/clients/go"
)

func TestLoadDocuments(t *testing.T) {
	profiles, _ := filepath.Glob(filepath.Join(measured, "*", "profile.json"))
	for _, path := range append(profiles, filepath.Join(examples, "skylake-6.8.json")) {
		document, err := evmcsd.LoadProfile(path)
		if err != nil || document.Schema != evmcsd.HostProfileSchema {
			t.Fatalf("%s: %v", path, err)
		}
		var profile evmcsd.HostProfile
		if err := document.Decode(&profile); err != nil || profile.Schema != evmcsd.HostProfileSchema {
			t.Fatal(err)
		}
	}
	vm, err := evmcsd.LoadVMRequirements(filepath.Join(examples, "vm-windows-evmcs.json"))
	if err != nil || vm.Schema != evmcsd.VMRequirementsSchema {
		t.Fatal(err)
	}
	var requirements evmcsd.VMRequirements
	if err := vm.Decode(&requirements); err != nil || !requirements.EVMCS.Enabled || requirements.Name != "win2022-vbs" {
		t.Fatal(err, requirements)
	}
}

func TestDocumentErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ text, field, reason string }{
		{"{", "", "not valid JSON"},
		{"[1]", "$", "expected a JSON object"},
		{`{"schema":"evmcsd.host-profile/1","kernel":{"release":"a","release":"b"}}`, "", `duplicate member "release"`},
		{`{"kernel":{}}`, "schema", `missing required field "schema"`},
		{`{"schema":"evmcsd.host-profile/2"}`, "schema", `unsupported schema version "evmcsd.host-profile/2"`},
		{`{"schema":"evmcsd.vm-requirements/1"}`, "schema", `is not "evmcsd.host-profile/1"`},
	}
	for i, c := range cases {
		path := filepath.Join(dir, "doc.json")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := evmcsd.LoadProfile(path)
		var documentErr *evmcsd.DocumentError
		if !errors.As(err, &documentErr) || documentErr.Field != c.field || !strings.Contains(documentErr.Reason, c.reason) || documentErr.Path != path {
			t.Errorf("case %d %q: %v", i, c.text, err)
		}
	}
	path := filepath.Join(dir, "vm.json")
	_ = os.WriteFile(path, []byte(`{"schema":"evmcsd.vm-requirements/1","evmcs":{"version":1}}`), 0o644)
	if _, err := evmcsd.LoadVMRequirements(path); err == nil || !strings.Contains(err.Error(), `evmcs.enabled: missing required field "enabled"`) {
		t.Error(err)
	}
	if _, err := evmcsd.LoadVMRequirements(filepath.Join(dir, "absent.json")); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Error(err)
	}
}

func TestDefaultSocketPath(t *testing.T) {
	t.Setenv("EVMCSD_SOCKET", "/x.sock")
	if got := evmcsd.DefaultSocketPath(); got != "/x.sock" {
		t.Fatal(got)
	}
	t.Setenv("EVMCSD_SOCKET", "")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/4242")
	want := "/run/user/4242/evmcsd/evmcsd.sock"
	if _, err := os.Stat(evmcsd.SystemSocket); err == nil || os.Getuid() == 0 {
		want = evmcsd.SystemSocket
	}
	if got := evmcsd.DefaultSocketPath(); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
