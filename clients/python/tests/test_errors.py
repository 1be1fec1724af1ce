"""Every error code the daemon can produce, each provoked against the real daemon and raised as
its own exception class (Docs/protocol.md, Errors)."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import threading
import time
from typing import Any, Callable, Dict, List

import pytest

import evmcsd
from conftest import EXAMPLES, Daemon, load, run_as_nobody

MakeDaemon = Callable[..., Daemon]


def raised(answer: Dict[str, Any]) -> evmcsd.EVMCSDError:
    assert "error" in answer, answer
    return evmcsd.error_from_object(answer["error"])


def test_every_documented_code_has_its_class(openrpc: Any) -> None:
    documented = {error["code"] for error in openrpc.document["components"]["errors"].values()}
    assert documented == set(evmcsd.ERROR_CLASSES), "Docs/openrpc.json's errors and evmcsd.ERROR_CLASSES differ"
    for code, cls in evmcsd.ERROR_CLASSES.items():
        error = evmcsd.error_from_object({"code": code, "message": "m", "data": {"reason": "r"}})
        assert type(error) is cls and error.code == code and error.message == "m" and error.data == {"reason": "r"}
        assert str(error) == f"m: r ({code})"


def test_unknown_code_is_the_base_class() -> None:
    error = evmcsd.error_from_object({"code": -32099, "message": "Something new", "data": [1]})
    assert type(error) is evmcsd.EVMCSDError
    assert (error.code, error.message, error.data) == (-32099, "Something new", [1])


def test_parse_error_32700(client: evmcsd.Client) -> None:
    answer = client.send_raw(b'{"jsonrpc":"2.0","id":1,')
    error = raised(answer)
    assert isinstance(error, evmcsd.ParseError) and error.code == -32700
    assert answer["id"] is None
    assert set(error.data) == {"offset", "reason"}
    # The connection stays usable.
    assert client.status()["ready"] is True


def test_invalid_request_32600(client: evmcsd.Client) -> None:
    error = raised(client.send_raw(b'{"jsonrpc":"2.0","id":"no-method"}'))
    assert isinstance(error, evmcsd.InvalidRequestError) and error.code == -32600
    assert "method" in error.data["reason"]
    duplicate = raised(client.send_raw(b'{"jsonrpc":"2.0","id":"dup","method":"daemon.status","method":"host.evmcs"}'))
    assert isinstance(duplicate, evmcsd.InvalidRequestError)
    assert duplicate.data["field"] == "method"
    empty_batch = client.send_raw(b"[]")
    assert isinstance(raised(empty_batch), evmcsd.InvalidRequestError) and empty_batch["id"] is None


def test_method_not_found_32601(client: evmcsd.Client) -> None:
    with pytest.raises(evmcsd.MethodNotFoundError) as caught:
        client.call("host.nothing")
    assert caught.value.code == -32601


def test_invalid_params_32602(client: evmcsd.Client) -> None:
    with pytest.raises(evmcsd.InvalidParamsError) as caught:
        client.vmx("bogus")
    assert caught.value.code == -32602
    assert caught.value.data["field"] == "params.view"
    assert "params.view" in str(caught.value)
    with pytest.raises(evmcsd.InvalidParamsError) as qemu:
        client.check(qemu_cpu="Skylake-Server-v4,+vmx-posted-intrr")
    assert qemu.value.data["field"] == "params.qemuCPU"
    with pytest.raises(evmcsd.InvalidParamsError):
        client.call("daemon.status", {"extra": 1})


def test_params_of_a_method_without_params_are_absent_or_empty(client: evmcsd.Client) -> None:
    """protocol.md: a method without params takes them absent or empty ({} or []); else -32602."""
    for empty in (b"[]", b"{}"):
        answer = client.send_raw(b'{"jsonrpc":"2.0","id":"e","method":"host.history","params":' + empty + b"}")
        assert "result" in answer, json.dumps(answer)[:200]
    for given in (b"[1]", b'{"a":1}'):
        answer = client.send_raw(b'{"jsonrpc":"2.0","id":"g","method":"host.history","params":' + given + b"}")
        assert answer["error"]["code"] == -32602, json.dumps(answer)[:200]
        assert answer["error"]["data"]["reason"] == "host.history takes no params"


@pytest.mark.skip(reason="-32603 internal error: a daemon bug by definition (logged, details never sent); no request provokes it from outside")
def test_internal_error_32603() -> None:
    pass


def test_overloaded_32000(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(config="[limits]\nmax-connections = 1\nreserved-connections = 0\n")
    with daemon.client() as first:
        assert first.status()["ready"]
        second = daemon.client()
        try:
            with pytest.raises(evmcsd.OverloadedError) as caught:
                second.status()
            assert caught.value.code == -32000
            assert caught.value.data == {"limit": 1, "reason": "total limit", "uid": os.getuid()}
            # The daemon closed that connection: later calls say why, too.
            with pytest.raises(evmcsd.EVMCSDError):
                second.status()
        finally:
            second.close()


def test_request_too_large_32001(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(config="[limits]\nmax-line-bytes = 1024\n")
    with daemon.client() as client:
        vm = load(EXAMPLES / "vm-windows-evmcs.json")
        vm["name"] = "x" * 2000
        with pytest.raises(evmcsd.RequestTooLargeError) as caught:
            client.check(vm)
        assert caught.value.code == -32001
        # Then the connection is closed.
        with pytest.raises((evmcsd.ConnectionLostError, evmcsd.RequestTooLargeError)):
            client.status()


def test_batch_too_large_32002(client: evmcsd.Client) -> None:
    batch = [{"jsonrpc": "2.0", "id": f"b{i}", "method": "daemon.status"} for i in range(65)]
    answer = client.send_raw(json.dumps(batch).encode())
    error = raised(answer)
    assert isinstance(error, evmcsd.BatchTooLargeError) and error.code == -32002
    assert answer["id"] is None


def test_shutting_down_32003(make_daemon: MakeDaemon) -> None:
    """Lines received but not started when SIGTERM arrives get -32003: a thread keeps pipelining
    expensive requests (the daemon reads at most max-pending-requests ahead), SIGTERM lands in
    the middle. Requests written but never read end with ConnectionLostError."""
    profiles = [load(EXAMPLES / "skylake-5.10.json"), load(EXAMPLES / "skylake-6.8.json"), load(EXAMPLES / "skylake-5.10.46.json")]
    seen: List[evmcsd.EVMCSDError] = []
    for _attempt in range(3):
        daemon = make_daemon()
        client = daemon.client(timeout=30)
        futures: List[Any] = []

        def pipeline() -> None:
            for _ in range(3000):
                try:
                    futures.append(client.submit("compat.pools", {"profiles": profiles, "evmcs": True}))
                except evmcsd.ConnectionLostError:
                    return

        sender = threading.Thread(target=pipeline)
        sender.start()
        try:
            time.sleep(0.5)
            daemon.signal(signal.SIGTERM)
            sender.join(timeout=60)
            for future in futures:
                try:
                    future.result(timeout=30)
                except evmcsd.ShuttingDownError as error:
                    seen.append(error)
                except evmcsd.ConnectionLostError:
                    pass
        finally:
            client.close()
            sender.join(timeout=5)
        if seen:
            break
    if not seen:
        pytest.skip("-32003: SIGTERM never found a received-but-unstarted line in 3 attempts (timing)")
    assert seen[0].code == -32003
    assert isinstance(seen[0], evmcsd.ShuttingDownError)


def test_not_authorized_32011(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(socket_mode="0666")
    if os.getuid() != 0:
        with daemon.client() as client, pytest.raises(evmcsd.NotAuthorizedError) as caught:
            client.refresh()
        assert caught.value.code == -32011
        return
    result = run_as_nobody(
        textwrap.dedent(
            f"""
            import json, evmcsd
            with evmcsd.Client({daemon.socket!r}) as client:
                assert client.status()["ready"]
                for call in (client.refresh, client.reload):
                    try:
                        call()
                        print("NO ERROR")
                    except evmcsd.NotAuthorizedError as error:
                        print(json.dumps({{"code": error.code, "data": error.data, "text": str(error)}}))
            """
        )
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["code"] for line in lines] == [-32011, -32011]
    assert lines[0]["data"]["method"] == "cache.refresh" and lines[0]["data"]["uid"] == 65534
    assert lines[1]["data"]["method"] == "daemon.reload"


def test_admin_group_member_is_authorized(make_daemon: MakeDaemon) -> None:
    """The other side of -32011: a member of authorization.admin-group may call the admin methods."""
    daemon = make_daemon(socket_mode="0666", config='[authorization]\nadmin-group = "nogroup"\n')
    result = run_as_nobody(
        f"import evmcsd\nwith evmcsd.Client({daemon.socket!r}) as c:\n    print(c.refresh()['changed'], c.reload()['reloaded'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_invalid_document_32012(client: evmcsd.Client) -> None:
    vm = load(EXAMPLES / "vm-windows-evmcs.json")
    vm["vmx"]["0x48d"] = "zz"
    with pytest.raises(evmcsd.InvalidDocumentError) as caught:
        client.check(vm)
    assert caught.value.code == -32012
    assert caught.value.data["field"] == "params.vm.vmx.0x48d"
    with pytest.raises(evmcsd.InvalidDocumentError) as profile:
        client.baseline([{"schema": "evmcsd.host-profile/2"}])
    assert profile.value.data["field"].startswith("params.profiles.0")


def test_probe_failed_32013(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon()
    with daemon.client() as client:
        fingerprint = client.status()["fingerprint"]
        daemon.profile_path.write_text("{ not json")
        with pytest.raises(evmcsd.ProbeFailedError) as caught:
            client.refresh()
        assert caught.value.code == -32013
        assert str(daemon.profile_path) in caught.value.data["reason"]
        # The last good profile stays served.
        status = client.status()
        assert status["cache"]["state"] == "stale" and status["fingerprint"] == fingerprint


@pytest.mark.skip(
    reason="-32014 not ready cannot be provoked from outside: evmcsd installs its first profile (recorded or "
    "live, even an unsupported one) before it listens, and exits when a --profile file is unusable at start"
)
def test_not_ready_32014() -> None:
    pass


def test_reload_failed_32015(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon(config="[limits]\nmax-batch = 64\n")
    assert daemon.config_path is not None
    with daemon.client() as client:
        daemon.config_path.write_text("[limits]\nmax-batch = 0\n")
        with pytest.raises(evmcsd.ReloadFailedError) as caught:
            client.reload()
        assert caught.value.code == -32015
        assert "max-batch" in caught.value.data["reason"]


def test_fleet_failed_32016(client: evmcsd.Client) -> None:
    no_evmcs = {"schema": "evmcsd.host-profile/1", "cpu": {"vendor": "GenuineIntel"}, "kernel": {"release": "6.1.0-27-amd64"}}
    with pytest.raises(evmcsd.FleetFailedError) as caught:
        client.baseline([no_evmcs], evmcs=True)
    assert caught.value.code == -32016
    assert "eVMCS" in caught.value.data["reason"]


def test_overloaded_32000_async(make_daemon: MakeDaemon) -> None:
    import asyncio

    daemon = make_daemon(config="[limits]\nmax-connections = 1\nreserved-connections = 0\n")

    async def main() -> None:
        async with await evmcsd.AsyncClient.connect(daemon.socket) as first:
            await first.status()
            second = await evmcsd.AsyncClient.connect(daemon.socket)
            try:
                with pytest.raises(evmcsd.OverloadedError) as caught:
                    await second.status()
                assert caught.value.data["reason"] == "total limit"
            finally:
                await second.close()

    asyncio.run(main())
