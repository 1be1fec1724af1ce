"""Typed results of every method (Docs/openrpc.json, Docs/protocol.md, Docs/documents.md).

Every TypedDict names the keys the daemon sends, camelCase as on the wire. Keys of a
``…Base`` class are always present; those of the subclass (``total=False``) only sometimes.
``tests/test_types.py`` holds these against the OpenRPC document's result schemas.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union


# Shared pieces.

class ReasonCodeBase(TypedDict):
    code: str
    message: str


class ReasonCode(ReasonCodeBase, total=False):
    """Why something is unavailable: ``{code, message, errno?}``."""

    errno: str  # the errno name of a failed system call, e.g. "ENOTTY"


class ProvenanceBase(TypedDict):
    method: str  # measured | derived | recorded | unavailable


class Provenance(ProvenanceBase, total=False):
    """How a view or fact was obtained (``obtained``)."""

    reason: ReasonCode
    era: str


class DocumentWarningBase(TypedDict):
    code: str
    message: str


class DocumentWarning(DocumentWarningBase, total=False):
    msr: str


class EffectiveEraBase(TypedDict):
    era: str  # an era, or "none"
    basis: str  # measured | declared | derived


class EffectiveEra(EffectiveEraBase, total=False):
    matching: List[str]
    differences: List[Dict[str, Any]]
    note: str


# daemon.status

class CacheStatusBase(TypedDict):
    state: str  # fresh | loaded | verified | stale | empty
    file: str
    revalidateIntervalSeconds: float


class CacheStatus(CacheStatusBase, total=False):
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

class EVMCSViewBase(TypedDict):
    perfGlobalCtrl: bool
    removed: List[str]
    features: Dict[str, str]


class EVMCSView(EVMCSViewBase, total=False):
    obtained: Provenance
    msrs: Dict[str, str]


class HostEVMCSReportBase(TypedDict):
    supported: bool
    views: Dict[str, EVMCSView]  # always both: guest, guestPerfGlobalCtrl


class HostEVMCSReport(HostEVMCSReportBase, total=False):
    versionLow: int
    versionHigh: int
    reason: ReasonCode
    kernelRelease: str
    era: str
    effectiveEra: EffectiveEra
    fingerprint: str


# host.vmx

class VMXViewBase(TypedDict):
    features: Dict[str, str]
    fields: Dict[str, str]


class VMXView(VMXViewBase, total=False):
    obtained: Provenance
    msrs: Dict[str, str]


class HostVMXReportBase(TypedDict):
    views: Dict[str, VMXView]


class HostVMXReport(HostVMXReportBase, total=False):
    fingerprint: str


ViewName = Literal["system", "vcpu", "guest", "guestPerfGlobalCtrl"]


# host.history and profile.changed

class FeatureChange(TypedDict):
    label: str
    name: str
    old: str
    new: str


class ProfileChangeBase(TypedDict):
    path: str


class ProfileChange(ProfileChangeBase, total=False):
    old: str  # absent when the value was absent
    new: str  # absent when the value is absent now
    features: List[FeatureChange]


class ProfileChangedBase(TypedDict):
    at: str
    fingerprintChanged: bool
    trigger: str
    changes: List[ProfileChange]


class ProfileChanged(ProfileChangedBase, total=False):
    """A ``profile.changed`` notification's params, and a ``host.history`` entry."""

    oldFingerprint: str
    newFingerprint: str


class ProfileHistory(TypedDict):
    capacity: int
    changes: List[ProfileChanged]


# compat.check — evmcsd.verdict/1

class ReasonBase(TypedDict):
    code: str
    need: str
    have: str
    message: str


class Reason(ReasonBase, total=False):
    msr: str
    bit: int
    field: str
    feature: str
    label: str


class VerdictContextBase(TypedDict):
    evmcs: bool
    perfGlobalCtrl: bool
    nestedState: bool


class VerdictContext(VerdictContextBase, total=False):
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
    context: VerdictContext


class Verdict(VerdictBase, total=False):
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


# VM requirements as evmcsd writes them (compat.baseline): every defaulted member present.

class VMEVMCSAsWritten(TypedDict):
    enabled: bool
    version: int
    perfGlobalCtrl: bool


class VMRequirementsAsWrittenBase(TypedDict):
    schema: str  # "evmcsd.vm-requirements/1"
    evmcs: VMEVMCSAsWritten
    vmx: Dict[str, str]
    nestedState: bool


class VMRequirementsAsWritten(VMRequirementsAsWrittenBase, total=False):
    name: str
    uuid: str
    source: VMSource
    guestVisible: Dict[str, str]


# compat.baseline, compat.pools

class BaselineBase(TypedDict):
    schema: str  # "evmcsd.baseline/1"
    hosts: int
    qemuCPUFlags: List[str]
    requirements: VMRequirementsAsWritten
    warnings: List[DocumentWarning]


class Baseline(BaselineBase, total=False):
    pass


class PoolGroupBase(TypedDict):
    id: str
    fingerprint: str
    hosts: List[str]
    evmcsSupported: bool


class PoolGroup(PoolGroupBase, total=False):
    cpuVendor: str
    evmcsEra: str


# "from" is a Python keyword: the functional form.
PoolMigration = TypedDict(
    "PoolMigration",
    {"from": str, "to": str, "compatible": bool, "level": str, "reasons": List[Reason]},
)


class PoolOptions(TypedDict):
    evmcs: bool
    perfGlobalCtrl: bool
    nestedState: bool


class PoolsBase(TypedDict):
    schema: str  # "evmcsd.pools/1"
    groups: List[PoolGroup]
    migrations: List[PoolMigration]
    options: PoolOptions


class Pools(PoolsBase, total=False):
    pass


# events.*, cache.refresh, daemon.reload

class SubscriptionResultBase(TypedDict):
    subscribed: bool


class SubscriptionResult(SubscriptionResultBase, total=False):
    fingerprint: str


class RefreshResultBase(TypedDict):
    changed: bool
    durationMicros: int


class RefreshResult(RefreshResultBase, total=False):
    fingerprint: str  # absent while there is no profile


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
