// Package evmcsd is a client of evmcsd, the daemon that answers JSON-RPC 2.0 (one JSON text per
// line) on a Unix socket about a host's KVM nested/eVMCS capabilities and gives VM-migration
// compatibility verdicts (Docs/protocol.md).
//
// A Client holds one connection; it is safe for concurrent use: requests from many goroutines
// are pipelined and their answers matched by id by one reader goroutine.
package evmcsd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// SystemSocket is the system daemon's socket.
const SystemSocket = "/run/evmcsd/evmcsd.sock"

// DefaultTimeout is how long a call waits when its context has no deadline.
const DefaultTimeout = 30 * time.Second

// DefaultSocketPath is evmcsctl's default: $EVMCSD_SOCKET when set and not empty; else
// /run/evmcsd/evmcsd.sock as root or when it exists; else $XDG_RUNTIME_DIR/evmcsd/evmcsd.sock;
// else /tmp/evmcsd-<uid>/evmcsd.sock.
func DefaultSocketPath() string {
	return defaultSocketPath(os.Getenv, os.Getuid())
}

func defaultSocketPath(getenv func(string) string, uid int) string {
	if explicit := getenv("EVMCSD_SOCKET"); explicit != "" {
		return explicit
	}
	if uid == 0 || syscall.Access(SystemSocket, 0) == nil {
		return SystemSocket
	}
	if runtime := getenv("XDG_RUNTIME_DIR"); runtime != "" {
		return runtime + "/evmcsd/evmcsd.sock"
	}
	return "/tmp/evmcsd-" + strconv.Itoa(uid) + "/evmcsd.sock"
}

type answer struct {
	message json.RawMessage // the whole response object
	err     error
}

// Client is a connection to evmcsd.
type Client struct {
	// Path is the socket this client is connected to.
	Path string
	// Timeout applies to calls whose context has no deadline (DefaultTimeout).
	Timeout time.Duration

	conn    net.Conn
	writeMu sync.Mutex

	mu          sync.Mutex
	nextID      int64
	pending     map[int64]chan answer
	rawWaiters  []chan answer
	subscribers map[*Subscription]struct{}
	closedErr   error // set once the connection is done
	serverErr   error // an error line with id null that answered no request (e.g. -32000)
	done        chan struct{}
}

// Dial connects to the daemon's socket ("" for DefaultSocketPath()).
func Dial(ctx context.Context, path string) (*Client, error) {
	if path == "" {
		path = DefaultSocketPath()
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, connectError(path, err)
	}
	client := &Client{
		Path:        path,
		Timeout:     DefaultTimeout,
		conn:        conn,
		nextID:      1,
		pending:     map[int64]chan answer{},
		subscribers: map[*Subscription]struct{}{},
		done:        make(chan struct{}),
	}
	go client.readLoop()
	return client, nil
}

func connectError(path string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if errno == syscall.EACCES || errno == syscall.EPERM {
			return &TransportError{Kind: ErrPermissionDenied, Path: path, Err: errno, hint: "join the socket's group (evmcsd) or run as root"}
		}
		return &TransportError{Kind: ErrDaemonNotRunning, Path: path, Err: errno,
			hint: "start it (systemctl start evmcsd.socket, or make run) or give another socket (EVMCSD_SOCKET)"}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &TransportError{Kind: ErrDaemonNotRunning, Path: path, Err: err}
}

func (c *Client) lost() error {
	return &TransportError{Kind: ErrConnectionLost, Path: c.Path, hint: "is the daemon restarting?"}
}

// Close closes the connection: calls in flight fail with ErrClosed, subscriptions end.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closedErr == nil {
		c.closedErr = &TransportError{Kind: ErrClosed, Path: c.Path}
	}
	c.mu.Unlock()
	err := c.conn.Close()
	<-c.done
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Done is closed when the connection has ended (closed by either side).
func (c *Client) Done() <-chan struct{} { return c.done }

