"""Fixtures: a real evmcsd on a temporary socket with a recorded profile, killed afterwards;
OpenRPC result-schema validation of every live answer; running code as nobody."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
REPO = PACKAGE_ROOT.parent.parent
sys.path.insert(0, str(PACKAGE_ROOT / "src"))

import evmcsd  # noqa: E402
from evmcsd.types import NOTIFICATION_TYPES, RESULT_TYPES  # noqa: E402

from schemacheck import OpenRPC  # noqa: E402

EVMCSD_BIN = os.environ.get("EVMCSD_BIN") or str(REPO / ".build/debug/evmcsd")
EVMCSCTL_BIN = os.environ.get("EVMCSCTL_BIN") or str(Path(EVMCSD_BIN).parent / "evmcsctl")
MEASURED = REPO / "Tests/Fixtures/measured"
EXAMPLES = REPO / "Docs/examples"
# The daemon's profile in most tests: Debian 12's 6.1 on Skylake-X, measured.
PROFILE = MEASURED / "debian12-6.1.0-50-skylakex/profile.json"
OPENRPC_PATH = REPO / "Docs/openrpc.json"
NOBODY_UID = 65534
# nobody may not be able to run this interpreter (e.g. under /root/.pyenv): the client needs
# only the standard library, so the system's python3 does.
NOBODY_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
NOGROUP_GID = 65534


def pytest_configure(config: pytest.Config) -> None:
    if not Path(EVMCSD_BIN).is_file():
        raise pytest.UsageError(f"no evmcsd at {EVMCSD_BIN}: run `swift build` or set EVMCSD_BIN")


@pytest.fixture(scope="session")
def openrpc() -> OpenRPC:
    return OpenRPC(json.loads(OPENRPC_PATH.read_text()))


class Daemon:
    """One evmcsd process on a socket in its own directory (mode 0755, so that nobody can reach
    the socket when its mode allows)."""

    def __init__(
        self,
        root: Path,
        *,
        profile: Path = PROFILE,
        config: Optional[str] = None,
        socket_mode: Optional[str] = None,
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.root = root
        self.socket = str(root / "s.sock")
        self.profile_path = root / "profile.json"
        shutil.copyfile(profile, self.profile_path)
        self.config_path: Optional[Path] = None
        if config is not None:
            self.config_path = root / "evmcsd.toml"
            self.config_path.write_text(config)
        self.socket_mode = socket_mode
        self.log_path = root / "daemon.log"
        self.extra_env = env or {}
        self.process: Optional["subprocess.Popen[bytes]"] = None

    def start(self) -> "Daemon":
        notify_path = str(self.root / "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(0.2)
        args = [EVMCSD_BIN, "--socket", self.socket, "--cache-dir", str(self.root / "cache"), "--profile", str(self.profile_path)]
        if self.config_path is not None:
            args += ["--config", str(self.config_path)]
        else:
            # No stray /etc/evmcsd/evmcsd.toml: an empty configuration file.
            empty = self.root / "empty.toml"
            empty.write_text("")
            args += ["--config", str(empty)]
        if self.socket_mode is not None:
            args += ["--socket-mode", self.socket_mode]
        env = dict(os.environ, NOTIFY_SOCKET=notify_path, **self.extra_env)
        env.pop("LISTEN_FDS", None)
        env.pop("LISTEN_PID", None)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        try:
            while True:
                try:
                    if b"READY=1" in notify.recv(4096):
                        return self
                except socket.timeout:
                    pass
                if self.process.poll() is not None:
                    raise RuntimeError(f"evmcsd exited with {self.process.returncode}:\n{self.log()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"evmcsd sent no READY=1 in 30 s:\n{self.log()}")
        finally:
            notify.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def set_profile(self, profile: Dict[str, Any]) -> None:
        """Replaces the recorded profile file (atomically); SIGHUP or cache.refresh re-reads it."""
        temporary = self.profile_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(profile))
        os.replace(temporary, self.profile_path)

    def read_profile(self) -> Dict[str, Any]:
        return json.loads(self.profile_path.read_text())  # type: ignore[no-any-return]

    def stop(self) -> Optional[int]:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"evmcsd did not stop on SIGTERM in 10 s:\n{self.log()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def client(self, **kwargs: Any) -> evmcsd.Client:
        return evmcsd.Client(self.socket, **kwargs)


def _reachable_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="evmcsd-py-"))
    root.chmod(0o755)
    return root


@pytest.fixture
def make_daemon() -> Iterator[Callable[..., Daemon]]:
    """make_daemon(profile=…, config=…, socket_mode=…) starts a daemon; each is stopped (and
    killed if need be) and its directory removed after the test."""
    started: List[Daemon] = []
    roots: List[Path] = []

    def make(**kwargs: Any) -> Daemon:
        root = _reachable_dir()
        roots.append(root)
        daemon = Daemon(root, **kwargs)
        started.append(daemon)
        return daemon.start()

    yield make
    for daemon in started:
        try:
            daemon.stop()
        finally:
            daemon.kill()
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def daemon() -> Iterator[Daemon]:
    """One daemon for a module's read-only tests."""
    root = _reachable_dir()
    started = Daemon(root).start()
    try:
        yield started
    finally:
        try:
            started.stop()
        finally:
            started.kill()
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def client(daemon: Daemon) -> Iterator[evmcsd.Client]:
    with daemon.client() as connected:
        yield connected


