"""Typed results of every method (Docs/openrpc.json, Docs/protocol.md, Docs/documents.md).

Every TypedDict names the keys the daemon sends, camelCase as on the wire. Keys of a
``…Base`` class are always present; those of the subclass (``total=False``) only sometimes.
``tests/test_types.py`` holds these against the OpenRPC document's result schemas.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union


# Shared pieces.

class ReasonCode(TypedDict, total=False):
    """Why something is unavailable: ``{code, message, errno?}``."""

    code: str
    message: str
    errno: int


class Provenance(TypedDict, total=False):
    """How a view or fact was obtained (``obtained``)."""

    method: str  # measured | derived | recorded | unavailable
    reason: ReasonCode
    era: str


class DocumentWarning(TypedDict, total=False):
    code: str
    message: str
    msr: str


class EffectiveEra(TypedDict, total=False):
    era: str
    basis: str
    matching: List[str]
    differences: List[Dict[str, Any]]
    note: str


# daemon.status

class CacheStatusBase(TypedDict):
    state: str  # fresh | loaded | verified | stale | empty
    revalidateIntervalSeconds: float


class CacheStatus(CacheStatusBase, total=False):
    file: str
    profileAgeSeconds: float
    lastRevalidation: str
    note: str


class Counters(TypedDict):
    connectionsOpen: int
    connectionsAccepted: int
    connectionsRejected: int
    connectionsRefused: Dict[str, int]  # "per-uid limit", "reserved", "total limit"
    requests: int
    errors: int
    probes: int
    profileChanges: int
    subscribers: int


class ExporterStatusBase(TypedDict):
    file: str


class ExporterStatus(ExporterStatusBase, total=False):
    error: str
    failingSince: str


class DaemonStatusBase(TypedDict):
    version: str
    pid: int
    startedAt: str
    uptimeSeconds: float
    source: str
    ready: bool
    socket: str
    evmcsSupported: bool
    cache: CacheStatus
    counters: Counters
    exporters: Dict[str, ExporterStatus]


class DaemonStatus(DaemonStatusBase, total=False):
    fingerprint: str


# host.profile — evmcsd.host-profile/1

class HostInfo(TypedDict, total=False):
    name: str
    bootId: str


class KernelInfo(TypedDict, total=False):
    release: str
    version: str
    versionSignature: str
    evmcsEra: str


class CPUInfo(TypedDict, total=False):
    vendor: str
    family: int
    model: int
    stepping: int
    microcode: str
    modelName: str


class ProfileEVMCS(TypedDict, total=False):
    supported: bool
    versionLow: int
    versionHigh: int
    obtained: Provenance
    effectiveEra: EffectiveEra


class HostProfileBase(TypedDict):
    schema: str  # "evmcsd.host-profile/1"


class HostProfile(HostProfileBase, total=False):
    host: HostInfo
    generatedAt: str
    generator: str
    kernel: KernelInfo
    cpu: CPUInfo
    kvm: Dict[str, Any]
    evmcs: ProfileEVMCS
    vmx: Dict[str, Any]  # view name → MSR index → hex value; "obtained" → view → Provenance
    warnings: List[DocumentWarning]
    probe: Dict[str, Any]
    fingerprint: str


# host.evmcs

class EVMCSView(TypedDict):
    perfGlobalCtrl: bool
    obtained: Provenance
    msrs: Dict[str, str]
    removed: List[str]
    features: Dict[str, str]


class HostEVMCSReportBase(TypedDict):
    supported: bool


class HostEVMCSReport(HostEVMCSReportBase, total=False):
    versionLow: int
    versionHigh: int
    reason: ReasonCode
    kernelRelease: str
    era: str
    effectiveEra: EffectiveEra
    fingerprint: str
    views: Dict[str, EVMCSView]  # guest, guestPerfGlobalCtrl


# host.vmx

class VMXViewBase(TypedDict):
    obtained: Provenance


class VMXView(VMXViewBase, total=False):
    msrs: Dict[str, str]
    features: Dict[str, str]
    fields: Dict[str, str]


class HostVMXReportBase(TypedDict):
    views: Dict[str, VMXView]


class HostVMXReport(HostVMXReportBase, total=False):
    fingerprint: str


ViewName = Literal["system", "vcpu", "guest", "guestPerfGlobalCtrl"]


# host.history and profile.changed

class FeatureChange(TypedDict, total=False):
    label: str
    name: str
    old: str
    new: str


class ProfileChangeBase(TypedDict):
    path: str
    old: Any
    new: Any


class ProfileChange(ProfileChangeBase, total=False):
    features: List[FeatureChange]


class ProfileChanged(TypedDict):
    """A ``profile.changed`` notification's params, and a ``host.history`` entry."""

    at: str
    oldFingerprint: str
    newFingerprint: str
    fingerprintChanged: bool
    trigger: str
    changes: List[ProfileChange]


