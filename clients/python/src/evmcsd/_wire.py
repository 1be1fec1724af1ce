"""What the sync and asyncio clients share: request encoding, params, answer handling."""

from __future__ import annotations

import errno
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .errors import (
    ConnectionLostError,
    DaemonNotRunningError,
    EVMCSDError,
    PermissionDeniedError,
    ProtocolViolationError,
    error_from_object,
)

JSONObject = Dict[str, Any]


def encode_request(request_id: Optional[int], method: str, params: Optional[Mapping[str, Any]]) -> bytes:
    request: JSONObject = {"jsonrpc": "2.0", "method": method}
    if request_id is not None:
        request["id"] = request_id
    if params is not None:
        request["params"] = dict(params)
    return json.dumps(request, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def connect_error(path: str, error: OSError) -> EVMCSDError:
    """The exception for a failed connect(2), with a message that says what to do."""
    code = error.errno if error.errno is not None else 0
    reason = os.strerror(code) if code else str(error)
    if code in (errno.EACCES, errno.EPERM):
        return PermissionDeniedError(
            f"no permission to connect to {path} ({reason}): join the socket's group (evmcsd) or run as root"
        )
    return DaemonNotRunningError(
        f"evmcsd is not running at {path} ({reason}): start it (systemctl start evmcsd.socket, or make run) "
        "or give another socket (EVMCSD_SOCKET)"
    )


def connection_lost(path: str) -> ConnectionLostError:
    return ConnectionLostError(f"the connection to evmcsd at {path} was lost; is the daemon restarting?")


def result_of(message: JSONObject) -> Any:
    """The result of a response, or raise its error as the exception of its code."""
    if "error" in message:
        raise error_from_object(message["error"])
    if "result" not in message:
        raise ProtocolViolationError(f"unexpected answer from evmcsd: neither result nor error: {json.dumps(message)[:200]}")
    return message["result"]


def _put(params: JSONObject, key: str, value: Any) -> None:
    if value is not None:
        params[key] = value


def check_params(
    vm: Optional[Mapping[str, Any]] = None,
    *,
    source: Optional[Mapping[str, Any]] = None,
    qemu_cpu: Optional[str] = None,
    target: Optional[Mapping[str, Any]] = None,
    evmcs: Optional[bool] = None,
    perf_global_ctrl: Optional[bool] = None,
    nested_state: Optional[bool] = None,
) -> JSONObject:
    """compat.check's params: ``{vm, to?}``, ``{from, evmcs?, perfGlobalCtrl?, nestedState?, to?}`` or
    ``{qemuCPU, from?, to?}`` (Docs/protocol.md). Which one is the daemon's to judge: a mix it
    refuses comes back as InvalidParamsError."""
    params: JSONObject = {}
    _put(params, "vm", dict(vm) if vm is not None else None)
    _put(params, "qemuCPU", qemu_cpu)
    _put(params, "from", dict(source) if source is not None else None)
    _put(params, "evmcs", evmcs)
    _put(params, "perfGlobalCtrl", perf_global_ctrl)
    _put(params, "nestedState", nested_state)
    _put(params, "to", dict(target) if target is not None else None)
    return params


def fleet_params(
    profiles: Sequence[Mapping[str, Any]],
    *,
    include_local: Optional[bool] = None,
    evmcs: Optional[bool] = None,
    perf_global_ctrl: Optional[bool] = None,
    nested_state: Optional[bool] = None,
) -> JSONObject:
    params: JSONObject = {"profiles": [dict(profile) for profile in profiles]}
    _put(params, "includeLocal", include_local)
    _put(params, "evmcs", evmcs)
    _put(params, "perfGlobalCtrl", perf_global_ctrl)
    _put(params, "nestedState", nested_state)
    return params


def vmx_params(view: Optional[str]) -> Optional[JSONObject]:
    return None if view is None else {"view": view}
