"""Offline loaders: profiles and VM requirements from files, with errors naming the file, the
field and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import evmcsd
from conftest import EXAMPLES, MEASURED


@pytest.mark.parametrize("path", sorted(str(p) for p in MEASURED.glob("*/profile.json")) + [str(EXAMPLES / "skylake-6.8.json")])
def test_load_profile(path: str) -> None:
    profile = evmcsd.load_profile(path)
    assert profile["schema"] == evmcsd.HOST_PROFILE_SCHEMA
    assert evmcsd.load_document(path) == profile


def test_load_vm_requirements() -> None:
    vm = evmcsd.load_vm_requirements(str(EXAMPLES / "vm-windows-evmcs.json"))
    assert vm["schema"] == evmcsd.VM_REQUIREMENTS_SCHEMA and vm["evmcs"]["enabled"] is True
    assert evmcsd.load_document(str(EXAMPLES / "vm-windows-evmcs.json")) == vm


def test_raw_msr_dump_is_a_profile(tmp_path: Path) -> None:
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps({"id": "h1", "msrs": {"0x48d": "0xff00000016"}}))
    assert dict(evmcsd.load_profile(str(dump))).get("msrs") == {"0x48d": "0xff00000016"}


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "doc.json"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "text, field, reason",
    [
        ("{", None, "not valid JSON"),
        ("[1]", "$", "expected a JSON object"),
        ('{"schema": "evmcsd.host-profile/1", "kernel": {"release": "a", "release": "b"}}', None, 'duplicate member "release"'),
        ('{"kernel": {}}', "schema", 'missing required field "schema"'),
        ('{"schema": "evmcsd.host-profile/2"}', "schema", 'unsupported schema version "evmcsd.host-profile/2"'),
        ('{"schema": "evmcsd.vm-requirements/1"}', "schema", 'is not "evmcsd.host-profile/1"'),
    ],
)
def test_profile_errors(tmp_path: Path, text: str, field: str, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(evmcsd.DocumentError) as caught:
        evmcsd.load_profile(path)
    assert caught.value.path == path and caught.value.field == field
    assert reason in caught.value.reason and str(caught.value).startswith(path + ": ")


def test_vm_requirements_errors(tmp_path: Path) -> None:
    path = write(tmp_path, '{"schema": "evmcsd.vm-requirements/1", "evmcs": {"version": 1}}')
    with pytest.raises(evmcsd.DocumentError, match='evmcs.enabled: missing required field "enabled"'):
        evmcsd.load_vm_requirements(path)
    with pytest.raises(evmcsd.DocumentError, match="cannot read"):
        evmcsd.load_vm_requirements(str(tmp_path / "absent.json"))
    with pytest.raises(evmcsd.DocumentError, match='"schema" must be'):
        evmcsd.load_document(write(tmp_path, '{"schema": "evmcsd.verdict/1"}'))
    # A DocumentError is a ValueError.
    with pytest.raises(ValueError):
        evmcsd.load_document(write(tmp_path, "{"))


def test_the_daemon_judges_the_contents(client: evmcsd.Client, tmp_path: Path) -> None:
    """What the loader lets through (well-formed, right schema) the daemon still checks, with
    the path inside the params."""
    path = write(tmp_path, '{"schema": "evmcsd.vm-requirements/1", "evmcs": {"enabled": true}, "vmx": {"0x48d": "0x1g"}}')
    with pytest.raises(evmcsd.InvalidDocumentError) as caught:
        client.check(evmcsd.load_vm_requirements(path))
    assert caught.value.data["field"] == "params.vm.vmx.0x48d"
