"""Exceptions: one class per documented error code (Docs/protocol.md), plus the transport."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type


class EVMCSDError(Exception):
    """Why a call to evmcsd failed.

    ``code`` is the JSON-RPC error code (``None`` for transport failures), ``message`` the
    server's (or the client's) message, ``data`` the server's error ``data`` (or ``None``).
    ``str(error)`` adds what ``data`` says (``field: reason``), as the Swift client does.
    """

    code: Optional[int] = None

    def __init__(self, message: str, *, code: Optional[int] = None, data: Any = None) -> None:
        if code is not None:
            self.code = code
        self.message = message
        self.data = data
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = self.message
        data = self.data
        if isinstance(data, dict):
            field, reason = data.get("field"), data.get("reason")
            if isinstance(field, str) and isinstance(reason, str):
                text += f": {field}: {reason}"
            elif isinstance(reason, str):
                text += f": {reason}"
            elif self.code == NotAuthorizedError.code and isinstance(data.get("allowed"), str):
                text += f": only {data['allowed']} may call {data.get('method', 'this method')}"
        if self.code is not None:
            text += f" ({self.code})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, data={self.data!r})"


# Transport failures (no JSON-RPC code).


class TransportError(EVMCSDError):
    """The daemon could not be reached or the connection failed."""


class DaemonNotRunningError(TransportError):
    """No daemon at the socket (no socket file, or nobody listening)."""


class PermissionDeniedError(TransportError):
    """The socket exists but this user may not connect to it."""


class ConnectionLostError(TransportError):
    """The connection was closed before the answer arrived (or was closed by this client)."""


class CallTimeoutError(TransportError):
    """No answer in time."""


class ProtocolViolationError(TransportError):
    """The daemon's answer is not what the protocol promises."""


# JSON-RPC standard errors.


class ParseError(EVMCSDError):
    code = -32700


class InvalidRequestError(EVMCSDError):
    code = -32600


class MethodNotFoundError(EVMCSDError):
    code = -32601


class InvalidParamsError(EVMCSDError):
    code = -32602


class InternalError(EVMCSDError):
    code = -32603


# The server's transport limits.


class OverloadedError(EVMCSDError):
    """Too many connections (data.reason: per-uid limit, reserved, total limit) or pending requests."""

    code = -32000


class RequestTooLargeError(EVMCSDError):
    """The request line was too long; the daemon closes the connection."""

    code = -32001


class BatchTooLargeError(EVMCSDError):
    code = -32002


class ShuttingDownError(EVMCSDError):
    code = -32003


# evmcsd's application errors.


class NotAuthorizedError(EVMCSDError):
    """An admin method called by a user that is neither root nor in the admin group."""

    code = -32011


class InvalidDocumentError(EVMCSDError):
    """A document in the params is malformed; data has field (its path) and reason."""

    code = -32012


class ProbeFailedError(EVMCSDError):
    code = -32013


class NotReadyError(EVMCSDError):
    """No profile measured yet."""

    code = -32014


class ReloadFailedError(EVMCSDError):
    code = -32015


class FleetFailedError(EVMCSDError):
    code = -32016


ERROR_CLASSES: Dict[int, Type[EVMCSDError]] = {
    cls.code: cls
    for cls in (
        ParseError,
        InvalidRequestError,
        MethodNotFoundError,
        InvalidParamsError,
        InternalError,
        OverloadedError,
        RequestTooLargeError,
        BatchTooLargeError,
        ShuttingDownError,
        NotAuthorizedError,
        InvalidDocumentError,
        ProbeFailedError,
        NotReadyError,
        ReloadFailedError,
        FleetFailedError,
    )
    if cls.code is not None
}


def error_from_object(error: Any) -> EVMCSDError:
    """The exception for a JSON-RPC error object; an unknown code gives the base class."""
    if not isinstance(error, dict) or not isinstance(error.get("code"), int) or isinstance(error.get("code"), bool):
        return ProtocolViolationError(f"unexpected answer from evmcsd: malformed error object {json.dumps(error)[:200]}")
    code: int = error["code"]
    message = error.get("message")
    if not isinstance(message, str):
        message = f"error {code}"
    cls = ERROR_CLASSES.get(code, EVMCSDError)
    return cls(message, code=code, data=error.get("data"))


class DocumentError(ValueError):
    """A profile or VM requirements file that cannot be used: ``path``, ``field`` (the JSON
    path inside the document, or ``None``) and ``reason``."""

    def __init__(self, path: str, reason: str, field: Optional[str] = None) -> None:
        self.path = path
        self.field = field
        self.reason = reason
        super().__init__(f"{path}: {field}: {reason}" if field else f"{path}: {reason}")
