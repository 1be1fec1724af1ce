"""The synchronous client: one connection, a reader thread, calls from any thread pipelined
and matched by id."""

from __future__ import annotations

import concurrent.futures
import json
import queue
import socket
import threading
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, cast

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


class Client:
    """A connection to evmcsd.

    ``Client()`` connects to the default socket (``$EVMCSD_SOCKET``, ``/run/evmcsd/evmcsd.sock``,
    ``$XDG_RUNTIME_DIR/evmcsd/evmcsd.sock``) or raises DaemonNotRunningError /
    PermissionDeniedError. Each call waits ``timeout`` seconds for its answer. The client is safe
    to share between threads: requests are pipelined on the one connection and the answers
    matched by id; ``submit`` pipelines from a single thread. Use it as a context manager, or
    call ``close()``.
    """

    def __init__(self, socket_path: Optional[str] = None, *, timeout: float = 30.0) -> None:
        self.socket_path = socket_path if socket_path else default_socket_path()
        self.timeout = timeout
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.socket_path)
        except OSError as error:
            sock.close()
            raise _wire.connect_error(self.socket_path, error) from None
        self._sock = sock
        self._reader_file = sock.makefile("rb")
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._pending: Dict[int, "concurrent.futures.Future[Dict[str, Any]]"] = {}
        self._raw_waiters: List["concurrent.futures.Future[Any]"] = []
        self._subscribers: List["queue.Queue[object]"] = []
        self._next_id = 1
        self._closed: Optional[EVMCSDError] = None
        self._server_error: Optional[EVMCSDError] = None
        self._reader = threading.Thread(target=self._read_loop, name="evmcsd-client-reader", daemon=True)
        self._reader.start()

    # Lifecycle.

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; calls in flight fail with ConnectionLostError and
        subscriptions end."""
        with self._state_lock:
            if self._closed is None:
                self._closed = ConnectionLostError(f"the connection to evmcsd at {self.socket_path} was closed by this client")
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if threading.current_thread() is not self._reader:
            self._reader.join(timeout=5)
        self._reader_file.close()
        self._sock.close()

    @property
    def closed(self) -> bool:
        return self._closed is not None

    # Calls.

    def submit(self, method: str, params: Optional[Mapping[str, Any]] = None) -> "concurrent.futures.Future[Any]":
        """Sends a request now and returns a future of its result (the exception of its error
        code on failure); many may be outstanding."""
        answer: "concurrent.futures.Future[Dict[str, Any]]" = concurrent.futures.Future()
        with self._state_lock:
            if self._closed is not None:
                raise self._closed
            request_id = self._next_id
            self._next_id += 1
            self._pending[request_id] = answer
        try:
            self._send(_wire.encode_request(request_id, method, params), request_id)
        except EVMCSDError:
            # The daemon may have answered before it closed (e.g. -32000 for the connection).
            if not answer.done():
                raise
        result: "concurrent.futures.Future[Any]" = concurrent.futures.Future()

        def settle(done: "concurrent.futures.Future[Dict[str, Any]]") -> None:
            try:
                result.set_result(_wire.result_of(done.result()))
            except BaseException as error:  # the call's own exception, re-raised by result()
                result.set_exception(error)

        answer.add_done_callback(settle)
        setattr(result, "_evmcsd_id", request_id)
        return result

    def call(self, method: str, params: Optional[Mapping[str, Any]] = None, *, timeout: Optional[float] = None) -> Any:
        """Calls ``method`` and returns its result, or raises the exception of its error code."""
        future = self.submit(method, params)
        try:
            return future.result(timeout=self.timeout if timeout is None else timeout)
        except concurrent.futures.TimeoutError:
            with self._state_lock:
                self._pending.pop(getattr(future, "_evmcsd_id"), None)
            raise CallTimeoutError(f"evmcsd did not answer {method} in time") from None

    def notify(self, method: str, params: Optional[Mapping[str, Any]] = None) -> None:
        """Sends a notification (a request without id): executed, never answered."""
        with self._state_lock:
            if self._closed is not None:
                raise self._closed
        self._send(_wire.encode_request(None, method, params), None)

    def send_raw(self, line: bytes, *, timeout: Optional[float] = None) -> Any:
        """Diagnostics: sends one pre-encoded line (``\\n`` is added) and returns the next answer
        that matches no call of this client (a response to the line's own id, an error with id
        null, a batch's array), as decoded JSON, errors included. Do not reuse this client's
        ids (small integers) in such lines."""
        waiter: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        with self._state_lock:
            if self._closed is not None:
                raise self._closed
            self._raw_waiters.append(waiter)
        self._send(line.rstrip(b"\n") + b"\n", None)
        try:
            return waiter.result(timeout=self.timeout if timeout is None else timeout)
        except concurrent.futures.TimeoutError:
            with self._state_lock:
                if waiter in self._raw_waiters:
                    self._raw_waiters.remove(waiter)
            raise CallTimeoutError("evmcsd did not answer the raw line in time") from None

    def _send(self, data: bytes, request_id: Optional[int]) -> None:
        try:
            with self._write_lock:
                self._sock.sendall(data)
        except OSError:
            # The daemon closed the connection (e.g. after a -32000 line): let the reader read
            # what it sent before closing, which says why.
            if threading.current_thread() is not self._reader:
                self._reader.join(timeout=1)
            error = self._closed or self._server_error or _wire.connection_lost(self.socket_path)
            if request_id is not None:
                with self._state_lock:
                    self._pending.pop(request_id, None)
            raise error from None

    # The reader thread.

    def _read_loop(self) -> None:
        failure: Optional[EVMCSDError] = None
        try:
            for line in self._reader_file:
                if not line.strip():
                    continue
                self._dispatch(line)
        except ProtocolViolationError as error:
            failure = error
        except (OSError, ValueError):
            pass
        with self._state_lock:
            if self._closed is None:
                self._closed = failure or self._server_error or _wire.connection_lost(self.socket_path)
            closed = self._closed
            pending = list(self._pending.values())
            self._pending.clear()
            waiters, self._raw_waiters = self._raw_waiters, []
            subscribers = list(self._subscribers)
        for future in pending:
            if not future.done():
                future.set_exception(closed)
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(closed)
        for subscriber in subscribers:
            subscriber.put(_END)

    def _dispatch(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError as error:
            raise ProtocolViolationError(f"unexpected answer from evmcsd: not JSON ({error}): {line[:200]!r}") from None
        if isinstance(message, dict) and "id" not in message and isinstance(message.get("method"), str):
            if message["method"] == PROFILE_CHANGED:
                with self._state_lock:
                    subscribers = list(self._subscribers)
                for subscriber in subscribers:
                    subscriber.put(message.get("params"))
            return
        with self._state_lock:
            target: Optional["concurrent.futures.Future[Any]"] = None
            if isinstance(message, dict) and message.get("id") is not None:
                target = self._pending.pop(message["id"], None) if isinstance(message["id"], int) else None
            elif isinstance(message, dict) and "error" in message and not self._raw_waiters:
                # An error with id null answers the oldest request (answers come in request
                # order); with none outstanding it is about the connection (e.g. -32000).
                if self._pending:
                    target = self._pending.pop(next(iter(self._pending)))
                else:
                    self._server_error = error_from_object(message["error"])
                    return
            if target is None and self._raw_waiters:
                target = self._raw_waiters.pop(0)
        if target is not None and not target.done():
            target.set_result(message)

    # The methods (Docs/protocol.md).

    def discover(self) -> OpenRPCDocument:
        """The OpenRPC document (rpc.discover)."""
        return cast(OpenRPCDocument, self.call("rpc.discover"))

    def status(self) -> DaemonStatus:
        return cast(DaemonStatus, self.call("daemon.status"))

    def profile(self) -> HostProfile:
        return cast(HostProfile, self.call("host.profile"))

    def evmcs(self) -> HostEVMCSReport:
        return cast(HostEVMCSReport, self.call("host.evmcs"))

    def vmx(self, view: Optional[str] = None) -> HostVMXReport:
        """The VMX views, or only ``view`` (system, vcpu, guest, guestPerfGlobalCtrl)."""
        return cast(HostVMXReport, self.call("host.vmx", _wire.vmx_params(view)))

    def history(self) -> ProfileHistory:
        return cast(ProfileHistory, self.call("host.history"))

    def check(
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
        """compat.check: the verdict for ``vm`` (VM requirements), for a VM started on
        ``source`` (a host profile) with its defaults, or for ``qemu_cpu``; on this host, or on
        ``target`` (a host profile)."""
        params = _wire.check_params(
            vm,
            source=source,
            qemu_cpu=qemu_cpu,
            target=target,
            evmcs=evmcs,
            perf_global_ctrl=perf_global_ctrl,
            nested_state=nested_state,
        )
        return cast(Verdict, self.call("compat.check", params))

    def baseline(
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
        return cast(Baseline, self.call("compat.baseline", params))

    def pools(
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
        return cast(Pools, self.call("compat.pools", params))

    def refresh(self) -> RefreshResult:
        """cache.refresh (admin: root or the admin group)."""
        return cast(RefreshResult, self.call("cache.refresh"))

    def reload(self) -> ReloadResult:
        """daemon.reload (admin: root or the admin group)."""
        return cast(ReloadResult, self.call("daemon.reload"))

    def unsubscribe(self) -> SubscriptionResult:
        """events.unsubscribe: no more profile.changed on this connection."""
        return cast(SubscriptionResult, self.call("events.unsubscribe"))

    def subscribe(self) -> "Subscription":
        """events.subscribe; the returned Subscription iterates over profile.changed events
        and ends when the connection closes."""
        events: "queue.Queue[object]" = queue.Queue()
        with self._state_lock:
            self._subscribers.append(events)
        try:
            result = cast(SubscriptionResult, self.call("events.subscribe"))
        except BaseException:
            self._drop_subscriber(events)
            raise
        return Subscription(self, events, result)

    def _drop_subscriber(self, events: "queue.Queue[object]") -> None:
        with self._state_lock:
            if events in self._subscribers:
                self._subscribers.remove(events)


class Subscription:
    """``profile.changed`` events of one ``subscribe()``: iterate (blocking) or ``get(timeout)``.
    Iteration ends when the connection closes; ``close()`` unsubscribes."""

    def __init__(self, client: Client, events: "queue.Queue[object]", result: SubscriptionResult) -> None:
        self._client = client
        self._events = events
        self.result = result
        self.fingerprint: Optional[str] = result.get("fingerprint")
        self._ended = False

    def __iter__(self) -> Iterator[ProfileChanged]:
        return self

    def __next__(self) -> ProfileChanged:
        event = self._take(None)
        if event is None:
            raise StopIteration
        return event

    def get(self, timeout: Optional[float] = None) -> ProfileChanged:
        """The next event; CallTimeoutError after ``timeout`` seconds, ConnectionLostError
        once the connection has closed."""
        event = self._take(timeout)
        if event is None:
            raise _wire.connection_lost(self._client.socket_path)
        return event

    def _take(self, timeout: Optional[float]) -> Optional[ProfileChanged]:
        if self._ended:
            return None
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            raise CallTimeoutError(f"no profile.changed within {timeout} s") from None
        if item is _END:
            self._ended = True
            return None
        return cast(ProfileChanged, item)

    def close(self) -> SubscriptionResult:
        """Stops this iterator and unsubscribes the connection (events.unsubscribe: other
        Subscriptions of the same client get no more events either)."""
        self._client._drop_subscriber(self._events)
        self._events.put(_END)
        return self._client.unsubscribe()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._client.closed:
            try:
                self.close()
            except EVMCSDError:
                pass
