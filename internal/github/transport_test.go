package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/github/fakegh"
)

// newTestTransport serves h and returns a transport to it on a test clock.
func newTestTransport(t *testing.T, h http.HandlerFunc) (*Transport, *testClock, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clock := newTestClock()
	tr := &Transport{Token: testToken, Clock: clock, Backoff: time.Second, AttemptTimeout: time.Second}
	return tr, clock, srv.URL
}

// do sends one request through tr and returns the status of its answer.
func do(ctx context.Context, t *testing.T, tr *Transport, method, url, body string) (int, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.ReadAll(resp.Body)
	return resp.StatusCode, nil
}

func TestTransportRetries(t *testing.T) {
	tests := []struct {
		name    string
		answers []int // status of each attempt; 0 drops the connection
		method  string
		header  http.Header // on the first answer
		status  int         // the final answer's, 0 for an error
		tries   int
		waited  time.Duration
		unsure  bool // the error is an UncertainError
	}{
		{"GET 500 then 200", []int{500, 200}, "GET", nil, 200, 2, time.Second, false},
		{"GET 502, 503, 504 then 200", []int{502, 503, 504, 200}, "GET", nil, 200, 4, 7 * time.Second, false},
		{"GET 500 five times", []int{500, 500, 500, 500, 500}, "GET", nil, 500, 5, 15 * time.Second, false},
		{"GET reset then 200", []int{0, 200}, "GET", nil, 200, 2, time.Second, false},
		{"PATCH 502 then 200", []int{502, 200}, "PATCH", nil, 200, 2, time.Second, false},
		{"POST 502 is not repeated", []int{502, 200}, "POST", nil, 502, 1, 0, false},
		{"POST reset is not repeated", []int{0, 200}, "POST", nil, 0, 1, 0, true},
		{"POST secondary rate limit is", []int{403, 201}, "POST", http.Header{"Retry-After": {"30"}}, 201, 2, 30 * time.Second, false},
		{"POST 429 with Retry-After", []int{429, 201}, "POST", http.Header{"Retry-After": {"5"}}, 201, 2, 5 * time.Second, false},
		{"POST 429 without it waits a minute", []int{429, 201}, "POST", nil, 201, 2, time.Minute, false},
		{"403 that is a refusal is not retried", []int{403, 201}, "POST", http.Header{"X-Refusal": {"1"}}, 403, 1, 0, false},
		{"404 is not retried", []int{404, 200}, "GET", nil, 404, 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			tr, clock, url := newTestTransport(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodGet && string(body) != `{"a":1}` {
					t.Errorf("attempt %d: body %q", n.Load()+1, body)
				}
				i := int(n.Add(1)) - 1
				status := tt.answers[min(i, len(tt.answers)-1)]
				if status == 0 {
					hangUp(w)
					return
				}
				if i == 0 {
					for k, v := range tt.header {
						w.Header()[k] = v
					}
				}
				w.WriteHeader(status)
				if status == 403 && tt.header.Get("X-Refusal") != "" {
					_, _ = io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
				}
			})
			body := ""
			if tt.method != "GET" {
				body = `{"a":1}`
			}
			status, err := do(t.Context(), t, tr, tt.method, url, body)
			if tt.status == 0 {
				var ue *UncertainError
				if err == nil || errors.As(err, &ue) != tt.unsure {
					t.Fatalf("err = %v, want an error (uncertain: %v)", err, tt.unsure)
				}
			} else if err != nil || status != tt.status {
				t.Fatalf("answer %d, %v; want %d", status, err, tt.status)
			}
			if got := int(n.Load()); got != tt.tries {
				t.Errorf("%d tries, want %d", got, tt.tries)
			}
			if got := clock.Slept(); got != tt.waited {
				t.Errorf("waited %s, want %s", got, tt.waited)
			}
		})
	}
}

