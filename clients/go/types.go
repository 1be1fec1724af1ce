package evmcsd

import "encoding/json"

// The typed results of every method (Docs/openrpc.json, Docs/protocol.md, Docs/documents.md).
// Fields that are not always present are pointers or omitempty; the tests decode every live
// answer with DisallowUnknownFields, so a member the daemon adds fails them.

// Method names (Docs/protocol.md).
const (
	MethodDiscover    = "rpc.discover"
	MethodStatus      = "daemon.status"
	MethodProfile     = "host.profile"
	MethodEVMCS       = "host.evmcs"
	MethodVMX         = "host.vmx"
	MethodHistory     = "host.history"
	MethodCheck       = "compat.check"
	MethodBaseline    = "compat.baseline"
	MethodPools       = "compat.pools"
	MethodSubscribe   = "events.subscribe"
	MethodUnsubscribe = "events.unsubscribe"
	MethodRefresh     = "cache.refresh"
	MethodReload      = "daemon.reload"
	// NotificationProfileChanged is sent to subscribers; its params are a ProfileChanged.
	NotificationProfileChanged = "profile.changed"
)

// Methods lists every method.
var Methods = []string{
	MethodDiscover, MethodStatus, MethodProfile, MethodEVMCS, MethodVMX, MethodHistory, MethodCheck,
	MethodBaseline, MethodPools, MethodSubscribe, MethodUnsubscribe, MethodRefresh, MethodReload,
}

// ReasonCode says why something is unavailable.
type ReasonCode struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Errno   *int   `json:"errno,omitempty"`
}

// Provenance is how a view or fact was obtained (`obtained`).
type Provenance struct {
	Method string      `json:"method"` // measured | derived | recorded | unavailable
	Reason *ReasonCode `json:"reason,omitempty"`
	Era    string      `json:"era,omitempty"`
}

// DocumentWarning is a warning of a profile, verdict or baseline.
type DocumentWarning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	MSR     string `json:"msr,omitempty"`
}

// EffectiveEra is the eVMCS era a profile's measured guest views match.
type EffectiveEra struct {
	Era         string            `json:"era"`
	Basis       string            `json:"basis"`
	Matching    []string          `json:"matching,omitempty"`
	Differences []json.RawMessage `json:"differences,omitempty"`
	Note        string            `json:"note,omitempty"`
}

// CacheStatus is daemon.status's cache.
type CacheStatus struct {
	State                     string   `json:"state"` // fresh | loaded | verified | stale | empty
	File                      string   `json:"file,omitempty"`
	ProfileAgeSeconds         *float64 `json:"profileAgeSeconds,omitempty"`
	LastRevalidation          string   `json:"lastRevalidation,omitempty"`
	RevalidateIntervalSeconds float64  `json:"revalidateIntervalSeconds"`
	Note                      string   `json:"note,omitempty"`
}

// Counters is daemon.status's counters.
type Counters struct {
	ConnectionsOpen     int            `json:"connectionsOpen"`
	ConnectionsAccepted int            `json:"connectionsAccepted"`
	ConnectionsRejected int            `json:"connectionsRejected"`
	ConnectionsRefused  map[string]int `json:"connectionsRefused"` // "per-uid limit", "reserved", "total limit"
	Requests            int            `json:"requests"`
	Errors              int            `json:"errors"`
	Probes              int            `json:"probes"`
	ProfileChanges      int            `json:"profileChanges"`
	Subscribers         int            `json:"subscribers"`
}

// ExporterStatus is one enabled exporter's state.
type ExporterStatus struct {
	File         string `json:"file"`
	Error        string `json:"error,omitempty"`
	FailingSince string `json:"failingSince,omitempty"`
}

