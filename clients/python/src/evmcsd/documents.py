"""Offline helpers: load a host profile or VM requirements document from a file, with errors
that name the file, the field and the reason (Docs/documents.md). The daemon remains the judge
of the contents (InvalidDocumentError with the path inside the params); these helpers catch
what can be told without it: unreadable files, bad JSON, duplicate members, the wrong schema."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple, Union, cast

from .errors import DocumentError
from .types import HostProfile, VMRequirements

HOST_PROFILE_SCHEMA = "evmcsd.host-profile/1"
VM_REQUIREMENTS_SCHEMA = "evmcsd.vm-requirements/1"
_KNOWN = {"evmcsd.host-profile": HOST_PROFILE_SCHEMA, "evmcsd.vm-requirements": VM_REQUIREMENTS_SCHEMA}


class _Duplicate(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _Duplicate(name)
        result[name] = value
    return result


def _read(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise DocumentError(path, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(path, f"not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except _Duplicate as duplicate:
        raise DocumentError(path, f'duplicate member "{duplicate.name}"') from None
    except json.JSONDecodeError as error:
        raise DocumentError(path, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    if not isinstance(document, dict):
        raise DocumentError(path, f"expected a JSON object, got {type(document).__name__}", "$")
    return cast(Dict[str, Any], document)


def _check_schema(path: str, document: Dict[str, Any], expected: str) -> None:
    schema = document.get("schema")
    if schema is None:
        raise DocumentError(path, f'missing required field "schema" (expected "{expected}")', "schema")
    if not isinstance(schema, str):
        raise DocumentError(path, f'expected a string "{expected}"', "schema")
    if schema == expected:
        return
    family = schema.rsplit("/", 1)[0]
    if family == expected.rsplit("/", 1)[0]:
        raise DocumentError(path, f'unsupported schema version "{schema}" (this client reads "{expected}")', "schema")
    raise DocumentError(path, f'"{schema}" is not "{expected}"', "schema")


def load_profile(path: str) -> HostProfile:
    """A host profile (``evmcsd.host-profile/1``), or a raw MSR dump (an object without
    ``schema`` whose ``msrs`` maps MSR indices to values), which the daemon accepts wherever a
    profile is."""
    document = _read(path)
    if "schema" not in document and isinstance(document.get("msrs"), dict):
        return cast(HostProfile, document)
    _check_schema(path, document, HOST_PROFILE_SCHEMA)
    return cast(HostProfile, document)


def load_vm_requirements(path: str) -> VMRequirements:
    """A VM requirements document (``evmcsd.vm-requirements/1``)."""
    document = _read(path)
    _check_schema(path, document, VM_REQUIREMENTS_SCHEMA)
    evmcs = document.get("evmcs")
    if evmcs is not None:
        if not isinstance(evmcs, dict):
            raise DocumentError(path, "expected an object", "evmcs")
        if "enabled" not in evmcs:
            raise DocumentError(path, 'missing required field "enabled"', "evmcs.enabled")
    return cast(VMRequirements, document)


def load_document(path: str) -> Union[HostProfile, VMRequirements]:
    """A host profile or a VM requirements document, whichever the file's ``schema`` names."""
    document = _read(path)
    schema = document.get("schema")
    if schema is None and isinstance(document.get("msrs"), dict):
        return cast(HostProfile, document)
    if isinstance(schema, str) and schema.rsplit("/", 1)[0] in _KNOWN:
        expected = _KNOWN[schema.rsplit("/", 1)[0]]
        return load_profile(path) if expected == HOST_PROFILE_SCHEMA else load_vm_requirements(path)
    raise DocumentError(
        path,
        f'"schema" must be "{HOST_PROFILE_SCHEMA}" or "{VM_REQUIREMENTS_SCHEMA}", got {json.dumps(schema)}',
        "schema",
    )
