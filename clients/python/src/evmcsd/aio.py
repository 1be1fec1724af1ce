"""The asyncio client: one connection, a reader task, calls from many tasks pipelined and
matched by id."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Sequence, cast

from . import _wire
from ._socket import default_socket_path
from .errors import CallTimeoutError, ConnectionLostError, EVMCSDError, ProtocolViolationError, error_from_object
from .types import (
    PROFILE_CHANGED,
    Baseline,
    DaemonStatus,
    HostEVMCSReport,
    HostProfile,
    HostVMXReport,
    OpenRPCDocument,
    Pools,
    ProfileChanged,
    ProfileHistory,
    RefreshResult,
    ReloadResult,
    SubscriptionResult,
    Verdict,
)

_END = object()


class AsyncClient:
    """A connection to evmcsd for asyncio: ``client = await AsyncClient.connect()`` (or
    ``async with await AsyncClient.connect() as client``). The same methods as Client, as
    coroutines; calls from many tasks are pipelined on the one connection and matched by id by
    a reader task."""

    def __init__(self, socket_path: str, sock: socket.socket, timeout: float) -> None:
        # The socket itself, not asyncio's streams: a failed write (the daemon closed the
        # connection) must not stop the reader before it has read the daemon's last line.
        self.socket_path = socket_path
        self.timeout = timeout
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._write_lock = asyncio.Lock()
        self._pending: Dict[int, "asyncio.Future[Dict[str, Any]]"] = {}
        self._raw_waiters: List["asyncio.Future[Any]"] = []
        self._subscribers: List["asyncio.Queue[object]"] = []
        self._next_id = 1
        self._closed: Optional[EVMCSDError] = None
        self._server_error: Optional[EVMCSDError] = None
        self._task = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def connect(cls, socket_path: Optional[str] = None, *, timeout: float = 30.0) -> "AsyncClient":
        """Connects to evmcsd (default socket as for Client); raises DaemonNotRunningError or
        PermissionDeniedError."""
        path = socket_path if socket_path else default_socket_path()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, path)
        except OSError as error:
            sock.close()
            raise _wire.connect_error(path, error) from None
        return cls(path, sock, timeout)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the connection; calls in flight fail with ConnectionLostError and
        subscriptions end."""
        if self._closed is None:
            self._closed = ConnectionLostError(f"the connection to evmcsd at {self.socket_path} was closed by this client")
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if not self._task.done():
            await asyncio.wait([self._task], timeout=5)
        if not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._sock.close()
        self._finish()

    @property
    def closed(self) -> bool:
        return self._closed is not None

    async def call(self, method: str, params: Optional[Mapping[str, Any]] = None, *, timeout: Optional[float] = None) -> Any:
        """Calls ``method`` and returns its result, or raises the exception of its error code."""
        if self._closed is not None:
            raise self._closed
        request_id = self._next_id
        self._next_id += 1
        answer: "asyncio.Future[Dict[str, Any]]" = asyncio.get_running_loop().create_future()
        self._pending[request_id] = answer
        try:
            await self._send(_wire.encode_request(request_id, method, params), request_id)
        except EVMCSDError:
            # The daemon may have answered before it closed (e.g. -32000 for the connection).
            if not answer.done():
                raise
        try:
            message = await asyncio.wait_for(answer, self.timeout if timeout is None else timeout)
        except asyncio.TimeoutError:
            self._pending.pop(request_id, None)
            raise CallTimeoutError(f"evmcsd did not answer {method} in time") from None
        return _wire.result_of(message)

    async def notify(self, method: str, params: Optional[Mapping[str, Any]] = None) -> None:
        if self._closed is not None:
            raise self._closed
        await self._send(_wire.encode_request(None, method, params), None)

    async def send_raw(self, line: bytes, *, timeout: Optional[float] = None) -> Any:
        """Diagnostics, as Client.send_raw."""
        if self._closed is not None:
            raise self._closed
        waiter: "asyncio.Future[Any]" = asyncio.get_running_loop().create_future()
        self._raw_waiters.append(waiter)
        await self._send(line.rstrip(b"\n") + b"\n", None)
        try:
            return await asyncio.wait_for(waiter, self.timeout if timeout is None else timeout)
        except asyncio.TimeoutError:
            if waiter in self._raw_waiters:
                self._raw_waiters.remove(waiter)
            raise CallTimeoutError("evmcsd did not answer the raw line in time") from None

    async def _send(self, data: bytes, request_id: Optional[int]) -> None:
        try:
            async with self._write_lock:
                await self._loop.sock_sendall(self._sock, data)
        except OSError:
            # The daemon closed the connection (e.g. after a -32000 line): let the reader read
            # what it sent before closing, which says why.
            if not self._task.done():
                await asyncio.wait([self._task], timeout=1)
            if request_id is not None:
                self._pending.pop(request_id, None)
            raise (self._closed or self._server_error or _wire.connection_lost(self.socket_path)) from None

    async def _read_loop(self) -> None:
        failure: Optional[EVMCSDError] = None
        buffer = bytearray()
        scanned = 0
        try:
            while True:
                chunk = await self._loop.sock_recv(self._sock, 262144)
                if not chunk:
                    break
                buffer += chunk
                while True:
                    end = buffer.find(b"\n", scanned)
                    if end < 0:
                        scanned = len(buffer)
                        break
                    line = bytes(buffer[: end + 1])
                    del buffer[: end + 1]
                    scanned = 0
                    if line.strip():
                        self._dispatch(line)
        except ProtocolViolationError as error:
            failure = error
        except OSError:
            pass
        if self._closed is None:
            self._closed = failure or self._server_error or _wire.connection_lost(self.socket_path)
        self._finish()

    def _finish(self) -> None:
        error = self._closed or _wire.connection_lost(self.socket_path)
        pending = list(self._pending.values())
        self._pending.clear()
        waiters, self._raw_waiters = self._raw_waiters, []
        for future in pending + waiters:
            if not future.done():
                future.set_exception(error)
        for subscriber in self._subscribers:
            subscriber.put_nowait(_END)
        self._subscribers = []

    def _dispatch(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError as error:
            raise ProtocolViolationError(f"unexpected answer from evmcsd: not JSON ({error}): {line[:200]!r}") from None
        if isinstance(message, dict) and "id" not in message and isinstance(message.get("method"), str):
            if message["method"] == PROFILE_CHANGED:
                for subscriber in self._subscribers:
                    subscriber.put_nowait(message.get("params"))
            return
        target: Optional["asyncio.Future[Any]"] = None
        if isinstance(message, dict) and message.get("id") is not None:
            target = self._pending.pop(message["id"], None) if isinstance(message["id"], int) else None
        elif isinstance(message, dict) and "error" in message and not self._raw_waiters:
            if self._pending:
                target = self._pending.pop(next(iter(self._pending)))
            else:
                self._server_error = error_from_object(message["error"])
                return
        if target is None and self._raw_waiters:
            target = self._raw_waiters.pop(0)
        if target is not None and not target.done():
            target.set_result(message)

    # The methods.

    async def discover(self) -> OpenRPCDocument:
        return cast(OpenRPCDocument, await self.call("rpc.discover"))

    async def status(self) -> DaemonStatus:
        return cast(DaemonStatus, await self.call("daemon.status"))

    async def profile(self) -> HostProfile:
        return cast(HostProfile, await self.call("host.profile"))

    async def evmcs(self) -> HostEVMCSReport:
        return cast(HostEVMCSReport, await self.call("host.evmcs"))

    async def vmx(self, view: Optional[str] = None) -> HostVMXReport:
        return cast(HostVMXReport, await self.call("host.vmx", _wire.vmx_params(view)))

    async def history(self) -> ProfileHistory:
        return cast(ProfileHistory, await self.call("host.history"))

    async def check(
        self,
        vm: Optional[Mapping[str, Any]] = None,
        *,
        source: Optional[Mapping[str, Any]] = None,
        qemu_cpu: Optional[str] = None,
        target: Optional[Mapping[str, Any]] = None,
        evmcs: Optional[bool] = None,
        perf_global_ctrl: Optional[bool] = None,
        nested_state: Optional[bool] = None,
    ) -> Verdict:
        params = _wire.check_params(
            vm,
            source=source,
            qemu_cpu=qemu_cpu,
            target=target,
            evmcs=evmcs,
            perf_global_ctrl=perf_global_ctrl,
            nested_state=nested_state,
        )
        return cast(Verdict, await self.call("compat.check", params))

    async def baseline(
        self,
        profiles: Sequence[Mapping[str, Any]],
        *,
        include_local: Optional[bool] = None,
        evmcs: Optional[bool] = None,
        perf_global_ctrl: Optional[bool] = None,
        nested_state: Optional[bool] = None,
    ) -> Baseline:
        params = _wire.fleet_params(
            profiles, include_local=include_local, evmcs=evmcs, perf_global_ctrl=perf_global_ctrl, nested_state=nested_state
        )
        return cast(Baseline, await self.call("compat.baseline", params))

    async def pools(
        self,
        profiles: Sequence[Mapping[str, Any]],
        *,
        include_local: Optional[bool] = None,
        evmcs: Optional[bool] = None,
        perf_global_ctrl: Optional[bool] = None,
        nested_state: Optional[bool] = None,
    ) -> Pools:
        params = _wire.fleet_params(
            profiles, include_local=include_local, evmcs=evmcs, perf_global_ctrl=perf_global_ctrl, nested_state=nested_state
        )
        return cast(Pools, await self.call("compat.pools", params))

    async def refresh(self) -> RefreshResult:
        return cast(RefreshResult, await self.call("cache.refresh"))

    async def reload(self) -> ReloadResult:
        return cast(ReloadResult, await self.call("daemon.reload"))

    async def unsubscribe(self) -> SubscriptionResult:
        return cast(SubscriptionResult, await self.call("events.unsubscribe"))

    async def subscribe(self) -> "AsyncSubscription":
        """events.subscribe; ``async for event in subscription`` yields profile.changed
        events and ends when the connection closes."""
        events: "asyncio.Queue[object]" = asyncio.Queue()
        self._subscribers.append(events)
        try:
            result = cast(SubscriptionResult, await self.call("events.subscribe"))
        except BaseException:
            if events in self._subscribers:
                self._subscribers.remove(events)
            raise
        return AsyncSubscription(self, events, result)

    def _drop_subscriber(self, events: "asyncio.Queue[object]") -> None:
        if events in self._subscribers:
            self._subscribers.remove(events)


class AsyncSubscription:
    """``profile.changed`` events of one ``subscribe()``, as an async iterator."""

    def __init__(self, client: AsyncClient, events: "asyncio.Queue[object]", result: SubscriptionResult) -> None:
        self._client = client
        self._events = events
        self.result = result
        self.fingerprint: Optional[str] = result.get("fingerprint")
        self._ended = False

    def __aiter__(self) -> AsyncIterator[ProfileChanged]:
        return self

    async def __anext__(self) -> ProfileChanged:
        event = await self._take(None)
        if event is None:
            raise StopAsyncIteration
        return event

    async def get(self, timeout: Optional[float] = None) -> ProfileChanged:
        event = await self._take(timeout)
        if event is None:
            raise _wire.connection_lost(self._client.socket_path)
        return event

    async def _take(self, timeout: Optional[float]) -> Optional[ProfileChanged]:
        if self._ended:
            return None
        try:
            item = await asyncio.wait_for(self._events.get(), timeout)
        except asyncio.TimeoutError:
            raise CallTimeoutError(f"no profile.changed within {timeout} s") from None
        if item is _END:
            self._ended = True
            return None
        return cast(ProfileChanged, item)

    async def close(self) -> SubscriptionResult:
        self._client._drop_subscriber(self._events)
        self._events.put_nowait(_END)
        return await self._client.unsubscribe()

    async def __aenter__(self) -> "AsyncSubscription":
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self._client.closed:
            try:
                await self.close()
            except EVMCSDError:
                pass
