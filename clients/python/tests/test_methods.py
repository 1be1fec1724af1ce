"""Every method against the real daemon; every answer validated against Docs/openrpc.json and
held against evmcsd.types."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import evmcsd
from conftest import EXAMPLES, MEASURED, PROFILE, Daemon, load

Check = Callable[[str, Any], None]


def test_discover_is_the_openrpc_document(client: evmcsd.Client, check_answer: Check, openrpc: Any) -> None:
    document = client.discover()
    check_answer("rpc.discover", document)
    assert document["openrpc"].startswith("1.3")
    assert {method["name"] for method in document["methods"]} == set(evmcsd.RESULT_TYPES)
    # rpc.discover and Docs/openrpc.json agree (the daemon's own test says so too).
    assert document == openrpc.document


def test_status(client: evmcsd.Client, daemon: Daemon, check_answer: Check) -> None:
    status = client.status()
    check_answer("daemon.status", status)
    assert status["ready"] is True
    assert status["pid"] == daemon.pid
    assert status["socket"] == daemon.socket
    assert status["source"] == f"recorded {daemon.profile_path}"
    assert status["fingerprint"].startswith("sha256:")
    assert status["evmcsSupported"] is True
    assert status["cache"]["state"] in ("fresh", "loaded", "verified", "stale", "empty")
    assert set(status["counters"]["connectionsRefused"]) == {"per-uid limit", "reserved", "total limit"}


def test_profile(client: evmcsd.Client, check_answer: Check) -> None:
    profile = client.profile()
    check_answer("host.profile", profile)
    assert profile["schema"] == evmcsd.HOST_PROFILE_SCHEMA
    assert profile["host"]["name"] == "debian12-6.1.0-50-skylakex"
    assert profile["fingerprint"] == client.status()["fingerprint"]


def test_evmcs(client: evmcsd.Client, check_answer: Check) -> None:
    report = client.evmcs()
    check_answer("host.evmcs", report)
    assert report["supported"] is True
    assert (report["versionLow"], report["versionHigh"]) == (1, 1)
    assert report["kernelRelease"] == "6.1.0-50-amd64"
    assert set(report["views"]) == {"guest", "guestPerfGlobalCtrl"}
    assert report["views"]["guestPerfGlobalCtrl"]["perfGlobalCtrl"] is True
    assert "vmx-preemption-timer" in report["views"]["guest"]["removed"]


def test_vmx_every_view(client: evmcsd.Client, check_answer: Check) -> None:
    everything = client.vmx()
    check_answer("host.vmx", everything)
    assert set(everything["views"]) == {"system", "vcpu", "guest", "guestPerfGlobalCtrl"}
    for view in ("system", "vcpu", "guest", "guestPerfGlobalCtrl"):
        only = client.vmx(view)
        check_answer("host.vmx", only)
        assert list(only["views"]) == [view]
        assert only["views"][view]["msrs"] == everything["views"][view]["msrs"]


def test_history_starts_empty(client: evmcsd.Client, check_answer: Check) -> None:
    history = client.history()
    check_answer("host.history", history)
    assert history == {"capacity": 32, "changes": []}


def test_check_vm_requirements_document(client: evmcsd.Client, check_answer: Check) -> None:
    vm = evmcsd.load_vm_requirements(str(EXAMPLES / "vm-windows-evmcs.json"))
    verdict = client.check(vm)
    check_answer("compat.check", verdict)
    assert verdict["schema"] == "evmcsd.verdict/1"
    assert verdict["compatible"] is False
    assert verdict["vm"] == "win2022-vbs"
    assert [reason["code"] for reason in verdict["reasons"]] == ["evmcs-guest-view-lost"]
    # The bare document as params means the same as {"vm": …}.
    assert client.call("compat.check", vm) == verdict


def test_check_vm_to_another_profile(client: evmcsd.Client, check_answer: Check) -> None:
    vm = evmcsd.load_vm_requirements(str(EXAMPLES / "vm-windows-evmcs.json"))
    target = evmcsd.load_profile(str(EXAMPLES / "skylake-6.8.json"))
    verdict = client.check(vm, target=target)
    check_answer("compat.check", verdict)
    assert verdict["target"] == "skylake-ubuntu2404"
    assert verdict["context"]["targetEra"] == "6.3"


def test_check_started_on(client: evmcsd.Client, check_answer: Check) -> None:
    source = evmcsd.load_profile(str(EXAMPLES / "skylake-5.10.46.json"))
    refused = client.check(source=source, evmcs=True)
    check_answer("compat.check", refused)
    assert refused["compatible"] is False
    assert "evmcs-guest-view-lost" in {reason["code"] for reason in refused["reasons"]}
    newer = evmcsd.load_profile(str(MEASURED / "debian11-5.10.0-32-skylakex/profile.json"))
    accepted = client.check(source=newer, evmcs=True, perf_global_ctrl=False, nested_state=False)
    check_answer("compat.check", accepted)
    assert accepted["compatible"] is True and accepted["reasons"] == []


def test_check_qemu_cpu(client: evmcsd.Client, check_answer: Check) -> None:
    verdict = client.check(qemu_cpu="Skylake-Server-v4,+vmx,hv-vapic,hv-evmcs")
    check_answer("compat.check", verdict)
    assert verdict["compatible"] is True
    assert verdict["vm"].startswith("Skylake-Server-v4 VM")
    assert any(warning["code"] == "qemu-feature-dropped" for warning in verdict["warnings"])


def test_baseline(client: evmcsd.Client, check_answer: Check) -> None:
    profiles = [load(EXAMPLES / "skylake-5.10.json"), load(EXAMPLES / "skylake-6.8.json")]
    baseline = client.baseline(profiles, evmcs=True)
    check_answer("compat.baseline", baseline)
    assert baseline["schema"] == "evmcsd.baseline/1"
    assert baseline["hosts"] == 3
    assert "hv-evmcs" in baseline["qemuCPUFlags"]
    assert baseline["requirements"]["schema"] == evmcsd.VM_REQUIREMENTS_SCHEMA
    alone = client.baseline(profiles, include_local=False, evmcs=True, nested_state=True, perf_global_ctrl=False)
    check_answer("compat.baseline", alone)
    assert alone["hosts"] == 2


def test_pools(client: evmcsd.Client, check_answer: Check) -> None:
    profiles = [load(EXAMPLES / "skylake-5.10.json"), load(EXAMPLES / "skylake-6.8.json")]
    pools = client.pools(profiles, evmcs=True)
    check_answer("compat.pools", pools)
    assert pools["schema"] == "evmcsd.pools/1"
    assert len(pools["groups"]) == 3
    assert len(pools["migrations"]) == 9
    assert pools["groups"][0]["fingerprint"] == client.status()["fingerprint"]


def test_subscribe_and_unsubscribe(client: evmcsd.Client, check_answer: Check) -> None:
    fingerprint = client.status()["fingerprint"]
    subscription = client.subscribe()
    check_answer("events.subscribe", subscription.result)
    assert subscription.result == {"subscribed": True, "fingerprint": fingerprint}
    assert client.status()["counters"]["subscribers"] >= 1
    result = subscription.close()
    check_answer("events.unsubscribe", result)
    assert result == {"subscribed": False, "fingerprint": fingerprint}


def test_refresh(client: evmcsd.Client, check_answer: Check) -> None:
    result = client.refresh()
    check_answer("cache.refresh", result)
    assert result["changed"] is False
    assert result["fingerprint"] == client.status()["fingerprint"]
    assert result["durationMicros"] >= 0


def test_reload(client: evmcsd.Client, check_answer: Check) -> None:
    result = client.reload()
    check_answer("daemon.reload", result)
    assert result == {"reloaded": True, "applied": [], "needRestart": []}


def test_notification_is_executed_not_answered(client: evmcsd.Client) -> None:
    before = client.status()["counters"]["requests"]
    client.notify("daemon.status")
    assert client.status()["counters"]["requests"] >= before + 2


def test_async_client_every_method(daemon: Daemon, check_answer: Check) -> None:
    profiles = [load(EXAMPLES / "skylake-5.10.json")]
    vm = load(EXAMPLES / "vm-windows-evmcs.json")

    async def main() -> None:
        async with await evmcsd.AsyncClient.connect(daemon.socket) as aclient:
            check_answer("rpc.discover", await aclient.discover())
            check_answer("daemon.status", await aclient.status())
            check_answer("host.profile", await aclient.profile())
            check_answer("host.evmcs", await aclient.evmcs())
            check_answer("host.vmx", await aclient.vmx("guest"))
            check_answer("host.history", await aclient.history())
            check_answer("compat.check", await aclient.check(vm))
            check_answer("compat.check", await aclient.check(source=load(PROFILE), evmcs=True))
            check_answer("compat.check", await aclient.check(qemu_cpu="Skylake-Server-v4,+vmx,hv-evmcs"))
            check_answer("compat.baseline", await aclient.baseline(profiles))
            check_answer("compat.pools", await aclient.pools(profiles))
            subscription = await aclient.subscribe()
            check_answer("events.subscribe", subscription.result)
            check_answer("events.unsubscribe", await subscription.close())
            check_answer("cache.refresh", await aclient.refresh())
            check_answer("daemon.reload", await aclient.reload())

    asyncio.run(main())
