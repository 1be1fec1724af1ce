#!/usr/bin/env python3
"""A live-migration destination pre-check in the shape of Nova's
``ComputeDriver.check_can_live_migrate_destination``: runs on the destination compute host,
takes the instance's eVMCS/VMX requirements (``evmcsd.vm-requirements/1``, recorded when the
instance was started, e.g. in its system metadata), asks the local evmcsd for the verdict
(``compat.check``) and raises ``MigrationPreCheckError`` with the verdict's reasons when the
instance cannot run here. Fails closed: a daemon that cannot answer refuses the migration too.

As a program: ``nova_precheck.py VM.json [--socket PATH]`` prints the migrate data (JSON) and
exits 0, or prints the error and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Dict, List, Mapping, Optional

import evmcsd


class MigrationPreCheckError(Exception):
    """As ``nova.exception.MigrationPreCheckError``: ``msg_fmt`` with the reason; the verdict's
    reasons are kept for the caller (``reasons``: code and label of each)."""

    msg_fmt = "Migration pre-check error: %(reason)s"

    def __init__(self, reason: str, reasons: Optional[List[Dict[str, Any]]] = None) -> None:
        self.reason = reason
        self.reasons = reasons or []
        super().__init__(self.msg_fmt % {"reason": reason})


class EVMCSDestinationCheck:
    """The eVMCS part of a destination pre-check; a driver calls it from its own
    ``check_can_live_migrate_destination`` and merges the returned data into its migrate data."""

    def __init__(self, socket_path: Optional[str] = None, client_factory: Callable[..., evmcsd.Client] = evmcsd.Client) -> None:
        self.socket_path = socket_path
        self.client_factory = client_factory

    def check_can_live_migrate_destination(
        self,
        context: Any,
        instance: Mapping[str, Any],
        src_compute_info: Optional[Mapping[str, Any]] = None,
        dst_compute_info: Optional[Mapping[str, Any]] = None,
        block_migration: bool = False,
        disk_over_commit: bool = False,
    ) -> Dict[str, Any]:
        requirements = instance.get("evmcs_requirements")
        name = instance.get("uuid") or instance.get("name") or "instance"
        if requirements is None:
            # Nothing recorded: the instance does not use eVMCS, nothing to check.
            return {"evmcsd": {"checked": False}}
        try:
            with self.client_factory(self.socket_path) as daemon:
                verdict = daemon.check(requirements)
        except evmcsd.EVMCSDError as error:
            raise MigrationPreCheckError(f"cannot check eVMCS compatibility of {name} on this host: {error}") from error
        if not verdict["compatible"]:
            reasons = [{"code": reason["code"], "label": reason.get("label", reason.get("field", ""))} for reason in verdict["reasons"]]
            summary = "; ".join(f"{reason['code']} {reason['label']}".strip() for reason in reasons)
            raise MigrationPreCheckError(
                f"{name} cannot run on {verdict.get('target', 'this host')} ({verdict['level']}): {summary}", reasons
            )
        return {
            "evmcsd": {
                "checked": True,
                "level": verdict["level"],
                "target": verdict.get("target"),
                "warnings": [warning["code"] for warning in verdict["warnings"]],
            }
        }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("vm", help="the instance's VM requirements document (evmcsd.vm-requirements/1)")
    parser.add_argument("--socket", help="evmcsd's socket (default as evmcsctl)")
    args = parser.parse_args(argv)
    try:
        requirements = evmcsd.load_vm_requirements(args.vm)
    except evmcsd.DocumentError as error:
        print(error, file=sys.stderr)
        return 2
    instance = {"uuid": requirements.get("uuid") or requirements.get("name", "instance"), "evmcs_requirements": requirements}
    try:
        data = EVMCSDestinationCheck(args.socket).check_can_live_migrate_destination(None, instance)
    except MigrationPreCheckError as error:
        print(error)
        for reason in error.reasons:
            print(f"  {reason['code']} {reason['label']}")
        return 1
    print(json.dumps(data, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
