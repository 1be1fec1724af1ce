"""profile.changed after a SIGHUP re-probe reaches subscribers (sync and asyncio); the event
iterators end when the daemon goes away."""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import Any, Callable, List

import pytest

import evmcsd
from conftest import Daemon

MakeDaemon = Callable[..., Daemon]
Check = Callable[[str, Any], None]


def change_fingerprint(daemon: Daemon) -> None:
    """Flips vmx-preemption-timer (allowed-1 bit 6, bit 38 of IA32_VMX_TRUE_PINBASED_CTLS) in the
    recorded profile's system view."""
    profile = daemon.read_profile()
    old = int(profile["vmx"]["system"]["0x48d"], 16)
    profile["vmx"]["system"]["0x48d"] = f"0x{old ^ (1 << 38):016x}"
    assert profile["vmx"]["system"]["0x48d"] != f"0x{old:016x}"
    daemon.set_profile(profile)


def test_sighup_reprobe_is_delivered(make_daemon: MakeDaemon, check_answer: Check) -> None:
    daemon = make_daemon()
    with daemon.client() as client, client.subscribe() as events:
        old = events.fingerprint
        assert old == client.status()["fingerprint"]
        change_fingerprint(daemon)
        daemon.signal(signal.SIGHUP)
        event = events.get(timeout=20)
        check_answer("profile.changed", event)
        assert event["fingerprintChanged"] is True
        assert event["oldFingerprint"] == old
        assert event["newFingerprint"] == client.status()["fingerprint"] != old
        assert event["trigger"].startswith("SIGHUP")
        assert [change["path"] for change in event["changes"]] == ["vmx.system.0x48d"]
        history = client.history()
        check_answer("host.history", history)
        assert history["changes"][-1] == event


def test_every_subscriber_connection_gets_it(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon()
    with daemon.client() as first, daemon.client() as second:
        one, two = first.subscribe(), second.subscribe()
        assert first.status()["counters"]["subscribers"] == 2
        change_fingerprint(daemon)
        daemon.signal(signal.SIGHUP)
        assert one.get(timeout=20)["newFingerprint"] == two.get(timeout=20)["newFingerprint"]


def test_iteration_ends_when_the_daemon_stops(make_daemon: MakeDaemon) -> None:
    daemon = make_daemon()
    received: List[Any] = []
    with daemon.client() as client:
        events = client.subscribe()

        def consume() -> None:
            for event in events:  # ends when the connection closes
                received.append(event)

        consumer = threading.Thread(target=consume)
        consumer.start()
        change_fingerprint(daemon)
        daemon.signal(signal.SIGHUP)
        for _ in range(200):
            if received:
                break
            threading.Event().wait(0.1)
        assert daemon.stop() == 0
        consumer.join(timeout=20)
        assert not consumer.is_alive(), "the subscription did not end when the daemon stopped"
        assert len(received) == 1
        with pytest.raises(evmcsd.ConnectionLostError):
            client.status()


def test_async_subscription(make_daemon: MakeDaemon, check_answer: Check) -> None:
    daemon = make_daemon()

    async def main() -> None:
        async with await evmcsd.AsyncClient.connect(daemon.socket) as client:
            subscription = await client.subscribe()
            old = subscription.fingerprint
            change_fingerprint(daemon)
            daemon.signal(signal.SIGHUP)
            event = await subscription.get(timeout=20)
            check_answer("profile.changed", event)
            assert event["oldFingerprint"] == old and event["fingerprintChanged"]
            # A second change, then the daemon stops: async for gets it and ends.
            change_fingerprint(daemon)  # flips the bit back
            daemon.signal(signal.SIGHUP)
            seen = []
            async for change in subscription:
                seen.append(change)
                await asyncio.get_running_loop().run_in_executor(None, daemon.stop)
            assert len(seen) == 1 and seen[0]["oldFingerprint"] == event["newFingerprint"]

    asyncio.run(asyncio.wait_for(main(), 60))


def test_unsubscribe_without_subscription_returns_the_fingerprint(client: evmcsd.Client, check_answer: Check) -> None:
    """Docs/protocol.md: events.unsubscribe answers {subscribed, fingerprint}."""
    result = client.unsubscribe()
    check_answer("events.unsubscribe", result)
    assert result.get("subscribed") is False
    assert result.get("fingerprint") == client.status()["fingerprint"], (
        "events.unsubscribe on a connection that never "
        f"subscribed answers {result}, without the fingerprint Docs/protocol.md documents"
    )
