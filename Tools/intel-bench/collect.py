#!/usr/bin/env python3
"""Turns the Intel bench's serial log into result files (Tools/intel-bench/README.md).

The guest's /init (init.sh) sends each step's output between marker lines with its exit status
and an md5 of the output. This checks every marker, writes one file per step and bench.json,
and fails with the first step that failed or is missing, and why.
"""
import argparse
import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile

BEGIN = re.compile(r"^@@BENCH BEGIN (?P<step>[\w-]+)@@$")
END = re.compile(r"^@@BENCH END (?P<step>[\w-]+) rc=(?P<rc>\d+) md5=(?P<md5>[0-9a-f]{32})@@$")
DONE = re.compile(r"^@@BENCH DONE (?P<how>[\w-]+)@@$")

# Step → file name; the steps every complete run has, in the order init.sh sends them.
FILES = {
    "kernel": "kernel.txt",
    "modules": "modules.txt",
    "probe": "profile.json",
    "host-tree": None,  # unpacked into host-tree/
    "daemon-ready": "daemon-ready.txt",
    "daemon-status": "daemon-status.json",
    "host-evmcs": "host-evmcs.json",
    "host-vmx": "host-vmx.json",
    "compat-check": "compat-check.json",
    "evmcsctl-status": "evmcsctl-status.txt",
    "evmcsctl-features": "evmcsctl-features.txt",
    "daemon-stop": "daemon-stop.txt",
    "daemon-log": "daemon-log.txt",
}
JSON_ANSWERS = ("daemon-status", "host-evmcs", "host-vmx", "compat-check")


class BenchFailure(Exception):
    pass


def parse(serial: bytes) -> "tuple[dict[str, tuple[int, bytes]], str | None]":
    steps: "dict[str, tuple[int, bytes]]" = {}
    done = None
    current = None
    body: "list[bytes]" = []
    for raw in serial.split(b"\n"):
        line = raw.rstrip(b"\r")
        text = line.decode("utf-8", "replace")
        if current is None:
            if match := BEGIN.match(text):
                current, body = match["step"], []
            elif match := DONE.match(text):
                done = match["how"]
            continue
        if match := END.match(text):
            if match["step"] != current:
                raise BenchFailure(f"step {current}: its END marker is missing (found {match['step']}'s)")
            content = b"".join(part + b"\n" for part in body)
            if hashlib.md5(content).hexdigest() != match["md5"]:
                raise BenchFailure(f"step {current}: the serial output is damaged (md5 differs)")
            steps[current] = (int(match["rc"]), content)
            current = None
        else:
            body.append(line)
    if current is not None:
        raise BenchFailure(f"step {current}: output cut off (no END marker; the guest stopped or timed out)")
    return steps, done


def tail(content: bytes, lines: int = 15) -> str:
    return "\n".join(content.decode("utf-8", "replace").splitlines()[-lines:])


def write(out: str, steps: "dict[str, tuple[int, bytes]]") -> None:
    for step, (_, content) in steps.items():
        name = FILES.get(step)
        if step == "host-tree":
            unpack_host_tree(content, os.path.join(out, "host-tree"))
        elif name:
            with open(os.path.join(out, name), "wb") as handle:
                handle.write(content)


def unpack_host_tree(content: bytes, tree: str) -> None:
    # Lines that are not base64 (a diagnostic from an older init) are not part of the archive.
    encoded = b"".join(line for line in content.split(b"\n") if line and b" " not in line)
    try:
        with tarfile.open(fileobj=io.BytesIO(base64.b64decode(encoded)), mode="r:gz") as archive:
            archive.extractall(tree, filter="data")
    except (ValueError, tarfile.TarError, OSError) as error:
        raise BenchFailure(f"step host-tree: the archive cannot be unpacked ({error})") from error


def check(steps: "dict[str, tuple[int, bytes]]", done: "str | None") -> None:
    for step in FILES:
        if step not in steps:
            raise BenchFailure(f"step {step}: never ran (the guest stopped after {done or 'an unknown step'})")
        rc, content = steps[step]
        if rc != 0:
            raise BenchFailure(f"step {step}: exit status {rc}:\n{tail(content)}")
    for step in JSON_ANSWERS + ("probe",):
        try:
            document = json.loads(steps[step][1])
        except ValueError as error:
            raise BenchFailure(f"step {step}: not JSON ({error}):\n{tail(steps[step][1])}") from error
        if step != "probe" and "result" not in document:
            raise BenchFailure(f"step {step}: the daemon answered an error: {document.get('error')}")
    if done != "ok":
        raise BenchFailure(f"the guest did not finish (last marker: {done})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serial", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--kernel-package", required=True)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--cpu-model", required=True)
    parser.add_argument("--bochs", required=True)
    parser.add_argument("--boot-seconds", type=int, required=True)
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)
    try:
        try:
            with open(arguments.serial, "rb") as handle:
                serial = handle.read()
        except OSError as error:
            raise BenchFailure(f"step boot: no serial output ({error.strerror})") from error
        with open(os.path.join(arguments.out, "serial.log"), "wb") as handle:
            handle.write(serial)
        if b"@@BENCH BEGIN" not in serial:
            raise BenchFailure("step boot: the guest never reached /init:\n" + tail(serial))
        steps, done = parse(serial)
        write(arguments.out, steps)
        check(steps, done)
    except BenchFailure as failure:
        with open(os.path.join(arguments.out, "FAILED"), "w") as handle:
            handle.write(str(failure) + "\n")
        print(f"intel-bench: {failure}", file=sys.stderr)
        return 1
    profile = json.loads(steps["probe"][1])
    bench = {
        "schema": "evmcsd.intel-bench-run/1",
        "kernelPackage": arguments.kernel_package,
        "suite": arguments.suite,
        "kernelRelease": profile.get("kernel", {}).get("release"),
        "cpuModel": arguments.cpu_model,
        "bochs": arguments.bochs,
        "bootSeconds": arguments.boot_seconds,
    }
    with open(os.path.join(arguments.out, "bench.json"), "w") as handle:
        json.dump(bench, handle, indent=2, sort_keys=True)
        handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
