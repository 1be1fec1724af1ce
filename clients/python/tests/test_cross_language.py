"""The Swift CLI (evmcsctl check --json), the Python client and the Go client (the nodefilter
example, -json) give the same verdict — compatible flag, level, reason codes and labels — on
the same documents."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import evmcsd
from conftest import EVMCSCTL_BIN, EXAMPLES, MEASURED, REPO, Daemon

GO_MODULE = REPO / "clients" / "go"

Summary = Tuple[bool, str, List[Tuple[str, str]]]


def summary(verdict: Any) -> Summary:
    return (
        bool(verdict["compatible"]),
        str(verdict["level"]),
        [(reason["code"], reason.get("label") or reason.get("field") or "") for reason in verdict["reasons"]],
    )


@pytest.fixture(scope="module")
def nodefilter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    assert go is not None, "go is not installed (make test-clients installs golang-go)"
    binary = tmp_path_factory.mktemp("go") / "nodefilter"
    result = subprocess.run(
        [go, "build", "-o", str(binary), "./examples/nodefilter"], cwd=GO_MODULE, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"go build ./examples/nodefilter failed:\n{result.stderr}"
    return binary


@pytest.fixture(scope="module")
def evmcsctl() -> str:
    assert Path(EVMCSCTL_BIN).is_file(), f"no evmcsctl at {EVMCSCTL_BIN} (swift build, or set EVMCSCTL_BIN)"
    return EVMCSCTL_BIN


def swift_verdict(evmcsctl: str, args: List[str], socket: Optional[str] = None) -> Any:
    env = dict(os.environ)
    if socket:
        env["EVMCSD_SOCKET"] = socket
    result = subprocess.run([evmcsctl, "check", *args, "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode in (0, 1), f"evmcsctl check {' '.join(args)}: exit {result.returncode}\n{result.stderr}"
    verdict = json.loads(result.stdout)
    assert (result.returncode == 0) == verdict["compatible"], "evmcsctl's exit status and verdict disagree"
    return verdict


def go_verdict(nodefilter: Path, socket: str, args: List[str], host: Path) -> Dict[str, Any]:
    result = subprocess.run([str(nodefilter), "-socket", socket, "-json", *args, str(host)], capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), f"nodefilter: exit {result.returncode}\n{result.stderr}"
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 1
    line: Dict[str, Any] = lines[0]
    return {
        "compatible": line["compatible"],
        "level": line["level"],
        "reasons": [{"code": code, "label": label} for code, label in zip(line["reasons"], line["labels"])],
    }


SKYLAKE_61 = MEASURED / "debian12-6.1.0-50-skylakex/profile.json"
SKYLAKE_612 = MEASURED / "debian13-6.12.117-skylakex/profile.json"
SKYLAKE_510 = MEASURED / "debian11-5.10.0-32-skylakex/profile.json"
HASWELL_61 = MEASURED / "debian12-6.1.0-50-haswell/profile.json"

FROM_CASES = [
    # Debian 11's 5.10.46 (era 5.6) to a measured 6.1: refused, eVMCS hides controls the guest saw.
    pytest.param(EXAMPLES / "skylake-5.10.46.json", SKYLAKE_61, False, id="5.10.46-to-6.1-refused"),
    pytest.param(EXAMPLES / "skylake-5.10.46.json", SKYLAKE_612, False, id="5.10.46-to-6.12-refused"),
    # Measured Debian 11 (5.10.0-32) to measured Debian 13 (6.12), same CPU: compatible.
    pytest.param(SKYLAKE_510, SKYLAKE_612, True, id="5.10.0-32-to-6.12-compatible"),
    pytest.param(SKYLAKE_61, SKYLAKE_612, True, id="6.1-to-6.12-compatible"),
    # Skylake-X to Haswell: refused for missing features.
    pytest.param(SKYLAKE_61, HASWELL_61, False, id="skylakex-to-haswell-refused"),
]


@pytest.mark.parametrize("source, target, compatible", FROM_CASES)
def test_started_on_source_same_verdict(
    daemon: Daemon, evmcsctl: str, nodefilter: Path, source: Path, target: Path, compatible: bool
) -> None:
    swift = swift_verdict(evmcsctl, ["--from", str(source), "--to", str(target), "--evmcs"])
    with daemon.client() as client:
        python = client.check(source=evmcsd.load_profile(str(source)), target=evmcsd.load_profile(str(target)), evmcs=True)
    go = go_verdict(nodefilter, daemon.socket, ["-from", str(source), "-evmcs"], target)
    assert summary(swift) == summary(python) == summary(go)
    assert swift["compatible"] is compatible
    if "5.10.46" in source.name:
        assert "evmcs-guest-view-lost" in {code for code, _ in summary(swift)[2]}, "the lost controls are named"


@pytest.mark.parametrize("target", [SKYLAKE_61, SKYLAKE_612, EXAMPLES / "skylake-6.8.json", HASWELL_61], ids=lambda p: p.parent.name if p.name == "profile.json" else p.stem)
def test_vm_requirements_same_verdict(daemon: Daemon, evmcsctl: str, nodefilter: Path, target: Path) -> None:
    vm = EXAMPLES / "vm-windows-evmcs.json"
    swift = swift_verdict(evmcsctl, ["--vm", str(vm), "--profile", str(target)])
    with daemon.client() as client:
        python = client.check(evmcsd.load_vm_requirements(str(vm)), target=evmcsd.load_profile(str(target)))
    go = go_verdict(nodefilter, daemon.socket, ["-vm", str(vm)], target)
    assert summary(swift) == summary(python) == summary(go)


def test_against_the_daemons_host_same_verdict(daemon: Daemon, evmcsctl: str) -> None:
    """Without a target the verdict is against the daemon's host, for evmcsctl as for Python."""
    source = EXAMPLES / "skylake-5.10.46.json"
    swift = swift_verdict(evmcsctl, ["--from", str(source), "--evmcs"], socket=daemon.socket)
    with daemon.client() as client:
        python = client.check(source=evmcsd.load_profile(str(source)), evmcs=True)
    assert summary(swift) == summary(python)
    assert python["compatible"] is False
