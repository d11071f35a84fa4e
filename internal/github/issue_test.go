package github

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/github/fakegh"
)

const testMarker = "<!-- fsar-sweep-tracking-issue paths=0123456789ab -->"

func (e *env) tracking() *TrackingIssue {
	return &TrackingIssue{Client: e.client, Marker: testMarker}
}

// sync syncs the tracking issue with a deadline of ten minutes of the
// test clock.
func (e *env) sync(title, body string, open bool) *IssueOutcome {
	e.t.Helper()
	ctx, cancel := context.WithDeadline(e.t.Context(), e.clock.Now().Add(10*time.Minute))
	defer cancel()
	out, err := e.tracking().Sync(ctx, title, body, open)
	if err != nil {
		e.t.Fatalf("Sync: %v\nlog:\n%s", err, e.log.String())
	}
	return out
}

// mutations counts the requests that change something, from the fake's
// log.
func mutations(f *fakegh.Server) int {
	n := 0
	for _, l := range f.Log() {
		if !strings.HasPrefix(l, "GET ") {
			n++
		}
	}
	return n
}

func issuesBy(f *fakegh.Server, author string) []fakegh.Issue {
	var out []fakegh.Issue
	for _, is := range f.Issues() {
		if is.Author == author {
			out = append(out, is)
		}
	}
	return out
}

func TestTrackingIssueLifecycle(t *testing.T) {
	e := newEnv(t)
	body1 := testMarker + "\n## FSAR policy sweep: BLOCK\n\n3 blocking reports\n"

	// Clean, and no issue: nothing to do.
	if out := e.sync("clean", testMarker+"\nclean\n", false); out.Action != "none" || out.Number != 0 {
		t.Fatalf("clean with no issue: %+v", out)
	}
	if n := mutations(e.fake); n != 0 {
		t.Fatalf("%d mutations for a clean sweep without an issue", n)
	}

	// Dirty: created (the pull request #7 in the listing is skipped).
	out := e.sync("FSAR policy sweep: 3 blocking reports", body1, true)
	if out.Action != "created" || out.Number != 8 || !strings.HasSuffix(out.URL, "/issues/8") {
		t.Fatalf("create: %+v", out)
	}
	all := e.fake.Issues()
	if len(all) != 1 || all[0].Author != ActionsBot || all[0].State != "open" || all[0].Body != body1 ||
		all[0].Title != "FSAR policy sweep: 3 blocking reports" {
		t.Fatalf("issues after create: %+v", all)
	}

	// The same again: no request that changes anything.
	before := mutations(e.fake)
	if out := e.sync("FSAR policy sweep: 3 blocking reports", body1, true); out.Action != "unchanged" || out.Number != 8 {
		t.Fatalf("unchanged: %+v", out)
	}
	if n := mutations(e.fake) - before; n != 0 {
		t.Fatalf("%d mutations for an unchanged issue:\n%s", n, strings.Join(e.fake.Log(), "\n"))
	}

	// A new body: edited in place.
	body2 := strings.Replace(body1, "3 blocking", "2 blocking", 1)
	if out := e.sync("FSAR policy sweep: 2 blocking reports", body2, true); out.Action != "updated" || out.Number != 8 {
		t.Fatalf("update: %+v", out)
	}
	all = e.fake.Issues()
	if len(all) != 1 || all[0].Body != body2 || all[0].Title != "FSAR policy sweep: 2 blocking reports" || all[0].State != "open" || all[0].Requests != 2 {
		t.Fatalf("issues after update: %+v", all)
	}

	// Clean: closed, with the clean summary as its last word.
	clean := testMarker + "\n## FSAR policy sweep: PASS\n"
	if out := e.sync("FSAR policy sweep: clean", clean, false); out.Action != "closed" || out.Number != 8 {
		t.Fatalf("close: %+v", out)
	}
	all = e.fake.Issues()
	if all[0].State != "closed" || all[0].StateReason != "completed" || all[0].Body != clean {
		t.Fatalf("issue after close: %+v", all[0])
	}

	// Clean again: left closed, untouched.
	before = mutations(e.fake)
	if out := e.sync("FSAR policy sweep: clean", clean, false); out.Action != "unchanged" || out.Number != 8 {
		t.Fatalf("clean again: %+v", out)
	}
	if n := mutations(e.fake) - before; n != 0 {
		t.Fatalf("%d mutations for a closed issue and a clean sweep", n)
	}

	// Dirty again: the same issue reopened, not a new one.
	if out := e.sync("FSAR policy sweep: 1 blocking report", body1, true); out.Action != "reopened" || out.Number != 8 {
		t.Fatalf("reopen: %+v", out)
	}
	all = e.fake.Issues()
	if len(all) != 1 || all[0].State != "open" || all[0].StateReason != "reopened" || all[0].Body != body1 {
		t.Fatalf("issues after reopen: %+v", all)
	}
}

