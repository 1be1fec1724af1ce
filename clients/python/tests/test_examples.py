"""The Python example, run as a program and used as a library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import evmcsd
from conftest import EXAMPLES, MEASURED, PACKAGE_ROOT, Daemon, load

EXAMPLE = PACKAGE_ROOT / "examples" / "nova_precheck.py"
sys.path.insert(0, str(EXAMPLE.parent))

import nova_precheck  # noqa: E402

MakeDaemon = Callable[..., Daemon]


def run_example(*args: str) -> "subprocess.CompletedProcess[str]":
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_ROOT / "src"))
    return subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True, text=True, timeout=60, env=env)


def test_refused_with_the_reasons(daemon: Daemon) -> None:
    result = run_example(str(EXAMPLES / "vm-windows-evmcs.json"), "--socket", daemon.socket)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("Migration pre-check error: win2022-vbs cannot run on debian12-6.1.0-50-skylakex (incompatible)")
    assert "evmcs-guest-view-lost MSR(48FH).vmx-exit-save-preemption-timer [bit 22]" in result.stdout


def test_accepted_returns_migrate_data(daemon: Daemon, tmp_path: Path) -> None:
    with daemon.client() as client:
        vm = client.baseline([load(MEASURED / "debian11-5.10.0-32-skylakex/profile.json")], evmcs=True)["requirements"]
    path = tmp_path / "vm.json"
    path.write_text(json.dumps(vm))
    result = run_example(str(path), "--socket", daemon.socket)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["evmcsd"]["checked"] is True and data["evmcsd"]["target"] == "debian12-6.1.0-50-skylakex"


def test_as_a_library(daemon: Daemon) -> None:
    check = nova_precheck.EVMCSDestinationCheck(daemon.socket)
    instance = {"uuid": "4f0c…", "evmcs_requirements": load(EXAMPLES / "vm-windows-evmcs.json")}
    with pytest.raises(nova_precheck.MigrationPreCheckError) as caught:
        check.check_can_live_migrate_destination(None, instance, {}, {}, block_migration=False)
    assert caught.value.reasons == [{"code": "evmcs-guest-view-lost", "label": "MSR(48FH).vmx-exit-save-preemption-timer [bit 22]"}]
    assert check.check_can_live_migrate_destination(None, {"uuid": "x"}) == {"evmcsd": {"checked": False}}


def test_fails_closed_without_a_daemon(tmp_path: Path) -> None:
    check = nova_precheck.EVMCSDestinationCheck(str(tmp_path / "absent.sock"))
    with pytest.raises(nova_precheck.MigrationPreCheckError, match="evmcsd is not running") as caught:
        check.check_can_live_migrate_destination(None, {"uuid": "x", "evmcs_requirements": load(EXAMPLES / "vm-windows-evmcs.json")})
    assert isinstance(caught.value.__cause__, evmcsd.DaemonNotRunningError)
