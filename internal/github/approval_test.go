package github

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github/fakegh"
	"github.com/fsar-gate/fsar/internal/policy"
)

func TestApproval(t *testing.T) {
	const label = DefaultApprovalLabel
	tests := []struct {
		name string
		// setup runs after the pull request was opened (its head pushed)
		// at the start of the test clock.
		setup    func(e *env)
		res      *gate.Result
		honoured bool
		reason   string // in the reason when not honoured
		// the effective verdict, check conclusion and status state
		verdict           gate.Verdict
		conclusion, state string
	}{
		{
			name:  "by a maintainer after the last push",
			setup: func(e *env) { e.fake.SetPermission("maint", "maintain"); e.later(); e.fake.Label(7, label, "maint") },
			res:   reviewResult(), honoured: true, verdict: gate.Warn, conclusion: "neutral", state: "success",
		},
		{
			name:     "by a writer, review only",
			setup:    func(e *env) { e.fake.SetPermission("dev", "write"); e.later(); e.fake.Label(7, label, "dev") },
			res:      result(gate.Report{File: "a.md", Findings: []gate.Finding{finding(policy.Review, "r", "a.md", 2)}}),
			honoured: true, verdict: gate.Pass, conclusion: "success", state: "success",
		},
		{
			name:  "by an admin",
			setup: func(e *env) { e.fake.SetPermission("root", "admin"); e.later(); e.fake.Label(7, label, "root") },
			res:   reviewResult(), honoured: true, verdict: gate.Warn, conclusion: "neutral", state: "success",
		},
		{
			name:  "by a user with read permission",
			setup: func(e *env) { e.fake.SetPermission("reader", "read"); e.later(); e.fake.Label(7, label, "reader") },
			res:   reviewResult(), reason: "@reader has read permission", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name:  "by a user with triage permission",
			setup: func(e *env) { e.fake.SetPermission("triager", "triage"); e.later(); e.fake.Label(7, label, "triager") },
			res:   reviewResult(), reason: "has read permission", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name:  "by someone who is no collaborator",
			setup: func(e *env) { e.later(); e.fake.Label(7, label, "stranger") },
			res:   reviewResult(), reason: "@stranger has none permission", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name:  "by the Actions bot",
			setup: func(e *env) { e.later(); e.fake.Label(7, label, ActionsBot) },
			res:   reviewResult(), reason: "has none permission", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name: "older than the last push",
			setup: func(e *env) {
				e.fake.SetPermission("maint", "maintain")
				e.later()
				e.fake.Label(7, label, "maint")
				e.later()
				e.fake.Push(7, otherSHA, false)
				e.ctx.HeadSHA = otherSHA
				e.client = e.newClient(e.ctx)
			},
			res: reviewResult(), reason: "before the last push", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name: "older than a force push back to an old commit",
			setup: func(e *env) {
				e.fake.SetPermission("maint", "maintain")
				e.later()
				e.fake.Label(7, label, "maint")
				e.later()
				e.fake.Push(7, headSHA, true) // the head's check suite is older than the label
			},
			res: reviewResult(), reason: "before the last push", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name: "added again after the last push",
			setup: func(e *env) {
				e.fake.SetPermission("maint", "maintain")
				e.later()
				e.fake.Label(7, label, "maint")
				e.later()
				e.fake.Push(7, otherSHA, false)
				e.ctx.HeadSHA = otherSHA
				e.client = e.newClient(e.ctx)
				e.later()
				e.fake.Unlabel(7, label, "maint")
				e.fake.Label(7, label, "maint")
			},
			res: reviewResult(), honoured: true, verdict: gate.Warn, conclusion: "neutral", state: "success",
		},
		{
			name: "last added by someone without permission",
			setup: func(e *env) {
				e.fake.SetPermission("maint", "maintain")
				e.later()
				e.fake.Label(7, label, "maint")
				e.later()
				e.fake.Unlabel(7, label, "mallory")
				e.fake.Label(7, label, "mallory")
			},
			res: reviewResult(), reason: "@mallory has none permission", verdict: gate.Review, conclusion: "action_required", state: "failure",
		},
		{
			name:  "deny is never approved away",
			setup: func(e *env) { e.fake.SetPermission("root", "admin"); e.later(); e.fake.Label(7, label, "root") },
			res: result(gate.Report{File: "a.md", Findings: []gate.Finding{
				finding(policy.Review, "r", "a.md", 2), finding(policy.Deny, "secret", "a.md", 3),
			}}),
			reason: "only a review verdict can be approved", verdict: gate.Block, conclusion: "failure", state: "failure",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.setup(e)
			out, err := e.publish(tt.res, Options{ApprovalLabel: label})
			if err != nil {
				t.Fatal(err)
			}
			pub := out.Publication
			a := pub.Approval
			if a == nil {
				t.Fatal("no approval found")
			}
			if a.Honoured != tt.honoured {
				t.Fatalf("honoured = %v (%s), want %v", a.Honoured, a.Reason, tt.honoured)
			}
			if !tt.honoured && !strings.Contains(a.Reason, tt.reason) {
				t.Errorf("reason %q, want it to say %q", a.Reason, tt.reason)
			}
			if pub.Effective != tt.verdict {
				t.Errorf("effective verdict %s, want %s", pub.Effective, tt.verdict)
			}
			e.checkPublished(pub, tt.conclusion, tt.state)
			comment := e.fake.Comments(7)[0].Body
			st, _ := e.fake.LatestStatus(pub.HeadSHA, "fsar")
			if tt.honoured {
				want := "approved by @" + a.Approver
				if !strings.Contains(comment, want) || !strings.Contains(st.Description, want) || !strings.Contains(pub.Title, want) {
					t.Errorf("the approver is not in the published verdict:\n%s\n%s", comment, st.Description)
				}
			} else if !strings.Contains(comment, "not honoured") && !strings.Contains(comment, "not applicable") {
				t.Errorf("the refused label is not reported:\n%s", comment)
			}
		})
	}
}

