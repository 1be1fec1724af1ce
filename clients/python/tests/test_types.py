"""evmcsd.types against Docs/openrpc.json: each typed result has exactly the keys of its
method's result schema (recursively where the schema describes nested objects), and the keys
a TypedDict marks required are the schema's `required`. Drift in either fails here."""

from __future__ import annotations

import typing
from typing import Any, Dict, List, Optional, Tuple

import pytest

from evmcsd.types import NOTIFICATION_TYPES, RESULT_TYPES
from schemacheck import OpenRPC


def is_typed_dict(value: Any) -> bool:
    return isinstance(value, type) and hasattr(value, "__required_keys__")


def element_types(annotation: Any) -> List[Tuple[str, Any]]:
    """('items', T) for List[T], ('additionalProperties', T) for Dict[str, T]."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, List) and args:
        return [("items", args[0])]
    if origin in (dict, Dict) and len(args) == 2:
        return [("additionalProperties", args[1])]
    return []


def unwrap(schema: Any) -> Any:
    """A nullable or one-of schema's non-null alternative, when there is exactly one."""
    if isinstance(schema, dict):
        for key in ("oneOf", "anyOf"):
            if key in schema and isinstance(schema[key], list):
                others = [part for part in schema[key] if not (isinstance(part, dict) and part.get("type") == "null")]
                if len(others) == 1:
                    return unwrap(others[0])
    return schema


def member_schema(schema: Any, member: str) -> Any:
    """``items`` or the map's value schema (``additionalProperties``, or the one
    ``patternProperties`` entry)."""
    schema = unwrap(schema)
    if not isinstance(schema, dict):
        return None
    if member == "additionalProperties" and not isinstance(schema.get(member), dict):
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict) and len(patterns) == 1:
            return next(iter(patterns.values()))
    return schema.get(member)


def object_schema(schema: Any) -> Optional[Dict[str, Any]]:
    """The object schema to compare with, when the schema describes one (allOf merged)."""
    schema = unwrap(schema)
    if not isinstance(schema, dict):
        return None
    if "allOf" in schema:
        merged: Dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            sub = object_schema(part) or {}
            merged["properties"].update(sub.get("properties", {}))
            merged["required"] += sub.get("required", [])
        return merged if merged["properties"] else None
    return schema if "properties" in schema else None


def key_drift(typed: Any, schema: Any, where: str, unstated: Optional[List[str]] = None) -> List[str]:
    """Differences in keys and required keys; objects whose schema has no `required` list go
    to ``unstated`` instead (the document does not say, so there is nothing to compare)."""
    problems: List[str] = []
    if unstated is None:
        unstated = []
    if not is_typed_dict(typed):
        for member, element in element_types(typed):
            sub = member_schema(schema, member)
            if isinstance(sub, dict):
                problems += key_drift(element, sub, f"{where}[{member}]", unstated)
        return problems
    described = object_schema(schema)
    if described is None:
        return problems  # the document does not describe this object's members (yet)
    hints = typing.get_type_hints(typed)
    documented = set(described["properties"])
    for key in sorted(documented - hints.keys()):
        problems.append(f"{where}: the document has {key!r}, {typed.__name__} does not")
    for key in sorted(hints.keys() - documented):
        problems.append(f"{where}: {typed.__name__} has {key!r}, the document does not")
    if "required" in described:
        required = set(described["required"])
        for key in sorted(required - typed.__required_keys__):
            problems.append(f"{where}: {key!r} is required by the document, optional in {typed.__name__}")
        for key in sorted(typed.__required_keys__ - required - (hints.keys() - documented)):
            problems.append(f"{where}: {key!r} is required in {typed.__name__}, optional in the document")
    else:
        unstated.append(f"{where} ({typed.__name__} requires {sorted(typed.__required_keys__)})")
    for key in sorted(hints.keys() & documented):
        problems += key_drift(hints[key], described["properties"][key], f"{where}.{key}", unstated)
    return problems


def judge(what: str, problems: List[str], unstated: List[str]) -> None:
    assert not problems, f"evmcsd.types and Docs/openrpc.json disagree about {what}:\n  " + "\n  ".join(problems)
    if unstated:
        pytest.xfail(
            "keys agree; Docs/openrpc.json gives no `required` list to compare with for "
            + ", ".join(unstated)
            + " (the strict document is issue 12 part 1, on main)"
        )


@pytest.mark.parametrize("method", sorted(name for name, typed in RESULT_TYPES.items() if typed is not None))
def test_result_type_matches_openrpc(openrpc: OpenRPC, method: str) -> None:
    assert method in openrpc.methods, f"{method} is not in Docs/openrpc.json"
    unstated: List[str] = []
    problems = key_drift(RESULT_TYPES[method], openrpc.result_schema(method), method, unstated)
    judge(f"{method}'s result", problems, unstated)


@pytest.mark.parametrize("name", sorted(NOTIFICATION_TYPES))
def test_notification_type_matches_openrpc(openrpc: OpenRPC, name: str) -> None:
    schema = openrpc.notification_schema(name)
    assert schema is not None, f"Docs/openrpc.json does not describe the {name} notification"
    unstated: List[str] = []
    problems = key_drift(NOTIFICATION_TYPES[name], schema, name, unstated)
    judge(name, problems, unstated)


def test_every_method_has_a_typed_result(openrpc: OpenRPC) -> None:
    assert set(openrpc.methods) == set(RESULT_TYPES)


def test_the_drift_check_catches_drift() -> None:
    from evmcsd.types import ProfileHistory, RefreshResult

    schema = {"type": "object", "properties": {"changed": {}, "fingerprint": {}, "extra": {}}, "required": ["extra"]}
    problems = key_drift(RefreshResult, schema, "cache.refresh")
    assert "cache.refresh: the document has 'extra', RefreshResult does not" in problems
    assert "cache.refresh: RefreshResult has 'durationMicros', the document does not" in problems
    assert "cache.refresh: 'changed' is required in RefreshResult, optional in the document" in problems
    # Through nullable wrappers, arrays and maps.
    nested = {
        "type": "object",
        "required": ["capacity", "changes"],
        "properties": {
            "capacity": {"type": "integer"},
            "changes": {
                "oneOf": [
                    {"type": "null"},
                    {"type": "array", "items": {"type": "object", "required": [], "properties": {"at": {}, "bogus": {}}}},
                ]
            },
        },
    }
    problems = key_drift(ProfileHistory, nested, "host.history")
    assert "host.history.changes[items]: the document has 'bogus', ProfileChanged does not" in problems
    assert "host.history.changes[items]: ProfileChanged has 'trigger', the document does not" in problems