// DaemonStatus is daemon.status's result.
type DaemonStatus struct {
	Version        string                    `json:"version"`
	PID            int                       `json:"pid"`
	StartedAt      string                    `json:"startedAt"`
	UptimeSeconds  float64                   `json:"uptimeSeconds"`
	Source         string                    `json:"source"`
	Ready          bool                      `json:"ready"`
	Socket         string                    `json:"socket"`
	Fingerprint    string                    `json:"fingerprint,omitempty"`
	EVMCSSupported bool                      `json:"evmcsSupported"`
	Cache          CacheStatus               `json:"cache"`
	Counters       Counters                  `json:"counters"`
	Exporters      map[string]ExporterStatus `json:"exporters"`
}

// HostInfo, KernelInfo, CPUInfo, ProfileEVMCS: sections of a host profile.
type HostInfo struct {
	Name   string `json:"name,omitempty"`
	BootID string `json:"bootId,omitempty"`
}

type KernelInfo struct {
	Release          string `json:"release,omitempty"`
	Version          string `json:"version,omitempty"`
	VersionSignature string `json:"versionSignature,omitempty"`
	EVMCSEra         string `json:"evmcsEra,omitempty"`
}

type CPUInfo struct {
	Vendor    string `json:"vendor,omitempty"`
	Family    *int   `json:"family,omitempty"`
	Model     *int   `json:"model,omitempty"`
	Stepping  *int   `json:"stepping,omitempty"`
	Microcode string `json:"microcode,omitempty"`
	ModelName string `json:"modelName,omitempty"`
}

type ProfileEVMCS struct {
	Supported    *bool         `json:"supported,omitempty"`
	VersionLow   *int          `json:"versionLow,omitempty"`
	VersionHigh  *int          `json:"versionHigh,omitempty"`
	Obtained     *Provenance   `json:"obtained,omitempty"`
	EffectiveEra *EffectiveEra `json:"effectiveEra,omitempty"`
}

// HostProfile is an evmcsd.host-profile/1 document. The KVM section, the VMX views and the
// probe details stay raw JSON (their shape is in Docs/documents.md).
type HostProfile struct {
	Schema      string            `json:"schema"`
	Host        *HostInfo         `json:"host,omitempty"`
	GeneratedAt string            `json:"generatedAt,omitempty"`
	Generator   string            `json:"generator,omitempty"`
	Kernel      *KernelInfo       `json:"kernel,omitempty"`
	CPU         *CPUInfo          `json:"cpu,omitempty"`
	KVM         json.RawMessage   `json:"kvm,omitempty"`
	EVMCS       *ProfileEVMCS     `json:"evmcs,omitempty"`
	VMX         json.RawMessage   `json:"vmx,omitempty"`
	Warnings    []DocumentWarning `json:"warnings,omitempty"`
	Probe       json.RawMessage   `json:"probe,omitempty"`
	Fingerprint string            `json:"fingerprint,omitempty"`
}

// EVMCSView is one of host.evmcs's views.
type EVMCSView struct {
	PerfGlobalCtrl bool              `json:"perfGlobalCtrl"`
	Obtained       Provenance        `json:"obtained"`
	MSRs           map[string]string `json:"msrs"`
	Removed        []string          `json:"removed"`
	Features       map[string]string `json:"features"`
}

// HostEVMCSReport is host.evmcs's result.
type HostEVMCSReport struct {
	Supported     bool                 `json:"supported"`
	VersionLow    *int                 `json:"versionLow,omitempty"`
	VersionHigh   *int                 `json:"versionHigh,omitempty"`
	Reason        *ReasonCode          `json:"reason,omitempty"`
	KernelRelease string               `json:"kernelRelease,omitempty"`
	Era           string               `json:"era,omitempty"`
	EffectiveEra  *EffectiveEra        `json:"effectiveEra,omitempty"`
	Fingerprint   string               `json:"fingerprint,omitempty"`
	Views         map[string]EVMCSView `json:"views,omitempty"`
}

