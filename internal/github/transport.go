package github

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock tells the time and waits. Tests replace it, so that backoff and
// rate-limit waits take no real time.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

// Defaults of Transport.
const (
	DefaultAttempts       = 5
	DefaultBackoff        = time.Second
	DefaultMaxBackoff     = 30 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultSecondaryWait is how long to wait after a secondary rate
	// limit that says nothing of when to retry: GitHub asks for at least
	// a minute.
	DefaultSecondaryWait = time.Minute
	// maxRateLimitWaits bounds how often one request waits for a rate
	// limit; the caller's deadline bounds how long.
	maxRateLimitWaits = 8
	// errorBodyBytes is how much of an error response is read to tell a
	// secondary rate limit from a refusal.
	errorBodyBytes = 64 << 10
)

// Transport sends GitHub API requests: it authenticates them, retries
// with backoff on server errors, timeouts and dropped connections, waits
// out primary and secondary rate limits (403 or 429, Retry-After,
// X-RateLimit-Remaining and -Reset), sends mutating requests one at a
// time, and gives up rather than wait past the request context's deadline.
//
// A request that may have been applied although no answer came back (a
// POST whose connection dropped, or that got a 5xx) is not retried: the
// error says its outcome is unknown (IsUncertain), and the caller finds
// out what happened before trying again. A rate-limited request was not
// applied and is always retried.
type Transport struct {
	// Base sends one attempt; http.DefaultTransport when nil.
	Base http.RoundTripper
	// Token authenticates requests to Host; none when empty.
	Token string
	// Host is the API's host: the token is sent there and nowhere else.
	// Any host when empty.
	Host string
	// Clock tells the time and waits; SystemClock when nil.
	Clock Clock
	// Attempts bounds the tries of one request after server errors and
	// dropped connections; DefaultAttempts when 0.
	Attempts int
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff; DefaultBackoff and DefaultMaxBackoff
	// when 0.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// SecondaryWait is the wait after a secondary rate limit without a
	// Retry-After header; DefaultSecondaryWait when 0.
	SecondaryWait time.Duration
	// AttemptTimeout bounds one attempt, up to the end of its response
	// body; DefaultAttemptTimeout when 0.
	AttemptTimeout time.Duration
	// MutationGap is the least time between the starts of two mutating
	// requests (GitHub asks for a second); none when 0.
	MutationGap time.Duration
	// Logf, when set, is told of every retry and wait.
	Logf func(format string, args ...any)

	mutation     chan struct{} // holds one token: mutating requests one at a time
	initOnce     sync.Once
	mu           sync.Mutex
	lastMutation time.Time
	resumeAt     time.Time // no request before: a primary rate limit is spent
}

var _ http.RoundTripper = (*Transport)(nil)

type retryKey struct{}

// retryPolicy overrides whether a request may be sent again after an
// answer that leaves its outcome unknown.
type retryPolicy int

const (
	retryDefault retryPolicy = iota
	retrySafe                // applying twice does no harm (a commit status)
	retryUnsafe              // applying twice does harm (appending annotations)
)

// withRetry marks the requests made with ctx as safe or unsafe to repeat.
func withRetry(ctx context.Context, p retryPolicy) context.Context {
	return context.WithValue(ctx, retryKey{}, p)
}

// repeatable tells whether req may be sent again when its outcome is
// unknown: reads, PUT, DELETE and PATCH (which set a state) may, POST
// (which creates) may not, unless the context says otherwise.
func repeatable(req *http.Request) bool {
	switch p, _ := req.Context().Value(retryKey{}).(retryPolicy); p {
	case retrySafe:
		return true
	case retryUnsafe:
		return false
	}
	return req.Method != http.MethodPost
}

func mutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// UncertainError is a request that may or may not have been applied: its
// connection failed, or it timed out, before an answer came back.
type UncertainError struct {
	Method, Path string
	Err          error
}

func (e *UncertainError) Error() string {
	return fmt.Sprintf("%s %s: no answer, it may or may not have been applied: %v", e.Method, e.Path, e.Err)
}

func (e *UncertainError) Unwrap() error { return e.Err }

// RateLimitError is a request given up because GitHub's rate limit would
// have it wait past the deadline, or too often.
type RateLimitError struct {
	Method, Path string
	Wait         time.Duration
	Reason       string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s %s: rate limited (%s); waiting %s more would pass the deadline", e.Method, e.Path, e.Reason, e.Wait.Round(time.Second))
}

func (t *Transport) init() {
	t.initOnce.Do(func() { t.mutation = make(chan struct{}, 1) })
}

func (t *Transport) clock() Clock {
	if t.Clock == nil {
		return SystemClock
	}
	return t.Clock
}

