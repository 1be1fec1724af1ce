"""1,000 requests pipelined on one connection, answers matched by id: from one thread
(submit), from many threads (call), and from asyncio tasks."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, List

import evmcsd
from conftest import Daemon

VIEWS = ["system", "vcpu", "guest", "guestPerfGlobalCtrl"]


def expected(index: int) -> str:
    return VIEWS[index % len(VIEWS)]


def test_thousand_pipelined_from_one_thread(daemon: Daemon) -> None:
    with daemon.client() as client:
        before = client.status()["counters"]["connectionsAccepted"]
        futures = [client.submit("host.vmx", {"view": expected(i)}) for i in range(1000)]
        results: List[Dict[str, Any]] = [future.result(timeout=60) for future in futures]
        for index, result in enumerate(results):
            assert list(result["views"]) == [expected(index)], f"answer {index} belongs to another request"
        # One connection for all of them.
        assert client.status()["counters"]["connectionsAccepted"] == before


def test_thousand_from_sixteen_threads_on_one_connection(daemon: Daemon) -> None:
    failures: List[str] = []
    with daemon.client() as client:

        def worker(offset: int) -> None:
            for i in range(offset, 1000, 16):
                result = client.vmx(expected(i))
                if list(result["views"]) != [expected(i)]:
                    failures.append(f"request {i} got {list(result['views'])}")

        threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not failures


def test_thousand_pipelined_asyncio(daemon: Daemon) -> None:
    async def main() -> List[Any]:
        async with await evmcsd.AsyncClient.connect(daemon.socket) as client:
            calls = [client.vmx(expected(i)) for i in range(1000)]
            # Mixed with other methods and with failures, which must not disturb the matching.
            failing = client.vmx("bogus")
            results = await asyncio.gather(*calls, failing, return_exceptions=True)
            return list(results)

    results = asyncio.run(main())
    for index, result in enumerate(results[:1000]):
        assert not isinstance(result, BaseException), result
        assert list(result["views"]) == [expected(index)]
    assert isinstance(results[1000], evmcsd.InvalidParamsError)


def test_timeout_leaves_the_connection_usable(daemon: Daemon) -> None:
    with daemon.client(timeout=0.000001) as client:
        try:
            client.pools([])
        except evmcsd.CallTimeoutError as error:
            assert "compat.pools" in str(error)
        # A late answer to the abandoned call is dropped; the next call gets its own.
        assert client.call("host.vmx", {"view": "guest"}, timeout=30)["views"].keys() == {"guest"}
