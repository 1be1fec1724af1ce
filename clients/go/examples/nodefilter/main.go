// Command nodefilter is a scheduler filter in the shape of a KubeVirt/Kubernetes or Nova
// scheduler filter plugin: given a VM's requirements and the profiles of candidate hosts, it
// asks the local evmcsd for each host's verdict (compat.check with a `to` profile) and prints
// the hosts that can run the VM and why the others cannot.
//
//	nodefilter [-socket PATH] [-json] -vm VM.json HOST.json…
//	nodefilter [-socket PATH] [-json] -from SRC.json [-evmcs] [-perf-global-ctrl] [-nested-state] HOST.json…
//
// Exit status: 0 at least one host fits, 1 none does, 2 usage or document error, 3 the daemon
// could not be asked.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	evmcsd "github.com/evmcsd/evmcsd/clients/go"
)

// HostResult is one line of -json output.
type HostResult struct {
	Host       string   `json:"host"`
	File       string   `json:"file"`
	Compatible bool     `json:"compatible"`
	Level      string   `json:"level"`
	Reasons    []string `json:"reasons"`
	Labels     []string `json:"labels"`
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("nodefilter", flag.ContinueOnError)
	flags.SetOutput(stderr)
	socket := flags.String("socket", "", "evmcsd's socket (default: $EVMCSD_SOCKET, /run/evmcsd/evmcsd.sock, $XDG_RUNTIME_DIR/evmcsd/evmcsd.sock)")
	vmPath := flags.String("vm", "", "the VM's requirements (evmcsd.vm-requirements/1)")
	fromPath := flags.String("from", "", "instead of -vm: the VM was started on this host profile with its defaults")
	evmcs := flags.Bool("evmcs", false, "with -from: the VM uses eVMCS")
	perf := flags.Bool("perf-global-ctrl", false, "with -from: Hyper-V CPUID 0x4000000A.EBX bit 0")
	nested := flags.Bool("nested-state", false, "with -from: nested state must migrate")
	asJSON := flags.Bool("json", false, "one JSON object per host instead of text")
	timeout := flags.Duration("timeout", 30*time.Second, "for all the checks together")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if (*vmPath == "") == (*fromPath == "") || flags.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: nodefilter (-vm VM.json | -from SRC.json [-evmcs] …) HOST.json…")
		return 2
	}
	var request evmcsd.CheckRequest
	what := ""
	if *vmPath != "" {
		vm, err := evmcsd.LoadVMRequirements(*vmPath)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		var decoded evmcsd.VMRequirements
		_ = vm.Decode(&decoded)
		what = decoded.Name
		request.VM = vm.Raw
	} else {
		source, err := evmcsd.LoadProfile(*fromPath)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		request.From = source.Raw
		request.EVMCS, request.PerfGlobalCtrl, request.NestedState = evmcsd.Bool(*evmcs), evmcsd.Bool(*perf), evmcsd.Bool(*nested)
	}
	hosts := make([]*evmcsd.Document, 0, flags.NArg())
	for _, path := range flags.Args() {
		host, err := evmcsd.LoadProfile(path)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		hosts = append(hosts, host)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	client, err := evmcsd.Dial(ctx, *socket)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 3
	}
	defer client.Close()

	// One request per host, all pipelined on the one connection.
	type outcome struct {
		verdict *evmcsd.Verdict
		err     error
	}
	outcomes := make([]outcome, len(hosts))
	done := make(chan int, len(hosts))
	for i, host := range hosts {
		go func(i int, host *evmcsd.Document) {
			perHost := request
			perHost.To = host.Raw
			verdict, err := client.Check(ctx, perHost)
			outcomes[i] = outcome{verdict, err}
			done <- i
		}(i, host)
	}
	for range hosts {
		<-done
	}

	var fit, unfit []HostResult
	for i, result := range outcomes {
		if result.err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", hosts[i].Path, result.err)
			var daemonErr *evmcsd.Error
			if errors.As(result.err, &daemonErr) && (daemonErr.Code == evmcsd.CodeInvalidDocument || daemonErr.Code == evmcsd.CodeInvalidParams) {
				return 2
			}
			return 3
		}
		line := HostResult{Host: result.verdict.Target, File: hosts[i].Path, Compatible: result.verdict.Compatible,
			Level: result.verdict.Level, Reasons: result.verdict.ReasonCodes(), Labels: []string{}}
		for _, reason := range result.verdict.Reasons {
			label := reason.Label
			if label == "" {
				label = reason.Field
			}
			line.Labels = append(line.Labels, label)
		}
		if line.Compatible {
			fit = append(fit, line)
		} else {
			unfit = append(unfit, line)
		}
	}

	if *asJSON {
		encoder := json.NewEncoder(stdout)
		for _, line := range append(fit, unfit...) {
			_ = encoder.Encode(line)
		}
	} else {
		if what == "" {
			what = "the VM"
		}
		fmt.Fprintf(stdout, "hosts that can run %s: %d of %d\n", what, len(fit), len(hosts))
		for _, line := range fit {
			fmt.Fprintf(stdout, "  %-32s %s\n", line.Host, line.Level)
		}
		if len(unfit) > 0 {
			fmt.Fprintln(stdout, "hosts that cannot:")
		}
		for _, line := range unfit {
			fmt.Fprintf(stdout, "  %-32s %s:\n", line.Host, line.Level)
			for j, code := range line.Reasons {
				fmt.Fprintf(stdout, "      %s %s\n", code, line.Labels[j])
			}
		}
	}
	if len(fit) == 0 {
		return 1
	}
	return 0
}