// Someone else's issue that carries the marker is never touched, open or
// closed, and does not stand for fsar's own.
func TestTrackingIssueLeavesOthersAlone(t *testing.T) {
	e := newEnv(t)
	body := testMarker + "\nsweep\n"
	theirs := e.fake.AddIssue(fakegh.Issue{Author: "mallory", Title: "FSAR policy sweep", Body: body})
	e.fake.AddIssue(fakegh.Issue{Author: "octocat", Title: "about fsar", Body: "quoting " + testMarker})
	out := e.sync("FSAR policy sweep: dirty", body, true)
	if out.Action != "created" || out.Number == theirs {
		t.Fatalf("sync: %+v", out)
	}
	e.sync("FSAR policy sweep: clean", body, false)
	for _, is := range e.fake.Issues() {
		if is.Author != ActionsBot && (is.Requests != 0 || is.State != "open") {
			t.Errorf("someone else's issue was changed: %+v", is)
		}
	}
	if mine := issuesBy(e.fake, ActionsBot); len(mine) != 1 || mine[0].State != "closed" {
		t.Errorf("fsar's issues: %+v", mine)
	}
	if !strings.Contains(e.log.String(), "by @mallory carries fsar's marker: left alone") {
		t.Errorf("log:\n%s", e.log.String())
	}
}

// Copies left by a run that crashed are closed; the oldest is kept.
func TestTrackingIssueClosesDuplicates(t *testing.T) {
	e := newEnv(t)
	body := testMarker + "\nsweep\n"
	first := e.fake.AddIssue(fakegh.Issue{Author: ActionsBot, Title: "FSAR policy sweep", Body: body})
	second := e.fake.AddIssue(fakegh.Issue{Author: ActionsBot, Title: "FSAR policy sweep", Body: body})
	old := e.fake.AddIssue(fakegh.Issue{Author: ActionsBot, Title: "FSAR policy sweep", Body: body, State: "closed"})
	out := e.sync("FSAR policy sweep", body, true)
	if out.Action != "unchanged" || out.Number != first || !slices.Equal(out.Duplicates, []int{second}) {
		t.Fatalf("sync: %+v", out)
	}
	for _, is := range e.fake.Issues() {
		switch is.Number {
		case first:
			if is.State != "open" || is.Requests != 0 {
				t.Errorf("the oldest: %+v", is)
			}
		case second:
			if is.State != "closed" || is.StateReason != "not_planned" {
				t.Errorf("the duplicate: %+v", is)
			}
		case old:
			if is.Requests != 0 {
				t.Errorf("a closed copy was touched: %+v", is)
			}
		}
	}
}

// A POST whose answer is lost was applied: the next attempt finds the
// issue and does not open a second.
func TestTrackingIssueLostPost(t *testing.T) {
	for _, faults := range map[string][]fakegh.Fault{
		"lost":       {{Method: "POST", Path: `/issues$`, Kind: fakegh.Lost}},
		"502 after":  {{Method: "POST", Path: `/issues$`, Kind: fakegh.Error502, Applied: true}},
		"lost twice": {{Method: "POST", Path: `/issues$`, Kind: fakegh.Lost}, {Method: "GET", Path: `/issues$`, Kind: fakegh.Error502, Skip: 1, Times: 2}},
	} {
		e := newEnv(t)
		for _, f := range faults {
			if err := e.fake.Inject(f); err != nil {
				t.Fatal(err)
			}
		}
		out := e.sync("FSAR policy sweep", testMarker+"\nsweep\n", true)
		if mine := issuesBy(e.fake, ActionsBot); len(mine) != 1 || out.Action != "created" || out.Number != mine[0].Number {
			t.Errorf("%v: outcome %+v, issues %+v\nlog:\n%s", faults, out, mine, strings.Join(e.fake.Log(), "\n"))
		}
		if u := e.fake.Unfired(); len(u) > 0 {
			t.Errorf("unfired faults: %v", u)
		}
	}
}

