"""Docs/openrpc.json as the tests use it: result schemas with their $refs resolved, and
jsonschema validation of live answers."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

import jsonschema


class OpenRPC:
    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document
        self.schemas: Dict[str, Any] = document.get("components", {}).get("schemas", {})
        self.methods: Dict[str, Any] = {method["name"]: method for method in document.get("methods", [])}

    def resolve(self, schema: Any, depth: int = 0) -> Any:
        """``schema`` with every ``#/components/schemas/…`` (and other local) $ref replaced by its
        target, recursively (a cycle stops at depth 32 and is left as {})."""
        if depth > 32:
            return {}
        if isinstance(schema, list):
            return [self.resolve(element, depth) for element in schema]
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            target = self.pointer(schema["$ref"])
            rest = {key: value for key, value in schema.items() if key != "$ref"}
            resolved = self.resolve(copy.deepcopy(target), depth + 1)
            if rest and isinstance(resolved, dict):
                return {"allOf": [resolved, self.resolve(rest, depth)]}
            return resolved
        return {key: self.resolve(value, depth) for key, value in schema.items()}

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported: {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def result_schema(self, method: str) -> Any:
        if method in self.methods:
            return self.resolve(self.methods[method]["result"]["schema"])
        notification = self.notification_schema(method)
        if notification is None:
            raise KeyError(f"{method} is neither a method nor a notification of Docs/openrpc.json")
        return notification

    def result_schema_name(self, method: str) -> Optional[str]:
        ref = self.methods[method]["result"]["schema"].get("$ref", "")
        return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None

    def notification_schema(self, name: str) -> Optional[Any]:
        """The params schema of a server-sent notification: the `x-params-schema` of its entry in
        the document's `x-notifications` (Docs/protocol.md)."""
        for entry in self.document.get("x-notifications", []) or []:
            if entry.get("name") == name and "x-params-schema" in entry:
                return self.resolve(entry["x-params-schema"])
        return None

    def validate_result(self, method: str, result: Any) -> None:
        schema = self.result_schema(method)
        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(result), key=lambda error: list(error.absolute_path))
        if errors:
            lines = [f"{'/'.join(str(p) for p in error.absolute_path) or '$'}: {error.message[:300]}" for error in errors[:10]]
            raise AssertionError(f"{method}: the live answer does not validate against Docs/openrpc.json:\n  " + "\n  ".join(lines))