class ProfileHistory(TypedDict):
    capacity: int
    changes: List[ProfileChanged]


# compat.check — evmcsd.verdict/1

class ReasonBase(TypedDict):
    code: str
    message: str


class Reason(ReasonBase, total=False):
    msr: str
    bit: int
    field: str
    feature: str
    label: str
    need: str
    have: str


class VerdictContext(TypedDict, total=False):
    evmcs: bool
    perfGlobalCtrl: bool
    nestedState: bool
    sourceEra: str
    targetEra: str
    sourceBasis: str
    targetBasis: str


Level = Literal["identical", "superset", "subset", "incompatible"]


class VerdictBase(TypedDict):
    schema: str  # "evmcsd.verdict/1"
    compatible: bool
    level: str  # Level
    reasons: List[Reason]
    warnings: List[DocumentWarning]


class Verdict(VerdictBase, total=False):
    context: VerdictContext
    target: str
    vm: str


# VM requirements — evmcsd.vm-requirements/1

class VMEVMCSBase(TypedDict):
    enabled: bool


class VMEVMCS(VMEVMCSBase, total=False):
    version: int
    perfGlobalCtrl: bool


class VMSource(TypedDict, total=False):
    host: str
    kernelRelease: str
    kernelVersion: str
    versionSignature: str
    evmcsEra: str
    fingerprint: str


class VMRequirementsBase(TypedDict):
    schema: str  # "evmcsd.vm-requirements/1"


class VMRequirements(VMRequirementsBase, total=False):
    name: str
    uuid: str
    evmcs: VMEVMCS
    vmx: Dict[str, str]
    nestedState: bool
    source: VMSource
    guestVisible: Dict[str, Any]


# compat.baseline, compat.pools

class BaselineBase(TypedDict):
    schema: str  # "evmcsd.baseline/1"
    hosts: int
    qemuCPUFlags: List[str]
    requirements: VMRequirements
    warnings: List[DocumentWarning]


class Baseline(BaselineBase, total=False):
    pass


class PoolGroupBase(TypedDict):
    id: str
    fingerprint: str
    hosts: List[str]


class PoolGroup(PoolGroupBase, total=False):
    cpuVendor: str
    evmcsEra: str
    evmcsSupported: bool


# "from" is a Python keyword: the functional form.
PoolMigration = TypedDict(
    "PoolMigration",
    {"from": str, "to": str, "compatible": bool, "level": str, "reasons": List[Reason]},
)


class PoolOptions(TypedDict, total=False):
    evmcs: bool
    perfGlobalCtrl: bool
    nestedState: bool


class PoolsBase(TypedDict):
    schema: str  # "evmcsd.pools/1"
    groups: List[PoolGroup]
    migrations: List[PoolMigration]


class Pools(PoolsBase, total=False):
    options: PoolOptions


# events.*, cache.refresh, daemon.reload

class SubscriptionResultBase(TypedDict):
    subscribed: bool


class SubscriptionResult(SubscriptionResultBase, total=False):
    fingerprint: str


class RefreshResult(TypedDict):
    fingerprint: str
    changed: bool
    durationMicros: int


class ReloadResult(TypedDict):
    reloaded: bool
    applied: List[str]
    needRestart: List[str]


OpenRPCDocument = Dict[str, Any]

HostProfileOrDump = Union[HostProfile, Dict[str, Any]]

#: The result type of each method (``rpc.discover`` returns a plain dict).
RESULT_TYPES: Dict[str, Optional[type]] = {
    "rpc.discover": None,
    "daemon.status": DaemonStatus,
    "host.profile": HostProfile,
    "host.evmcs": HostEVMCSReport,
    "host.vmx": HostVMXReport,
    "host.history": ProfileHistory,
    "compat.check": Verdict,
    "compat.baseline": Baseline,
    "compat.pools": Pools,
    "events.subscribe": SubscriptionResult,
    "events.unsubscribe": SubscriptionResult,
    "cache.refresh": RefreshResult,
    "daemon.reload": ReloadResult,
}

#: The notification evmcsd sends to subscribers, and its params' type.
PROFILE_CHANGED = "profile.changed"
NOTIFICATION_TYPES: Dict[str, type] = {PROFILE_CHANGED: ProfileChanged}