// A closing PATCH whose answer is lost is sent again (a PATCH is
// idempotent), and the issue is closed once.
func TestTrackingIssueLostClose(t *testing.T) {
	e := newEnv(t)
	body := testMarker + "\nsweep\n"
	n := e.fake.AddIssue(fakegh.Issue{Author: ActionsBot, Title: "FSAR policy sweep", Body: body})
	if err := e.fake.Inject(fakegh.Fault{Method: "PATCH", Path: `/issues/\d+$`, Kind: fakegh.Lost}); err != nil {
		t.Fatal(err)
	}
	out := e.sync("FSAR policy sweep", body, false)
	is := e.fake.Issues()[0]
	if out.Action != "closed" || out.Number != n || is.State != "closed" || len(e.fake.Issues()) != 1 {
		t.Fatalf("outcome %+v, issue %+v", out, is)
	}
}

// A user token's issues are found by its user, and a read-only token's
// refusal is ErrReadOnly.
func TestTrackingIssueTokens(t *testing.T) {
	e := newEnv(t)
	const userToken = "ghp_UserTOKEN0123456789abcdefABCDEFgh"
	e.fake.AddToken(userToken, fakegh.Token{Login: "release-bot", Kind: fakegh.UserToken})
	body := testMarker + "\nsweep\n"
	e.fake.AddIssue(fakegh.Issue{Author: ActionsBot, Title: "FSAR policy sweep", Body: body})
	c := e.ctx
	c.Token = userToken
	ti := &TrackingIssue{Client: e.newClient(c), Marker: testMarker}
	out, err := ti.Sync(t.Context(), "FSAR policy sweep", body, true)
	if err != nil || out.Action != "created" {
		t.Fatalf("user token: %+v, %v", out, err)
	}
	if mine := issuesBy(e.fake, "release-bot"); len(mine) != 1 {
		t.Fatalf("release-bot's issues: %+v", mine)
	}

	const roToken = "ghs_ReadONLY0123456789abcdefABCDEFghij"
	e.fake.AddToken(roToken, fakegh.Token{Login: ActionsBot, Kind: fakegh.AppToken, ReadOnly: true})
	c.Token = roToken
	ti = &TrackingIssue{Client: e.newClient(c), Marker: testMarker}
	if _, err := ti.Sync(t.Context(), "FSAR policy sweep: new", body+"more\n", true); err == nil || !strings.Contains(err.Error(), ErrReadOnly.Error()) {
		t.Fatalf("read-only token: %v", err)
	}
}

// The body is cut to GitHub's limit, the marker kept first.
func TestIssueBody(t *testing.T) {
	long := strings.Repeat("ü line of the summary\n", 5000)
	b := IssueBody(testMarker, testMarker+"\n"+long)
	if !strings.HasPrefix(b, testMarker+"\nü line") || utf8.RuneCountInString(b) > IssueLimit || !strings.Contains(b, "cut") {
		t.Fatalf("body of %d characters starts %q", utf8.RuneCountInString(b), b[:80])
	}
	if got := IssueBody(testMarker, "short\n"); got != testMarker+"\nshort\n" {
		t.Fatalf("IssueBody = %q", got)
	}
	if _, err := (&TrackingIssue{Marker: "plain"}).Sync(t.Context(), "t", "b", true); err == nil {
		t.Fatal("a marker that is not an HTML comment was taken")
	}
}

// fsar's issue is found on any page of the listing.
func TestTrackingIssueAllPages(t *testing.T) {
	e := newEnv(t)
	body := testMarker + "\nsweep\n"
	for i := range 130 {
		e.fake.AddIssue(fakegh.Issue{Author: "octocat", Title: "other", Body: strings.Repeat("x", i%3)})
	}
	n := e.fake.AddIssue(fakegh.Issue{Author: ActionsBot, Title: "FSAR policy sweep", Body: body})
	if out := e.sync("FSAR policy sweep", body, true); out.Action != "unchanged" || out.Number != n {
		t.Fatalf("sync: %+v", out)
	}
	pages := 0
	for _, l := range e.fake.Log() {
		if strings.HasPrefix(l, "GET /repos/octo-org/reports/issues ") {
			pages++
		}
	}
	if pages != 2 {
		t.Fatalf("%d pages listed, want 2", pages)
	}
}
