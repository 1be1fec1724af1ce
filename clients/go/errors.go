package evmcsd

import (
	"encoding/json"
	"errors"
	"fmt"
)

// JSON-RPC error codes evmcsd answers with (Docs/protocol.md, Errors).
const (
	CodeParseError      = -32700
	CodeInvalidRequest  = -32600
	CodeMethodNotFound  = -32601
	CodeInvalidParams   = -32602
	CodeInternalError   = -32603
	CodeOverloaded      = -32000
	CodeRequestTooLarge = -32001
	CodeBatchTooLarge   = -32002
	CodeShuttingDown    = -32003
	CodeNotAuthorized   = -32011
	CodeInvalidDocument = -32012
	CodeProbeFailed     = -32013
	CodeNotReady        = -32014
	CodeReloadFailed    = -32015
	CodeFleetFailed     = -32016
)

// CodeNames names every documented code (the names of Docs/openrpc.json's components.errors).
var CodeNames = map[int]string{
	CodeParseError:      "ParseError",
	CodeInvalidRequest:  "InvalidRequest",
	CodeMethodNotFound:  "MethodNotFound",
	CodeInvalidParams:   "InvalidParams",
	CodeInternalError:   "InternalError",
	CodeOverloaded:      "Overloaded",
	CodeRequestTooLarge: "RequestTooLarge",
	CodeBatchTooLarge:   "BatchTooLarge",
	CodeShuttingDown:    "ShuttingDown",
	CodeNotAuthorized:   "NotAuthorized",
	CodeInvalidDocument: "InvalidDocument",
	CodeProbeFailed:     "ProbeFailed",
	CodeNotReady:        "NotReady",
	CodeReloadFailed:    "ReloadFailed",
	CodeFleetFailed:     "FleetFailed",
}

// Error is an error answer of the daemon: use errors.As(err, &e) with e *Error, or the
// Is… helpers. An unknown code is an *Error too.
type Error struct {
	Code    int
	Message string
	// Data is the error's data member as sent (nil when absent).
	Data json.RawMessage
}

func (e *Error) Error() string {
	text := e.Message
	var data struct {
		Field   *string `json:"field"`
		Reason  *string `json:"reason"`
		Allowed *string `json:"allowed"`
		Method  *string `json:"method"`
	}
	if len(e.Data) > 0 && json.Unmarshal(e.Data, &data) == nil {
		switch {
		case data.Field != nil && data.Reason != nil:
			text += ": " + *data.Field + ": " + *data.Reason
		case data.Reason != nil:
			text += ": " + *data.Reason
		case e.Code == CodeNotAuthorized && data.Allowed != nil && data.Method != nil:
			text += ": only " + *data.Allowed + " may call " + *data.Method
		}
	}
	return fmt.Sprintf("%s (%d)", text, e.Code)
}

// Name is the code's name (ParseError, NotReady, …), or "" for a code this client does not know.
func (e *Error) Name() string { return CodeNames[e.Code] }

// DataMap decodes Data into a map (nil when absent or not an object).
func (e *Error) DataMap() map[string]any {
	var m map[string]any
	if len(e.Data) == 0 || json.Unmarshal(e.Data, &m) != nil {
		return nil
	}
	return m
}

// Field and Reason are data.field and data.reason ("" when absent).
func (e *Error) Field() string  { s, _ := e.DataMap()["field"].(string); return s }
func (e *Error) Reason() string { s, _ := e.DataMap()["reason"].(string); return s }

// Is makes errors.Is(err, &Error{Code: c}) true for any error of code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == "" && t.Data == nil
}

// ErrorCode is the code of an *Error in err's chain, and whether there is one.
func ErrorCode(err error) (int, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// IsCode reports whether err is a daemon error of that code.
func IsCode(err error, code int) bool {
	c, ok := ErrorCode(err)
	return ok && c == code
}

func IsParseError(err error) bool      { return IsCode(err, CodeParseError) }
func IsInvalidRequest(err error) bool  { return IsCode(err, CodeInvalidRequest) }
func IsMethodNotFound(err error) bool  { return IsCode(err, CodeMethodNotFound) }
func IsInvalidParams(err error) bool   { return IsCode(err, CodeInvalidParams) }
func IsInternalError(err error) bool   { return IsCode(err, CodeInternalError) }
func IsOverloaded(err error) bool      { return IsCode(err, CodeOverloaded) }
func IsRequestTooLarge(err error) bool { return IsCode(err, CodeRequestTooLarge) }
func IsBatchTooLarge(err error) bool   { return IsCode(err, CodeBatchTooLarge) }
func IsShuttingDown(err error) bool    { return IsCode(err, CodeShuttingDown) }
func IsNotAuthorized(err error) bool   { return IsCode(err, CodeNotAuthorized) }
func IsInvalidDocument(err error) bool { return IsCode(err, CodeInvalidDocument) }
func IsProbeFailed(err error) bool     { return IsCode(err, CodeProbeFailed) }
func IsNotReady(err error) bool        { return IsCode(err, CodeNotReady) }
func IsReloadFailed(err error) bool    { return IsCode(err, CodeReloadFailed) }
func IsFleetFailed(err error) bool     { return IsCode(err, CodeFleetFailed) }

// Transport failures, for errors.Is.
var (
	// ErrDaemonNotRunning: no socket file, or nobody listening on it.
	ErrDaemonNotRunning = errors.New("evmcsd is not running")
	// ErrPermissionDenied: the socket exists but this user may not connect to it.
	ErrPermissionDenied = errors.New("no permission to connect to evmcsd")
	// ErrConnectionLost: the connection closed before the answer arrived.
	ErrConnectionLost = errors.New("the connection to evmcsd was lost")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("the evmcsd client is closed")
	// ErrProtocol: the daemon's answer is not what the protocol promises.
	ErrProtocol = errors.New("unexpected answer from evmcsd")
)

// TransportError says which transport failure (Kind: one of the Err… values above) happened
// on which socket, with the underlying error (e.g. syscall.ENOENT) as Err.
type TransportError struct {
	Kind error
	Path string
	Err  error
	hint string
}

func (e *TransportError) Error() string {
	text := e.Kind.Error() + " at " + e.Path
	if e.Err != nil {
		text += " (" + e.Err.Error() + ")"
	}
	if e.hint != "" {
		text += ": " + e.hint
	}
	return text
}

// Is makes errors.Is(err, ErrDaemonNotRunning) (etc.) work.
func (e *TransportError) Is(target error) bool { return target == e.Kind }

// Unwrap gives the underlying error, e.g. for errors.Is(err, syscall.ENOENT).
func (e *TransportError) Unwrap() error { return e.Err }

// IsDaemonNotRunning, IsPermissionDenied, IsConnectionLost: the transport failures.
func IsDaemonNotRunning(err error) bool { return errors.Is(err, ErrDaemonNotRunning) }
func IsPermissionDenied(err error) bool { return errors.Is(err, ErrPermissionDenied) }
func IsConnectionLost(err error) bool   { return errors.Is(err, ErrConnectionLost) }