func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// A spent primary rate limit: the next request waits for the reset, by
// the transport's clock, and go-github does not refuse it on its own.
func TestTransportPrimaryRateLimit(t *testing.T) {
	clock := newTestClock()
	fake, err := fakegh.New(fakegh.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	fake.AddToken(testToken, fakegh.Token{Login: "octocat"})
	fake.OpenPR(fakegh.PR{Number: 1, HeadSHA: headSHA})
	if err := fake.Inject(fakegh.Fault{Kind: fakegh.Spent, Wait: 600}); err != nil {
		t.Fatal(err)
	}
	if err := fake.Inject(fakegh.Fault{Kind: fakegh.Primary, Wait: 300}); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(Context{APIURL: fake.URL, Owner: "octo-org", Repo: "reports", Token: testToken}, ClientOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	ctx, cancel := context.WithDeadline(t.Context(), start.Add(time.Hour))
	defer cancel()
	for range 2 {
		if _, err := c.PullRequest(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	// 601s for the spent limit's reset, then the 403 with its own reset
	// 300s on, waited with a second to spare.
	if got := clock.Now().Sub(start); got < 900*time.Second || got > 905*time.Second {
		t.Fatalf("waited %s, want about 902s", got)
	}
	for _, v := range append(fake.Violations(), fake.Unfired()...) {
		t.Error(v)
	}
}

// A rate limit that would outlast the deadline fails at once, without
// sleeping.
func TestTransportDeadline(t *testing.T) {
	tr, clock, url := newTestTransport(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithDeadline(t.Context(), clock.Now().Add(time.Minute))
	defer cancel()
	_, err := do(ctx, t, tr, http.MethodGet, url, "")
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Wait != time.Hour {
		t.Fatalf("err = %v, want a RateLimitError", err)
	}
	if clock.Slept() != 0 {
		t.Fatalf("slept %s", clock.Slept())
	}
	// Backoff past the deadline: the last answer is returned.
	tr2, clock2, url2 := newTestTransport(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	ctx2, cancel2 := context.WithDeadline(t.Context(), clock2.Now().Add(2*time.Second))
	defer cancel2()
	status, err := do(ctx2, t, tr2, http.MethodGet, url2, "")
	if err != nil || status != http.StatusBadGateway || clock2.Slept() != time.Second {
		t.Fatalf("answer %d, %v after %s", status, err, clock2.Slept())
	}
}

// A request that never answers times out, and a read is tried again.
func TestTransportTimeout(t *testing.T) {
	var n atomic.Int32
	tr, _, url := newTestTransport(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	tr.AttemptTimeout = 50 * time.Millisecond
	status, err := do(t.Context(), t, tr, http.MethodGet, url, "")
	if err != nil || status != http.StatusOK || n.Load() != 2 {
		t.Fatalf("answer %d, %v after %d tries", status, err, n.Load())
	}
}

// Mutating requests go one at a time, reads alongside them.
func TestTransportOneMutationAtATime(t *testing.T) {
	var active, most, reads atomic.Int32
	release := make(chan struct{})
	tr, _, url := newTestTransport(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			reads.Add(1)
			w.WriteHeader(http.StatusOK)
			return
		}
		cur := active.Add(1)
		for {
			m := most.Load()
			if cur <= m || most.CompareAndSwap(m, cur) {
				break
			}
		}
		select {
		case <-release:
		case <-time.After(20 * time.Millisecond):
		}
		active.Add(-1)
		w.WriteHeader(http.StatusCreated)
	})
	tr.Base = &http.Transport{MaxConnsPerHost: 20}
	var wg sync.WaitGroup
	for i := range 8 {
		method := "POST"
		if i%2 == 0 {
			method = "PATCH"
		}
		wg.Go(func() {
			if _, err := do(t.Context(), t, tr, method, url, `{"a":1}`); err != nil {
				t.Error(err)
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			if _, err := do(t.Context(), t, tr, http.MethodGet, url, ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(release)
	if most.Load() != 1 {
		t.Fatalf("%d mutating requests at once", most.Load())
	}
	if reads.Load() != 4 {
		t.Fatalf("%d reads", reads.Load())
	}
}

// The token goes to the API's host only, as a bearer token.
func TestTransportTokenOnlyToTheAPI(t *testing.T) {
	var got []string
	var mu sync.Mutex
	tr, _, url := newTestTransport(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
	})
	tr.Host = strings.TrimPrefix(url, "http://")
	_, _ = do(t.Context(), t, tr, http.MethodGet, url, "")
	tr.Host = "api.example.invalid"
	_, _ = do(t.Context(), t, tr, http.MethodGet, url, "")
	if len(got) != 2 || got[0] != "Bearer "+testToken || got[1] != "" {
		t.Fatalf("Authorization headers %q", got)
	}
}

// The token appears in no error and no log line, even when the server
// echoes it.
func TestTokenRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		msg, _ := json.Marshal(map[string]string{"message": "bad header " + r.Header.Get("Authorization")})
		_, _ = w.Write(msg)
	}))
	defer srv.Close()
	var log syncBuffer
	c, err := NewClient(Context{APIURL: srv.URL, Owner: "o", Repo: "r", PR: 1, HeadSHA: headSHA, Token: testToken},
		ClientOptions{Clock: newTestClock(), Logf: func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(t.Context(), reviewResult(), Options{Modes: Modes})
	if err == nil {
		t.Fatal("no error")
	}
	_, err2 := c.Identity(t.Context())
	_, err3 := c.ChangedFiles(t.Context(), 1)
	for _, e := range []error{err, err2, err3} {
		if e == nil || strings.Contains(e.Error(), testToken) {
			t.Errorf("error %v", e)
		}
		if !strings.Contains(e.Error(), "***") {
			t.Errorf("error %v: the echoed token is not marked as redacted", e)
		}
	}
	if strings.Contains(log.String(), testToken) {
		t.Errorf("log:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "retrying") {
		t.Errorf("no retry logged:\n%s", log.String())
	}
}

func TestGoGitHub429IsRetried(t *testing.T) {
	// go-github v62 turns a 429 into a plain ErrorResponse; the
	// transport retries it before go-github sees it.
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"login":"octocat"}`)
	}))
	defer srv.Close()
	clock := newTestClock()
	c, err := NewClient(Context{APIURL: srv.URL, Owner: "o", Repo: "r", Token: testToken}, ClientOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := c.gh.Users.Get(t.Context(), "")
	if err != nil || u.GetLogin() != "octocat" || clock.Slept() != 2*time.Second {
		t.Fatalf("%v %v after %s", u, err, clock.Slept())
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor("tok/en+1")
	var got string
	logf := r.Logf(func(f string, a ...any) { got = fmt.Sprintf(f, a...) })
	logf("sent %s and %s", "Bearer tok/en+1", "?t=tok%2Fen%2B1")
	if got != "sent Bearer *** and ?t=***" {
		t.Fatalf("log %q", got)
	}
	err := r.Error(fmt.Errorf("wrapped: %w", ErrReadOnly))
	if err.Error() != "wrapped: "+ErrReadOnly.Error() || !errors.Is(err, ErrReadOnly) {
		t.Fatalf("%v", err)
	}
	err = r.Error(fmt.Errorf("echo tok/en+1: %w", ErrReadOnly))
	if err.Error() != "echo ***: "+ErrReadOnly.Error() || !errors.Is(err, ErrReadOnly) {
		t.Fatalf("%v", err)
	}
	if r.Error(nil) != nil || newRedactor("").String("x") != "x" {
		t.Fatal("nil or empty")
	}
}
