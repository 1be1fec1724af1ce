#!/usr/bin/env python3
"""Validates JSON answers against evmcsd's component schemas (draft 7).

usage: validate-json-schema.py SCHEMAS.json DIR

SCHEMAS.json is {"components": {"schemas": {NAME: schema, ...}}} (schemas refer to each other as
"#/components/schemas/NAME"). Every DIR/*.json is validated against the schema its name gives:
"<NAME>.json" or "<NAME>--<anything>.json". A file may hold the bare instance or the JSON-RPC line
it came in: a response (its "result" is validated; an "error" is a violation) or a notification
(its "params").

Prints every violation with the file, its JSON path and the schema path, and exits 1 when there is
one; exits 2 when it cannot run (jsonschema missing: install python3-jsonschema).
"""

import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:
    print("validate-json-schema.py: the Python module jsonschema is missing; install it "
          "(Debian/Ubuntu: apt-get install python3-jsonschema; else pip install jsonschema)")
    sys.exit(2)

RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def date_time(instance):
    if not isinstance(instance, str):
        return True
    if not RFC3339.match(instance):
        return False
    month, day = int(instance[5:7]), int(instance[8:10])
    hour, minute, second = int(instance[11:13]), int(instance[14:16]), int(instance[17:19])
    return 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second <= 60


def json_path(path):
    text = "$"
    for part in path:
        text += "[%d]" % part if isinstance(part, int) else (
            ".%s" % part if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", part) else "[%s]" % json.dumps(part))
    return text


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    with open(sys.argv[1]) as handle:
        document = json.load(handle)
    schemas = document["components"]["schemas"]
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(date_time)
    Validator = jsonschema.Draft7Validator
    for name, schema in schemas.items():
        Validator.check_schema(schema)

    def validator_for(schema):
        # The whole document is the root, so "#/components/schemas/X" resolves within it.
        try:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT7
            resource = Resource(contents=document, specification=DRAFT7)
            registry = Registry().with_resource("urn:evmcsd:components", resource)
            wrapped = {"$ref": "urn:evmcsd:components#" + schema["$ref"][1:]}
            return Validator(wrapped, registry=registry, format_checker=checker)
        except ImportError:
            resolver = jsonschema.RefResolver.from_schema(document)
            return Validator(schema, resolver=resolver, format_checker=checker)

    violations = 0
    files = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".json"))
    if not files:
        print("no answers in %s" % sys.argv[2])
        return 1
    for file in files:
        name = file[:-len(".json")].split("--")[0]
        if name not in schemas:
            print("%s: no component schema %s" % (file, name))
            violations += 1
            continue
        with open(os.path.join(sys.argv[2], file)) as handle:
            instance = json.load(handle)
        if isinstance(instance, dict) and instance.get("jsonrpc") == "2.0":
            if "error" in instance:
                print("%s: the daemon answered an error: %s" % (file, json.dumps(instance["error"])))
                violations += 1
                continue
            instance = instance["result"] if "result" in instance else instance.get("params")
        validator = validator_for({"$ref": "#/components/schemas/" + name})
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        for error in errors:
            violations += 1
            print("%s: %s: %s (schema %s)" % (
                file, json_path(error.absolute_path), error.message[:400],
                "/".join(str(p) for p in error.absolute_schema_path)))
            for sub in (error.context or [])[:6]:
                print("    %s: %s" % (json_path(list(error.absolute_path) + list(sub.relative_path)),
                                      sub.message[:300]))
    print("%d answer(s) checked against %d schema(s): %d violation(s)" % (len(files), len(schemas), violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