func (c *Client) readLoop() {
	defer close(c.done)
	reader := bufio.NewReaderSize(c.conn, 64*1024)
	var failure error
	for {
		line, err := reader.ReadBytes('\n')
		if len(line) > 0 {
			if dispatchErr := c.dispatch(line); dispatchErr != nil {
				failure = dispatchErr
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.mu.Lock()
	if c.closedErr == nil {
		switch {
		case failure != nil:
			c.closedErr = failure
		case c.serverErr != nil:
			c.closedErr = c.serverErr
		default:
			c.closedErr = c.lost()
		}
	}
	closedErr := c.closedErr
	pending := c.pending
	c.pending = map[int64]chan answer{}
	waiters := c.rawWaiters
	c.rawWaiters = nil
	subscribers := c.subscribers
	c.subscribers = map[*Subscription]struct{}{}
	c.mu.Unlock()
	c.conn.Close()
	for _, ch := range pending {
		ch <- answer{err: closedErr}
	}
	for _, ch := range waiters {
		ch <- answer{err: closedErr}
	}
	for subscription := range subscribers {
		subscription.end()
	}
}

type envelope struct {
	ID     *json.RawMessage `json:"id"`
	Method *string          `json:"method"`
	Params json.RawMessage  `json:"params"`
	Error  *wireError       `json:"error"`
}

type wireError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func (e *wireError) toError() *Error {
	return &Error{Code: e.Code, Message: e.Message, Data: e.Data}
}

func isBlank(line []byte) bool {
	for _, b := range line {
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return false
		}
	}
	return true
}

func (c *Client) dispatch(line []byte) error {
	if isBlank(line) {
		return nil
	}
	if line[0] == '[' { // a batch's answer: only raw lines send batches
		c.mu.Lock()
		var target chan answer
		if len(c.rawWaiters) > 0 {
			target, c.rawWaiters = c.rawWaiters[0], c.rawWaiters[1:]
		}
		c.mu.Unlock()
		if target != nil {
			target <- answer{message: append(json.RawMessage(nil), line...)}
		}
		return nil
	}
	var message envelope
	if err := json.Unmarshal(line, &message); err != nil {
		return fmt.Errorf("%w: not JSON (%v): %.200q", ErrProtocol, err, line)
	}
	raw := append(json.RawMessage(nil), line...)
	if message.ID == nil && message.Method != nil {
		if *message.Method == NotificationProfileChanged {
			var event ProfileChanged
			if err := json.Unmarshal(message.Params, &event); err != nil {
				return fmt.Errorf("%w: profile.changed params: %v", ErrProtocol, err)
			}
			c.mu.Lock()
			for subscription := range c.subscribers {
				subscription.push(event)
			}
			c.mu.Unlock()
		}
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var target chan answer
	if message.ID != nil && string(*message.ID) != "null" {
		if id, err := strconv.ParseInt(string(*message.ID), 10, 64); err == nil {
			if ch, ok := c.pending[id]; ok {
				target = ch
				delete(c.pending, id)
			}
		}
	} else if message.Error != nil && len(c.rawWaiters) == 0 {
		// An error with id null answers the oldest outstanding request (answers come in request
		// order); with none outstanding it is about the connection (e.g. -32000).
		if len(c.pending) == 0 {
			c.serverErr = message.Error.toError()
			return nil
		}
		oldest := int64(-1)
		for id := range c.pending {
			if oldest < 0 || id < oldest {
				oldest = id
			}
		}
		target = c.pending[oldest]
		delete(c.pending, oldest)
	}
	if target == nil && len(c.rawWaiters) > 0 {
		target, c.rawWaiters = c.rawWaiters[0], c.rawWaiters[1:]
	}
	if target != nil {
		target <- answer{message: raw}
	}
	return nil
}

func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.Timeout)
}

func (c *Client) write(ctx context.Context, data []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if deadline, ok := ctx.Deadline(); ok {
		_ = c.conn.SetWriteDeadline(deadline)
	} else {
		_ = c.conn.SetWriteDeadline(time.Time{})
	}
	n, err := c.conn.Write(data)
	if err == nil {
		return nil
	}
	if n > 0 {
		// Half a line went out: nothing more can be framed on this connection.
		c.conn.Close()
	}
	if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return context.DeadlineExceeded
	}
	// The daemon closed the connection (e.g. after a -32000 line): the reader says why.
	select {
	case <-c.done:
	case <-time.After(time.Second):
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closedErr != nil {
		return c.closedErr
	}
	if c.serverErr != nil {
		return c.serverErr
	}
	return c.lost()
}

type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      *int64 `json:"id,omitempty"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

// CallRaw calls method with params (nil for none; anything encoding/json encodes to an
// object) and returns the raw result; a daemon error is an *Error.
func (c *Client) CallRaw(ctx context.Context, method string, params any) (json.RawMessage, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	ch := make(chan answer, 1)
	c.mu.Lock()
	if c.closedErr != nil {
		err := c.closedErr
		c.mu.Unlock()
		return nil, err
	}
	id := c.nextID
	c.nextID++
	c.pending[id] = ch
	c.mu.Unlock()
	data, err := json.Marshal(request{JSONRPC: "2.0", ID: &id, Method: method, Params: params})
	if err != nil {
		c.forget(id)
		return nil, fmt.Errorf("evmcsd: encoding %s params: %w", method, err)
	}
	if err := c.write(ctx, append(data, '\n')); err != nil {
		c.forget(id)
		select {
		case got := <-ch: // answered before the daemon closed (e.g. -32000 for the connection)
			if got.err != nil {
				return nil, got.err
			}
			return resultOf(got.message)
		default:
			return nil, err
		}
	}
	select {
	case got := <-ch:
		if got.err != nil {
			return nil, got.err
		}
		return resultOf(got.message)
	case <-ctx.Done():
		c.forget(id)
		return nil, fmt.Errorf("evmcsd did not answer %s: %w", method, ctx.Err())
	}
}

func (c *Client) forget(id int64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

func resultOf(message json.RawMessage) (json.RawMessage, error) {
	var response struct {
		Result json.RawMessage `json:"result"`
		Error  *wireError      `json:"error"`
	}
	if err := json.Unmarshal(message, &response); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	if response.Error != nil {
		return nil, response.Error.toError()
	}
	if response.Result == nil {
		return nil, fmt.Errorf("%w: neither result nor error: %.200s", ErrProtocol, message)
	}
	return response.Result, nil
}

// Call calls method and decodes its result into result (a pointer; nil to discard it).
func (c *Client) Call(ctx context.Context, method string, params any, result any) error {
	raw, err := c.CallRaw(ctx, method, params)
	if err != nil {
		return err
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(raw, result); err != nil {
		return fmt.Errorf("%w: %s result: %v", ErrProtocol, method, err)
	}
	return nil
}

// Notify sends a notification (no id): the daemon executes it and never answers.
func (c *Client) Notify(ctx context.Context, method string, params any) error {
	data, err := json.Marshal(request{JSONRPC: "2.0", Method: method, Params: params})
	if err != nil {
		return err
	}
	return c.write(ctx, append(data, '\n'))
}

// SendRaw is for diagnostics: it sends one pre-encoded line and returns the next answer that
// matches no call of this client (a response to the line's own id, an error with id null, a
// batch's array) as raw JSON, errors included. Do not use this client's ids (small integers).
func (c *Client) SendRaw(ctx context.Context, line []byte) (json.RawMessage, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	ch := make(chan answer, 1)
	c.mu.Lock()
	if c.closedErr != nil {
		err := c.closedErr
		c.mu.Unlock()
		return nil, err
	}
	c.rawWaiters = append(c.rawWaiters, ch)
	c.mu.Unlock()
	for len(line) > 0 && line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	if err := c.write(ctx, append(append([]byte(nil), line...), '\n')); err != nil {
		return nil, err
	}
	select {
	case got := <-ch:
		return got.message, got.err
	case <-ctx.Done():
		c.mu.Lock()
		for i, waiter := range c.rawWaiters {
			if waiter == ch {
				c.rawWaiters = append(c.rawWaiters[:i], c.rawWaiters[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return nil, fmt.Errorf("evmcsd did not answer the raw line: %w", ctx.Err())
	}
}

// The methods (Docs/protocol.md).

// Discover returns the OpenRPC document (rpc.discover).
func (c *Client) Discover(ctx context.Context) (map[string]any, error) {
	var document map[string]any
	err := c.Call(ctx, MethodDiscover, nil, &document)
	return document, err
}

func (c *Client) Status(ctx context.Context) (*DaemonStatus, error) {
	var result DaemonStatus
	return &result, c.Call(ctx, MethodStatus, nil, &result)
}

func (c *Client) Profile(ctx context.Context) (*HostProfile, error) {
	var result HostProfile
	return &result, c.Call(ctx, MethodProfile, nil, &result)
}

func (c *Client) EVMCS(ctx context.Context) (*HostEVMCSReport, error) {
	var result HostEVMCSReport
	return &result, c.Call(ctx, MethodEVMCS, nil, &result)
}

// VMX returns the VMX views, or only view ("" for all: system, vcpu, guest, guestPerfGlobalCtrl).
func (c *Client) VMX(ctx context.Context, view string) (*HostVMXReport, error) {
	var params any
	if view != "" {
		params = map[string]string{"view": view}
	}
	var result HostVMXReport
	return &result, c.Call(ctx, MethodVMX, params, &result)
}

func (c *Client) History(ctx context.Context) (*ProfileHistory, error) {
	var result ProfileHistory
	return &result, c.Call(ctx, MethodHistory, nil, &result)
}

// Check returns compat.check's verdict.
func (c *Client) Check(ctx context.Context, request CheckRequest) (*Verdict, error) {
	var result Verdict
	return &result, c.Call(ctx, MethodCheck, request, &result)
}

func (c *Client) Baseline(ctx context.Context, request FleetRequest) (*Baseline, error) {
	var result Baseline
	return &result, c.Call(ctx, MethodBaseline, request, &result)
}

func (c *Client) Pools(ctx context.Context, request FleetRequest) (*Pools, error) {
	var result Pools
	return &result, c.Call(ctx, MethodPools, request, &result)
}

// Refresh re-probes now (cache.refresh; root or the admin group).
func (c *Client) Refresh(ctx context.Context) (*RefreshResult, error) {
	var result RefreshResult
	return &result, c.Call(ctx, MethodRefresh, nil, &result)
}

// Reload reloads the configuration (daemon.reload; root or the admin group).
func (c *Client) Reload(ctx context.Context) (*ReloadResult, error) {
	var result ReloadResult
	return &result, c.Call(ctx, MethodReload, nil, &result)
}

// Unsubscribe stops profile.changed on this connection; open Subscriptions end.
func (c *Client) Unsubscribe(ctx context.Context) (*SubscriptionResult, error) {
	var result SubscriptionResult
	err := c.Call(ctx, MethodUnsubscribe, nil, &result)
	if err == nil {
		c.mu.Lock()
		subscribers := c.subscribers
		c.subscribers = map[*Subscription]struct{}{}
		c.mu.Unlock()
		for subscription := range subscribers {
			subscription.end()
		}
	}
	return &result, err
}

// Subscribe calls events.subscribe; the Subscription's Events channel delivers profile.changed
// and is closed when the connection ends or on Unsubscribe.
func (c *Client) Subscribe(ctx context.Context) (*Subscription, error) {
	subscription := newSubscription()
	subscription.client = c
	c.mu.Lock()
	if c.closedErr != nil {
		err := c.closedErr
		c.mu.Unlock()
		return nil, err
	}
	c.subscribers[subscription] = struct{}{}
	c.mu.Unlock()
	var result SubscriptionResult
	if err := c.Call(ctx, MethodSubscribe, nil, &result); err != nil {
		c.mu.Lock()
		delete(c.subscribers, subscription)
		c.mu.Unlock()
		subscription.end()
		return nil, err
	}
	subscription.Result = result
	return subscription, nil
}

// Subscription delivers profile.changed events on Events, in order, without ever blocking the
// client's reader (events queue up until read). Read Events until it is closed, or call Close.
type Subscription struct {
	// Result is events.subscribe's answer (the fingerprint served then).
	Result SubscriptionResult
	// Events is closed when the subscription ends.
	Events <-chan ProfileChanged

	events chan ProfileChanged
	mu     sync.Mutex
	queue  []ProfileChanged
	wake   chan struct{}
	ended  bool
	stop   chan struct{}
	once   sync.Once
	client *Client
}

func newSubscription() *Subscription {
	s := &Subscription{events: make(chan ProfileChanged), wake: make(chan struct{}, 1), stop: make(chan struct{})}
	s.Events = s.events
	go s.pump()
	return s
}

func (s *Subscription) push(event ProfileChanged) {
	s.mu.Lock()
	s.queue = append(s.queue, event)
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) end() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription) pump() {
	defer close(s.events)
	for range s.wake {
		select {
		case <-s.stop:
			return
		default:
		}
		for {
			s.mu.Lock()
			if len(s.queue) == 0 {
				ended := s.ended
				s.mu.Unlock()
				if ended {
					return
				}
				break
			}
			event := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			select {
			case s.events <- event:
			case <-s.stop:
				return
			}
		}
	}
}

// Close stops this subscription's delivery and closes Events; undelivered events are dropped.
// It does not unsubscribe the connection (Client.Unsubscribe does).
func (s *Subscription) Close() {
	if s.client != nil {
		s.client.mu.Lock()
		delete(s.client.subscribers, s)
		s.client.mu.Unlock()
	}
	s.once.Do(func() { close(s.stop) })
	s.end()
}