// VMXView is one of host.vmx's views.
type VMXView struct {
	Obtained Provenance        `json:"obtained"`
	MSRs     map[string]string `json:"msrs,omitempty"`
	Features map[string]string `json:"features,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
}

// HostVMXReport is host.vmx's result.
type HostVMXReport struct {
	Fingerprint string             `json:"fingerprint,omitempty"`
	Views       map[string]VMXView `json:"views"`
}

// FeatureChange is a feature whose state a profile change altered.
type FeatureChange struct {
	Label string `json:"label,omitempty"`
	Name  string `json:"name,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// ProfileChange is one changed path; Old and New are the JSON values (null when absent).
type ProfileChange struct {
	Path     string          `json:"path"`
	Old      json.RawMessage `json:"old"`
	New      json.RawMessage `json:"new"`
	Features []FeatureChange `json:"features,omitempty"`
}

// ProfileChanged is a profile.changed notification's params and a host.history entry.
type ProfileChanged struct {
	At                 string          `json:"at"`
	OldFingerprint     string          `json:"oldFingerprint"`
	NewFingerprint     string          `json:"newFingerprint"`
	FingerprintChanged bool            `json:"fingerprintChanged"`
	Trigger            string          `json:"trigger"`
	Changes            []ProfileChange `json:"changes"`
}

// ProfileHistory is host.history's result.
type ProfileHistory struct {
	Capacity int              `json:"capacity"`
	Changes  []ProfileChanged `json:"changes"`
}

// Reason is one reason of a verdict.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	MSR     string `json:"msr,omitempty"`
	Bit     *int   `json:"bit,omitempty"`
	Field   string `json:"field,omitempty"`
	Feature string `json:"feature,omitempty"`
	Label   string `json:"label,omitempty"`
	Need    string `json:"need,omitempty"`
	Have    string `json:"have,omitempty"`
}

// VerdictContext is what a verdict was computed with.
type VerdictContext struct {
	EVMCS          *bool  `json:"evmcs,omitempty"`
	PerfGlobalCtrl *bool  `json:"perfGlobalCtrl,omitempty"`
	NestedState    *bool  `json:"nestedState,omitempty"`
	SourceEra      string `json:"sourceEra,omitempty"`
	TargetEra      string `json:"targetEra,omitempty"`
	SourceBasis    string `json:"sourceBasis,omitempty"`
	TargetBasis    string `json:"targetBasis,omitempty"`
}

// Verdict is compat.check's result (evmcsd.verdict/1).
type Verdict struct {
	Schema     string            `json:"schema"`
	Compatible bool              `json:"compatible"`
	Level      string            `json:"level"` // identical | superset | subset | incompatible
	Reasons    []Reason          `json:"reasons"`
	Warnings   []DocumentWarning `json:"warnings"`
	Context    *VerdictContext   `json:"context,omitempty"`
	Target     string            `json:"target,omitempty"`
	VM         string            `json:"vm,omitempty"`
}

// ReasonCodes are the verdict's reason codes, in order.
func (v *Verdict) ReasonCodes() []string {
	codes := make([]string, 0, len(v.Reasons))
	for _, reason := range v.Reasons {
		codes = append(codes, reason.Code)
	}
	return codes
}

// VMEVMCS is a VM requirements document's evmcs section.
type VMEVMCS struct {
	Enabled        bool  `json:"enabled"`
	Version        *int  `json:"version,omitempty"`
	PerfGlobalCtrl *bool `json:"perfGlobalCtrl,omitempty"`
}

// VMSource is where a VM was started.
type VMSource struct {
	Host             string `json:"host,omitempty"`
	KernelRelease    string `json:"kernelRelease,omitempty"`
	KernelVersion    string `json:"kernelVersion,omitempty"`
	VersionSignature string `json:"versionSignature,omitempty"`
	EVMCSEra         string `json:"evmcsEra,omitempty"`
	Fingerprint      string `json:"fingerprint,omitempty"`
}