def check_result(openrpc: OpenRPC, method: str, result: Any) -> None:
    """The result validates against the method's result schema in Docs/openrpc.json
    (jsonschema), and carries no key its typed result lacks and every key it marks required."""
    openrpc.validate_result(method, result)
    typed = RESULT_TYPES[method] if method in RESULT_TYPES else NOTIFICATION_TYPES[method]
    if typed is not None:
        problems = typed_key_problems(typed, result, method)
        assert not problems, f"{method}: the live answer does not fit evmcsd.types:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="session")
def check_answer(openrpc: OpenRPC) -> Callable[[str, Any], None]:
    """check_answer(method, result): check_result, explicitly."""

    def check(method: str, result: Any) -> None:
        check_result(openrpc, method, result)

    return check


@pytest.fixture(autouse=True)
def validate_every_answer(openrpc: OpenRPC, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every result any test gets through Client or AsyncClient, and every profile.changed event,
    is checked with check_result; a failure fails the test that got the answer."""
    failures: List[str] = []
    counted: List[int] = [0]

    def record(method: str, result: Any) -> None:
        if method not in RESULT_TYPES and method not in NOTIFICATION_TYPES:
            return
        counted[0] += 1
        try:
            check_result(openrpc, method, result)
        except AssertionError as error:
            failures.append(str(error))

    original_submit = evmcsd.Client.submit

    def submit(self: evmcsd.Client, method: str, params: Any = None) -> Any:
        future = original_submit(self, method, params)

        def check(done: Any) -> None:
            if not done.cancelled() and done.exception() is None:
                record(method, done.result())

        future.add_done_callback(check)
        return future

    original_call = evmcsd.AsyncClient.call

    async def call(self: evmcsd.AsyncClient, method: str, params: Any = None, **kwargs: Any) -> Any:
        result = await original_call(self, method, params, **kwargs)
        record(method, result)
        return result

    original_take = evmcsd.Subscription._take
    original_async_take = evmcsd.AsyncSubscription._take

    def take(self: evmcsd.Subscription, timeout: Any) -> Any:
        event = original_take(self, timeout)
        if event is not None:
            record("profile.changed", event)
        return event

    async def async_take(self: evmcsd.AsyncSubscription, timeout: Any) -> Any:
        event = await original_async_take(self, timeout)
        if event is not None:
            record("profile.changed", event)
        return event

    monkeypatch.setattr(evmcsd.Client, "submit", submit)
    monkeypatch.setattr(evmcsd.AsyncClient, "call", call)
    monkeypatch.setattr(evmcsd.Subscription, "_take", take)
    monkeypatch.setattr(evmcsd.AsyncSubscription, "_take", async_take)
    yield
    assert not failures, f"{len(failures)} of {counted[0]} live answers failed validation; the first:\n{failures[0]}"


def typed_key_problems(typed: Any, value: Any, where: str) -> List[str]:
    """What in ``value`` does not fit the TypedDict ``typed`` (recursively)."""
    import typing

    problems: List[str] = []
    if not (isinstance(typed, type) and hasattr(typed, "__required_keys__")):
        origin = typing.get_origin(typed)
        args = typing.get_args(typed)
        if origin in (list, List) and isinstance(value, list) and args:
            for index, element in enumerate(value):
                problems += typed_key_problems(args[0], element, f"{where}.{index}")
        elif origin in (dict, Dict) and isinstance(value, dict) and len(args) == 2:
            for key, element in value.items():
                problems += typed_key_problems(args[1], element, f"{where}.{key}")
        return problems
    if not isinstance(value, dict):
        return [f"{where}: expected an object for {typed.__name__}, got {json.dumps(value)[:80]}"]
    hints = typing.get_type_hints(typed)
    for key in sorted(typed.__required_keys__ - value.keys()):
        problems.append(f"{where}: {typed.__name__} requires {key!r}, absent")
    for key in sorted(value.keys() - hints.keys()):
        problems.append(f"{where}: {key!r} is not a key of {typed.__name__}")
    for key in sorted(value.keys() & hints.keys()):
        problems += typed_key_problems(hints[key], value[key], f"{where}.{key}")
    return problems


def run_as_nobody(code: str, *, timeout: float = 60) -> "subprocess.CompletedProcess[str]":
    """Runs Python ``code`` as nobody:nogroup (no supplementary groups), with this package on
    the path."""
    if os.getuid() != 0:
        pytest.skip("switching to nobody needs root")

    def demote() -> None:
        os.setgroups([])
        os.setgid(NOGROUP_GID)
        os.setuid(NOBODY_UID)

    env = dict(os.environ, PYTHONPATH=str(PACKAGE_ROOT / "src"))
    env.pop("EVMCSD_SOCKET", None)
    return subprocess.run(
        [NOBODY_PYTHON, "-c", code], capture_output=True, text=True, timeout=timeout, preexec_fn=demote, env=env, cwd="/"
    )


def load(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def go_available() -> bool:
    return shutil.which("go") is not None


def run(args: Sequence[str], **kwargs: Any) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kwargs)