// later moves the clock on by an hour: the fake dates events by it.
func (e *env) later() { e.clock.Advance(time.Hour) }

func TestNoApprovalWithoutLabel(t *testing.T) {
	e := newEnv(t)
	out, err := e.publish(reviewResult(), Options{ApprovalLabel: DefaultApprovalLabel})
	if err != nil {
		t.Fatal(err)
	}
	if out.Publication.Approval != nil {
		t.Fatalf("approval %+v", out.Publication.Approval)
	}
	// A label by another name approves nothing.
	e.fake.SetPermission("maint", "maintain")
	e.later()
	e.fake.Label(7, "lgtm", "maint")
	if out, _ = e.publish(reviewResult(), Options{ApprovalLabel: DefaultApprovalLabel}); out.Publication.Approval != nil {
		t.Fatal("another label approved")
	}
}

// Without a check suite on the head, the push time is unknown: the
// approval is not honoured.
func TestApprovalUnknownPush(t *testing.T) {
	e := newEnv(t)
	e.fake.SetPermission("maint", "maintain")
	e.later()
	e.fake.Label(7, DefaultApprovalLabel, "maint")
	pr := &PullRequest{Number: 7, HeadSHA: strings.Repeat("9", 40), Labels: []string{DefaultApprovalLabel}}
	a, err := e.client.Approve(t.Context(), pr, DefaultApprovalLabel)
	if err != nil {
		t.Fatal(err)
	}
	if a.Honoured || !strings.Contains(a.Reason, "no check suite") {
		t.Fatalf("%+v", a)
	}
}

// A fork's read-only token: every write refused, the verdict still
// decided.
func TestReadOnlyToken(t *testing.T) {
	e := newEnv(t)
	e.fake.AddToken("ghs_readonly", fakegh.Token{Login: ActionsBot, Kind: fakegh.AppToken, ReadOnly: true})
	c := e.ctx
	c.Token = "ghs_readonly"
	e.client = e.newClient(c)
	out, err := e.publish(reviewResult(), Options{})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("err = %v, want ErrReadOnly", err)
	}
	var me *ModeError
	if !errors.As(err, &me) || me.Mode != "comment" {
		t.Fatalf("err = %v", err)
	}
	for _, mode := range []string{"comment: ", "check: ", "status: "} {
		if !strings.Contains(err.Error(), mode+ErrReadOnly.Error()) {
			t.Errorf("err = %v, want %q refused", err, mode)
		}
	}
	if len(out.Posted) != 0 || out.Publication.Effective != gate.Review || !out.Publication.Fails {
		t.Fatalf("outcome %+v", out)
	}
	if len(e.fake.Comments(7)) != 0 || len(e.fake.CheckRuns(headSHA)) != 0 {
		t.Fatal("something was posted")
	}
}

func TestStaleResultRefused(t *testing.T) {
	e := newEnv(t)
	e.fake.Push(7, otherSHA, false)
	out, err := e.publish(reviewResult(), Options{RequireHead: true})
	var se *StaleError
	if !errors.As(err, &se) || se.CurrentHead != otherSHA || se.ResultSHA != headSHA {
		t.Fatalf("err = %v, want a StaleError", err)
	}
	if len(out.Posted) != 0 || len(e.fake.Comments(7)) != 0 || len(e.fake.CheckRuns(headSHA)) != 0 || len(e.fake.Statuses(headSHA)) != 0 {
		t.Fatal("a stale result was posted")
	}
	if !strings.Contains(err.Error(), "refusing to publish") {
		t.Fatal(err)
	}
}

// Without RequireHead (fsar check --publish), a run whose commit is no
// longer the head still sets its check and status on its own commit, but
// leaves the comment to the newer run.
func TestHeadMovedDuringCheck(t *testing.T) {
	e := newEnv(t)
	e.fake.Push(7, otherSHA, false)
	out, err := e.publish(reviewResult(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.fake.Comments(7)) != 0 || len(e.fake.CheckRuns(headSHA)) != 1 || len(e.fake.Statuses(headSHA)) != 1 {
		t.Fatal("wrong posts")
	}
	if !strings.Contains(strings.Join(out.Notes, "\n"), "moved on") {
		t.Fatalf("notes %q", out.Notes)
	}
}

func TestNoToken(t *testing.T) {
	e := newEnv(t)
	c := e.ctx
	c.Token = ""
	e.client = e.newClient(c)
	out, err := e.publish(reviewResult(), Options{})
	if !errors.Is(err, ErrNoToken) || out.Publication.Effective != gate.Review {
		t.Fatalf("err = %v", err)
	}
	if len(e.fake.Log()) != 0 {
		t.Fatal("requests sent without a token")
	}
}