// VMRequirements is an evmcsd.vm-requirements/1 document.
type VMRequirements struct {
	Schema       string            `json:"schema"`
	Name         string            `json:"name,omitempty"`
	UUID         string            `json:"uuid,omitempty"`
	EVMCS        *VMEVMCS          `json:"evmcs,omitempty"`
	VMX          map[string]string `json:"vmx,omitempty"`
	NestedState  *bool             `json:"nestedState,omitempty"`
	Source       *VMSource         `json:"source,omitempty"`
	GuestVisible json.RawMessage   `json:"guestVisible,omitempty"`
}

// Baseline is compat.baseline's result (evmcsd.baseline/1).
type Baseline struct {
	Schema       string            `json:"schema"`
	Hosts        int               `json:"hosts"`
	QEMUCPUFlags []string          `json:"qemuCPUFlags"`
	Requirements VMRequirements    `json:"requirements"`
	Warnings     []DocumentWarning `json:"warnings"`
}

// PoolGroup is a group of hosts sharing a fingerprint.
type PoolGroup struct {
	ID             string   `json:"id"`
	Fingerprint    string   `json:"fingerprint"`
	Hosts          []string `json:"hosts"`
	CPUVendor      string   `json:"cpuVendor,omitempty"`
	EVMCSEra       string   `json:"evmcsEra,omitempty"`
	EVMCSSupported *bool    `json:"evmcsSupported,omitempty"`
}

// PoolMigration is one cell of the migration matrix.
type PoolMigration struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Compatible bool     `json:"compatible"`
	Level      string   `json:"level"`
	Reasons    []Reason `json:"reasons"`
}

// PoolOptions are the options the pools were computed with.
type PoolOptions struct {
	EVMCS          *bool `json:"evmcs,omitempty"`
	PerfGlobalCtrl *bool `json:"perfGlobalCtrl,omitempty"`
	NestedState    *bool `json:"nestedState,omitempty"`
}

// Pools is compat.pools's result (evmcsd.pools/1).
type Pools struct {
	Schema     string          `json:"schema"`
	Groups     []PoolGroup     `json:"groups"`
	Migrations []PoolMigration `json:"migrations"`
	Options    *PoolOptions    `json:"options,omitempty"`
}

// SubscriptionResult is events.subscribe's and events.unsubscribe's result.
type SubscriptionResult struct {
	Subscribed  bool   `json:"subscribed"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// RefreshResult is cache.refresh's result.
type RefreshResult struct {
	Fingerprint    string `json:"fingerprint"`
	Changed        bool   `json:"changed"`
	DurationMicros int64  `json:"durationMicros"`
}

// ReloadResult is daemon.reload's result.
type ReloadResult struct {
	Reloaded    bool     `json:"reloaded"`
	Applied     []string `json:"applied"`
	NeedRestart []string `json:"needRestart"`
}

// CheckRequest is compat.check's params, one of: VM (and To); From (with EVMCS,
// PerfGlobalCtrl, NestedState, To); QEMUCPU (with From, To). Documents are raw JSON, sent as
// they are (a Document from LoadProfile / LoadVMRequirements marshals to its bytes).
type CheckRequest struct {
	VM             json.RawMessage `json:"vm,omitempty"`
	QEMUCPU        string          `json:"qemuCPU,omitempty"`
	From           json.RawMessage `json:"from,omitempty"`
	EVMCS          *bool           `json:"evmcs,omitempty"`
	PerfGlobalCtrl *bool           `json:"perfGlobalCtrl,omitempty"`
	NestedState    *bool           `json:"nestedState,omitempty"`
	To             json.RawMessage `json:"to,omitempty"`
}

// FleetRequest is compat.baseline's and compat.pools's params.
type FleetRequest struct {
	Profiles       []json.RawMessage `json:"profiles"`
	IncludeLocal   *bool             `json:"includeLocal,omitempty"`
	EVMCS          *bool             `json:"evmcs,omitempty"`
	PerfGlobalCtrl *bool             `json:"perfGlobalCtrl,omitempty"`
	NestedState    *bool             `json:"nestedState,omitempty"`
}

// Bool is a *bool for the optional flags of the requests.
func Bool(value bool) *bool { return &value }
