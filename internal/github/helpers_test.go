package github

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github/fakegh"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/testkit"
)

// testToken looks like an Actions token; no output may ever hold it.
const testToken = "ghs_Zx9TESTtoken0123456789abcdefABCDEF01"

var (
	headSHA  = strings.Repeat("1", 40)
	otherSHA = strings.Repeat("2", 40)
)

// testClock is a clock that sleeps in no time: Sleep moves it on.
type testClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
	waits []time.Duration
}

func newTestClock() *testClock {
	return &testClock{now: time.Now().UTC().Truncate(time.Second)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
		c.waits = append(c.waits, d)
	}
	return nil
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *testClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// syncBuffer is a buffer safe for concurrent writes.
type syncBuffer = testkit.SyncBuffer

// env is a fake GitHub with one open pull request (#7, head headSHA) and
// a client for it with the Actions token.
type env struct {
	t      *testing.T
	fake   *fakegh.Server
	clock  *testClock
	ctx    Context
	client *Client
	log    *syncBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := newTestClock()
	fake, err := fakegh.New(fakegh.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	fake.AddToken(testToken, fakegh.Token{Login: ActionsBot, Kind: fakegh.AppToken})
	fake.OpenPR(fakegh.PR{Number: 7, HeadSHA: headSHA, Author: "contributor"})
	e := &env{t: t, fake: fake, clock: clock, log: &syncBuffer{}}
	e.ctx = Context{
		APIURL: fake.URL, ServerURL: fake.ServerURL, Owner: fake.Owner(), Repo: fake.Repo(),
		PR: 7, HeadSHA: headSHA, Token: testToken,
		RunURL: fake.ServerURL + "/octo-org/reports/actions/runs/42",
	}
	e.client = e.newClient(e.ctx)
	t.Cleanup(func() {
		for _, v := range fake.Violations() {
			t.Errorf("fake GitHub: %s", v)
		}
		if strings.Contains(e.log.String(), testToken) {
			t.Errorf("the token is in the log:\n%s", e.log.String())
		}
	})
	return e
}

func (e *env) newClient(c Context) *Client {
	return e.newClientTimeout(c, 10*time.Second)
}

// newClientTimeout makes a client whose attempts time out after d: short,
// for the faults that leave a request hanging; long for large listings
// (the fake validates every page it sends, slowly under the race
// detector).
func (e *env) newClientTimeout(c Context, d time.Duration) *Client {
	e.t.Helper()
	client, err := NewClient(c, ClientOptions{
		Clock: e.clock, Pace: time.Second, AttemptTimeout: d,
		Logf: func(format string, args ...any) { fmt.Fprintf(e.log, format+"\n", args...) },
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return client
}

// publish publishes res in every mode, with a deadline of ten minutes of
// the test clock.
func (e *env) publish(res *gate.Result, o Options) (*Outcome, error) {
	e.t.Helper()
	if o.Modes == nil {
		o.Modes = Modes
	}
	if o.Markdown == nil {
		o.Markdown = stubMarkdown
	}
	if o.FailOn == 0 {
		o.FailOn = gate.Review
	}
	ctx, cancel := context.WithDeadline(e.t.Context(), e.clock.Now().Add(10*time.Minute))
	defer cancel()
	return e.client.Publish(ctx, res, o)
}

// stubMarkdown stands for report.Markdown: the verdict and one line per
// finding.
func stubMarkdown(w io.Writer, res *gate.Result) error {
	fmt.Fprintf(w, "## fsar: %s\n\n", res.Verdict)
	for _, r := range res.Reports {
		for _, f := range r.Findings {
			fmt.Fprintf(w, "- %s `%s` %s:%d\n", f.Level, f.Rule, f.Location.File, f.Location.Line)
		}
	}
	return nil
}

// finding makes a finding in file at line.
func finding(level policy.Level, rule, file string, line int) gate.Finding {
	return gate.Finding{
		Level: level, Rule: rule, Message: fmt.Sprintf("%s at line %d", rule, line), Package: "fsar.test",
		Location: gate.Location{File: file, Line: line, Column: 1},
	}
}

// result makes a summarized result of reports, each a file and its
// findings.
func result(reports ...gate.Report) *gate.Result {
	res := &gate.Result{Schema: gate.Schema, Reports: reports}
	for i := range res.Reports {
		r := &res.Reports[i]
		r.Verdict = gate.Pass
		for _, f := range r.Findings {
			switch f.Level {
			case policy.Deny:
				r.Verdict = max(r.Verdict, gate.Block)
			case policy.Review:
				r.Verdict = max(r.Verdict, gate.Review)
			case policy.Warn:
				r.Verdict = max(r.Verdict, gate.Warn)
			}
		}
		if r.Findings == nil {
			r.Findings = []gate.Finding{}
		}
	}
	res.Summarize()
	return res
}

// reviewResult has a report that needs review (with a warning too), one
// with a warning and one that passes.
func reviewResult() *gate.Result {
	return result(
		gate.Report{File: "audit/reports/a.md", Findings: []gate.Finding{
			finding(policy.Review, "severity-review", "audit/reports/a.md", 4),
			finding(policy.Warn, "canned-risks", "audit/reports/a.md", 12),
		}},
		gate.Report{File: "audit/reports/b.md", Findings: []gate.Finding{finding(policy.Warn, "canned-risks", "audit/reports/b.md", 9)}},
		gate.Report{File: "audit/reports/c.md"},
	)
}

// manyResult has n findings, for more annotations than one request takes.
func manyResult(n int) *gate.Result {
	var fs []gate.Finding
	for i := range n {
		fs = append(fs, finding(policy.Review, fmt.Sprintf("rule-%03d", i), "audit/reports/many.md", i+1))
	}
	return result(gate.Report{File: "audit/reports/many.md", Findings: fs})
}
