"""The connection's failure paths: no daemon, a dead socket, the daemon going away,
permission denied; and the default socket rules of evmcsctl."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import textwrap
from pathlib import Path
from typing import Callable

import pytest

import evmcsd
from conftest import Daemon, run_as_nobody

MakeDaemon = Callable[..., Daemon]


def test_no_socket_file(tmp_path: Path) -> None:
    path = str(tmp_path / "absent.sock")
    with pytest.raises(evmcsd.DaemonNotRunningError) as caught:
        evmcsd.Client(path)
    assert caught.value.code is None
    assert path in str(caught.value) and "No such file or directory" in str(caught.value)
    assert "start it" in str(caught.value)


def test_socket_file_without_listener(tmp_path: Path) -> None:
    path = str(tmp_path / "dead.sock")
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()
    with pytest.raises(evmcsd.DaemonNotRunningError) as caught:
        evmcsd.Client(path)
    assert "Connection refused" in str(caught.value)


def test_async_no_daemon(tmp_path: Path) -> None:
    with pytest.raises(evmcsd.DaemonNotRunningError):
        asyncio.run(evmcsd.AsyncClient.connect(str(tmp_path / "absent.sock")))


def test_daemon_stops_under_a_connection(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon()
    client = daemon.client()
    try:
        assert client.status()["ready"]
        daemon.stop()
        with pytest.raises(evmcsd.ConnectionLostError) as caught:
            client.status()
        assert daemon.socket in str(caught.value)
    finally:
        client.close()


def test_daemon_killed_with_calls_in_flight(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon()
    with daemon.client() as client:
        daemon.kill()
        with pytest.raises(evmcsd.ConnectionLostError):
            for _ in range(100):
                client.status()


def test_closed_client_refuses_calls(daemon: Daemon) -> None:
    client = daemon.client()
    client.close()
    with pytest.raises(evmcsd.ConnectionLostError) as caught:
        client.status()
    assert "closed by this client" in str(caught.value)


def test_permission_denied(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(socket_mode="0600")
    assert os.stat(daemon.socket).st_mode & 0o777 == 0o600
    result = run_as_nobody(
        textwrap.dedent(
            f"""
            import json, evmcsd
            try:
                evmcsd.Client({daemon.socket!r})
                print(json.dumps({{"error": None}}))
            except evmcsd.EVMCSDError as error:
                print(json.dumps({{"error": type(error).__name__, "text": str(error)}}))
            """
        )
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["error"] == "PermissionDeniedError", outcome
    assert daemon.socket in outcome["text"] and "group" in outcome["text"]


def test_default_socket_rules(tmp_path: Path) -> None:
    system = evmcsd.SYSTEM_SOCKET
    assert evmcsd.default_socket_path({"EVMCSD_SOCKET": "/x.sock"}, uid=1000) == "/x.sock"
    assert evmcsd.default_socket_path({"EVMCSD_SOCKET": "/x.sock"}, uid=0) == "/x.sock"
    assert evmcsd.default_socket_path({"EVMCSD_SOCKET": "", "XDG_RUNTIME_DIR": "/run/user/0"}, uid=0) == system
    if not os.path.exists(system):
        assert evmcsd.default_socket_path({"XDG_RUNTIME_DIR": "/run/user/1000"}, uid=1000) == "/run/user/1000/evmcsd/evmcsd.sock"
        assert evmcsd.default_socket_path({"XDG_RUNTIME_DIR": ""}, uid=1000) == "/tmp/evmcsd-1000/evmcsd.sock"
        assert evmcsd.default_socket_path({}, uid=1000) == "/tmp/evmcsd-1000/evmcsd.sock"
    else:
        assert evmcsd.default_socket_path({"XDG_RUNTIME_DIR": "/run/user/1000"}, uid=1000) == system


def test_default_socket_is_evmcsctls(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVMCSD_SOCKET", daemon.socket)
    with evmcsd.Client() as client:
        assert client.socket_path == daemon.socket
        assert client.status()["socket"] == daemon.socket


def test_default_socket_as_nobody(tmp_path: Path) -> None:
    """As a non-root user the same rules as evmcsctl: XDG_RUNTIME_DIR (checked against the Swift
    rules: when the system socket exists, it wins)."""
    result = run_as_nobody(
        "import os, evmcsd; os.environ.pop('EVMCSD_SOCKET', None); os.environ['XDG_RUNTIME_DIR'] = '/run/user/65534'; "
        "print(evmcsd.default_socket_path())"
    )
    assert result.returncode == 0, result.stderr
    expected = evmcsd.SYSTEM_SOCKET if os.path.exists(evmcsd.SYSTEM_SOCKET) else "/run/user/65534/evmcsd/evmcsd.sock"
    assert result.stdout.strip() == expected
