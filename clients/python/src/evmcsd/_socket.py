"""The default socket, by the same rules as evmcsctl and the Swift EVMCSClient."""

from __future__ import annotations

import os
from typing import Mapping, Optional

SYSTEM_SOCKET = "/run/evmcsd/evmcsd.sock"


def default_socket_path(environ: Optional[Mapping[str, str]] = None, uid: Optional[int] = None) -> str:
    """``$EVMCSD_SOCKET`` when set and not empty; else the system daemon's
    ``/run/evmcsd/evmcsd.sock`` when running as root or when it exists; else the per-user
    ``$XDG_RUNTIME_DIR/evmcsd/evmcsd.sock``; else ``/tmp/evmcsd-<uid>/evmcsd.sock``."""
    env = os.environ if environ is None else environ
    if uid is None:
        uid = os.getuid()
    explicit = env.get("EVMCSD_SOCKET", "")
    if explicit:
        return explicit
    if uid == 0 or os.access(SYSTEM_SOCKET, os.F_OK):
        return SYSTEM_SOCKET
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime:
        return runtime + "/evmcsd/evmcsd.sock"
    return f"/tmp/evmcsd-{uid}/evmcsd.sock"