func (t *Transport) logf(format string, args ...any) {
	if t.Logf != nil {
		t.Logf(format, args...)
	}
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// backoff is the wait before attempt n+1 after n failures.
func (t *Transport) backoff(n int) time.Duration {
	d := orDefault(t.Backoff, DefaultBackoff)
	limit := orDefault(t.MaxBackoff, DefaultMaxBackoff)
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// sleep waits d, or fails at once when d would pass ctx's deadline.
func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && t.clock().Now().Add(d).After(dl) {
		return context.DeadlineExceeded
	}
	return t.clock().Sleep(ctx, d)
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.init()
	ctx := req.Context()
	path := req.URL.Path
	if mutating(req.Method) {
		select {
		case t.mutation <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-t.mutation }()
		t.mu.Lock()
		wait := t.lastMutation.Add(t.MutationGap).Sub(t.clock().Now())
		t.mu.Unlock()
		if t.MutationGap > 0 && wait > 0 {
			if err := t.clock().Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	again := repeatable(req) && replayable
	attempts := orDefault(t.Attempts, DefaultAttempts)
	failures, limits := 0, 0
	for {
		if err := t.waitForReset(ctx, req.Method, path); err != nil {
			return nil, err
		}
		if mutating(req.Method) {
			t.mu.Lock()
			t.lastMutation = t.clock().Now()
			t.mu.Unlock()
		}
		resp, err := t.attempt(req, failures+limits > 0)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !again {
				return nil, &UncertainError{Method: req.Method, Path: path, Err: err}
			}
			failures++
			if failures >= attempts {
				return nil, err
			}
			d := t.backoff(failures)
			t.logf("%s %s: %v; retrying in %s (attempt %d of %d)", req.Method, path, err, d, failures+1, attempts)
			if serr := t.sleep(ctx, d); serr != nil {
				return nil, err
			}
			continue
		}
		if wait, reason, limited := t.rateLimited(resp); limited && replayable {
			drain(resp)
			limits++
			if limits > maxRateLimitWaits {
				return nil, &RateLimitError{Method: req.Method, Path: path, Wait: wait, Reason: reason + ", too often"}
			}
			t.logf("%s %s: %s; waiting %s", req.Method, path, reason, wait.Round(time.Millisecond))
			if err := t.sleep(ctx, wait); err != nil {
				return nil, &RateLimitError{Method: req.Method, Path: path, Wait: wait, Reason: reason}
			}
			continue
		}
		t.noteRate(resp)
		if resp.StatusCode >= 500 && again {
			failures++
			if failures < attempts {
				d := t.backoff(failures)
				t.logf("%s %s: %s; retrying in %s (attempt %d of %d)", req.Method, path, resp.Status, d, failures+1, attempts)
				if err := t.sleep(ctx, d); err == nil {
					drain(resp)
					continue
				}
			}
		}
		return resp, nil
	}
}

// attempt sends req once, with its own timeout that lasts until its body
// is closed, and the token when the request goes to the API's host.
func (t *Transport) attempt(req *http.Request, again bool) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), orDefault(t.AttemptTimeout, DefaultAttemptTimeout))
	r := req.Clone(ctx)
	if again && req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			cancel()
			return nil, err
		}
		r.Body = body
	}
	if t.Token != "" && (t.Host == "" || strings.EqualFold(r.URL.Host, t.Host)) {
		r.Header.Set("Authorization", "Bearer "+t.Token)
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, errorBodyBytes))
	_ = resp.Body.Close()
}

// rateLimited tells whether resp is a rate limit, and how long to wait:
// Retry-After when given; until X-RateLimit-Reset when the primary limit
// is spent; else, for a 429 or a 403 that says it is a secondary limit,
// SecondaryWait.
func (t *Transport) rateLimited(resp *http.Response) (time.Duration, string, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, "", false
	}
	h := resp.Header
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, fmt.Sprintf("%s, retry after %ds", resp.Status, secs), true
		}
		if at, err := http.ParseTime(ra); err == nil {
			return max(at.Sub(t.clock().Now()), 0), resp.Status + ", retry after " + ra, true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := parseReset(h.Get("X-RateLimit-Reset")); ok {
			// A second more: the reset time is rounded down.
			return max(reset.Sub(t.clock().Now()), 0) + time.Second, resp.Status + ", rate limit spent until " + reset.UTC().Format(time.RFC3339), true
		}
	}
	secondary := orDefault(t.SecondaryWait, DefaultSecondaryWait)
	if resp.StatusCode == http.StatusTooManyRequests {
		return secondary, resp.Status, true
	}
	// A 403 is a rate limit only when it says so; else it is a refusal,
	// and its body must reach the caller whole.
	body, err := io.ReadAll(io.LimitReader(resp.Body, errorBodyBytes))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return 0, "", false
	}
	lower := strings.ToLower(string(body))
	if strings.Contains(lower, "secondary rate limit") || strings.Contains(lower, "abuse detection") ||
		strings.Contains(lower, "api rate limit exceeded") {
		return secondary, resp.Status + ", secondary rate limit", true
	}
	return 0, "", false
}

// noteRate remembers when the primary rate limit is spent, so that the
// next request waits for the reset. It also takes the reset time out of
// the response: go-github would otherwise refuse the next request itself,
// by the wall clock, instead of letting this transport wait.
func (t *Transport) noteRate(resp *http.Response) {
	if resp.Header.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	if reset, ok := parseReset(resp.Header.Get("X-RateLimit-Reset")); ok {
		t.mu.Lock()
		if reset.After(t.resumeAt) {
			t.resumeAt = reset
		}
		t.mu.Unlock()
	}
	resp.Header.Del("X-RateLimit-Reset")
}

// waitForReset waits until a spent primary rate limit resets.
func (t *Transport) waitForReset(ctx context.Context, method, path string) error {
	t.mu.Lock()
	at := t.resumeAt
	t.mu.Unlock()
	wait := at.Sub(t.clock().Now())
	if at.IsZero() || wait <= 0 {
		return nil
	}
	wait += time.Second
	t.logf("%s %s: rate limit spent; waiting %s for its reset", method, path, wait.Round(time.Millisecond))
	if err := t.sleep(ctx, wait); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return &RateLimitError{Method: method, Path: path, Wait: wait, Reason: "rate limit spent"}
		}
		return err
	}
	return nil
}

func parseReset(s string) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}
