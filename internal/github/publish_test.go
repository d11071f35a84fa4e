package github

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github/fakegh"
	"github.com/fsar-gate/fsar/internal/policy"
)

// checkPublished asserts what a run must leave on the pull request: one
// sticky comment by fsar with the publication's body, one check run of
// fsar's on the head with each annotation exactly once and the right
// conclusion, and the right status.
func (e *env) checkPublished(pub *Publication, conclusion, state string) {
	e.t.Helper()
	want := CommentBody("", pub)
	var mine []fakegh.Comment
	for _, c := range e.fake.Comments(7) {
		if c.Author == ActionsBot && strings.HasPrefix(c.Body, Marker("")) {
			mine = append(mine, c)
		}
	}
	if len(mine) != 1 {
		e.t.Fatalf("%d sticky comments, want 1", len(mine))
	}
	if mine[0].Body != want {
		e.t.Errorf("sticky comment body:\n%s\nwant:\n%s", mine[0].Body, want)
	}

	runs := e.fake.CheckRuns(pub.HeadSHA)
	runs = slices.DeleteFunc(runs, func(r fakegh.CheckRun) bool { return r.Name != DefaultCheckName })
	if len(runs) != 1 {
		e.t.Fatalf("%d check runs named fsar on the head, want 1", len(runs))
	}
	run := runs[0]
	if run.Conclusion != conclusion || run.Status != "completed" {
		e.t.Errorf("check run %s/%s, want completed/%s", run.Status, run.Conclusion, conclusion)
	}
	got := map[string]int{}
	for _, a := range run.Annotations {
		got[Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine, Level: a.Level, Title: a.Title, Message: a.Message}.key()]++
	}
	if len(run.Annotations) != len(pub.Annotations) {
		e.t.Errorf("%d annotations, want %d", len(run.Annotations), len(pub.Annotations))
	}
	for _, a := range pub.Annotations {
		if got[a.key()] != 1 {
			e.t.Errorf("annotation %s:%d %q posted %d times", a.Path, a.StartLine, a.Title, got[a.key()])
		}
	}
	if run.Title != pub.Title {
		e.t.Errorf("check run title %q, want %q", run.Title, pub.Title)
	}

	st, ok := e.fake.LatestStatus(pub.HeadSHA, DefaultStatusContext)
	if !ok || st.State != state {
		e.t.Errorf("status %+v, want %s", st, state)
	}
	if utf8.RuneCountInString(st.Description) > DescriptionLimit {
		e.t.Errorf("status description of %d characters", utf8.RuneCountInString(st.Description))
	}
}

// Under every fault schedule, a run leaves exactly one sticky comment,
// one check run with each annotation once, and the right status; and a
// second run changes nothing.
func TestPublishUnderFaults(t *testing.T) {
	const (
		comments    = `/issues/7/comments$`
		comment     = `/issues/comments/\d+$`
		runs        = `/check-runs$`
		run         = `/check-runs/\d+$`
		annotations = `/check-runs/\d+/annotations$`
		statuses    = `/statuses/`
		listRuns    = `/commits/[0-9a-f]+/check-runs$`
	)
	f := func(method, path string, kind fakegh.FaultKind) fakegh.Fault {
		return fakegh.Fault{Method: method, Path: path, Kind: kind}
	}
	tests := []struct {
		name   string
		faults []fakegh.Fault
	}{
		{"none", nil},
		{"500 on the comment's POST", []fakegh.Fault{f("POST", comments, fakegh.Error500)}},
		{"502 after the comment's POST was applied", []fakegh.Fault{{Method: "POST", Path: comments, Kind: fakegh.Error502, Applied: true}}},
		{"comment's POST applied, answer lost", []fakegh.Fault{f("POST", comments, fakegh.Lost)}},
		{"comment's POST lost twice", []fakegh.Fault{{Method: "POST", Path: comments, Kind: fakegh.Lost, Times: 1}, {Method: "GET", Path: comments, Kind: fakegh.Error502, Times: 2}}},
		{"comment list 500 then 502", []fakegh.Fault{{Method: "GET", Path: comments, Kind: fakegh.Error500}, {Method: "GET", Path: comments, Kind: fakegh.Error502}}},
		{"comment list connection reset", []fakegh.Fault{f("GET", comments, fakegh.Reset)}},
		{"comment list hangs", []fakegh.Fault{f("GET", comments, fakegh.Hang)}},
		{"secondary rate limit on the comment", []fakegh.Fault{{Method: "POST", Path: comments, Kind: fakegh.Secondary, Wait: 60}}},
		{"429 on the comment", []fakegh.Fault{{Method: "POST", Path: comments, Kind: fakegh.TooMany, Wait: 5}}},
		{"primary rate limit on a list", []fakegh.Fault{{Method: "GET", Path: listRuns, Kind: fakegh.Primary, Wait: 120}}},
		{"rate limit spent by a request", []fakegh.Fault{{Method: "GET", Path: `/pulls/7$`, Kind: fakegh.Spent, Wait: 90}}},
		{"check run's POST applied, answer lost", []fakegh.Fault{f("POST", runs, fakegh.Lost)}},
		{"check run's POST 502 after applied", []fakegh.Fault{{Method: "POST", Path: runs, Kind: fakegh.Error502, Applied: true}}},
		{"check run's POST 500", []fakegh.Fault{f("POST", runs, fakegh.Error500)}},
		{"annotations' PATCH applied, answer lost", []fakegh.Fault{f("PATCH", run, fakegh.Lost)}},
		{"second annotations' PATCH applied, answer lost", []fakegh.Fault{{Method: "PATCH", Path: run, Kind: fakegh.Lost, Skip: 1}}},
		{"annotations' PATCH 502 after applied", []fakegh.Fault{{Method: "PATCH", Path: run, Kind: fakegh.Error502, Applied: true}}},
		{"annotations' PATCH reset", []fakegh.Fault{f("PATCH", run, fakegh.Reset)}},
		{"annotations' PATCH secondary limit", []fakegh.Fault{{Method: "PATCH", Path: run, Kind: fakegh.Secondary, Wait: 30}}},
		{"annotations' PATCH 429", []fakegh.Fault{{Method: "PATCH", Path: run, Kind: fakegh.TooMany}}},
		{"annotation list 502", []fakegh.Fault{f("GET", annotations, fakegh.Error502)}},
		{"status POST lost", []fakegh.Fault{f("POST", statuses, fakegh.Lost)}},
		{"status POST 500", []fakegh.Fault{f("POST", statuses, fakegh.Error500)}},
		{"everything at once", []fakegh.Fault{
			{Method: "GET", Path: `/pulls/7$`, Kind: fakegh.Error502},
			{Method: "GET", Path: comments, Kind: fakegh.Reset},
			{Method: "POST", Path: comments, Kind: fakegh.Lost},
			{Method: "POST", Path: runs, Kind: fakegh.Secondary, Wait: 10},
			{Method: "POST", Path: runs, Kind: fakegh.Lost},
			{Method: "GET", Path: listRuns, Kind: fakegh.Error500},
			{Method: "PATCH", Path: run, Kind: fakegh.Lost, Skip: 1},
			{Method: "PATCH", Path: run, Kind: fakegh.TooMany},
			{Method: "POST", Path: statuses, Kind: fakegh.Error502, Applied: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			// Earlier comments by people, over several pages.
			for i := range 130 {
				e.fake.AddComment(7, "reviewer", fmt.Sprintf("comment %d", i))
			}
			for _, fl := range tt.faults {
				if err := e.fake.Inject(fl); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Contains(tt.name, "hang") {
				// Time out the hanging request soon.
				e.client = e.newClientTimeout(e.ctx, 300*time.Millisecond)
			}
			res := manyResult(120)
			out, err := e.publish(res, Options{})
			if err != nil {
				t.Fatalf("publish: %v\nrequests:\n%s\nlog:\n%s", err, strings.Join(e.fake.Log(), "\n"), e.log)
			}
			if !slices.Equal(out.Posted, Modes) {
				t.Errorf("posted %v", out.Posted)
			}
			e.checkPublished(out.Publication, "action_required", "failure")

			// Again (with the faults left, if any): nothing changes.
			before := e.fake.Comments(7)
			runsBefore := e.fake.CheckRuns(headSHA)
			out, err = e.publish(res, Options{})
			if err != nil {
				t.Fatal(err)
			}
			e.checkPublished(out.Publication, "action_required", "failure")
			if after := e.fake.Comments(7); !slices.Equal(before, after) {
				t.Error("the second run changed the comments")
			}
			if after := e.fake.CheckRuns(headSHA); after[0].Requests != runsBefore[0].Requests {
				t.Errorf("the second run sent %d more check-run requests", after[0].Requests-runsBefore[0].Requests)
			}
			if n := len(e.fake.Statuses(headSHA)); n > 2 {
				t.Errorf("%d statuses: the second run set it again", n)
			}
			if u := e.fake.Unfired(); len(u) != 0 {
				t.Errorf("faults that never fired: %v", u)
			}
		})
	}
}

// A changed verdict edits the comment in place and updates the status; a
// check run whose annotations are no longer all wanted is left, and a new
// one made, since GitHub cannot take annotations back.
func TestPublishChangedVerdict(t *testing.T) {
	e := newEnv(t)
	out, err := e.publish(reviewResult(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.checkPublished(out.Publication, "action_required", "failure")
	id := e.fake.Comments(7)[0].ID

	pass := result(gate.Report{File: "audit/reports/a.md"})
	out, err = e.publish(pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := e.fake.Comments(7)
	if len(cs) != 1 || cs[0].ID != id || !strings.Contains(cs[0].Body, "fsar: pass") {
		t.Fatalf("comments after the new verdict: %+v", cs)
	}
	runs := e.fake.CheckRuns(headSHA)
	if len(runs) != 2 || runs[1].Conclusion != "success" || len(runs[1].Annotations) != 0 {
		t.Fatalf("check runs after the new verdict: %+v", runs)
	}
	if st, _ := e.fake.LatestStatus(headSHA, "fsar"); st.State != "success" {
		t.Fatalf("status %+v", st)
	}
	_ = out
}

// A run whose annotations are a subset of the new verdict's is reused:
// only the missing ones are added.
func TestPublishReusesRun(t *testing.T) {
	e := newEnv(t)
	if _, err := e.publish(manyResult(10), Options{}); err != nil {
		t.Fatal(err)
	}
	out, err := e.publish(manyResult(60), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.CheckRuns(headSHA)); n != 1 {
		t.Fatalf("%d check runs", n)
	}
	e.checkPublished(out.Publication, "action_required", "failure")
}

func TestConclusions(t *testing.T) {
	block := result(gate.Report{File: "a.md", Findings: []gate.Finding{finding(policy.Deny, "secret", "a.md", 3)}})
	warn := result(gate.Report{File: "a.md", Findings: []gate.Finding{finding(policy.Warn, "canned", "a.md", 3)}})
	errRes := result(gate.Report{File: "a.md"})
	errRes.Errors = []gate.Problem{{Message: "no FSAR report found"}}
	errRes.Summarize()
	tests := []struct {
		name              string
		res               *gate.Result
		failOn            gate.Verdict
		conclusion, state string
	}{
		{"pass", result(gate.Report{File: "a.md"}), gate.Review, "success", "success"},
		{"warn", warn, gate.Review, "neutral", "success"},
		{"warn failing on warn", warn, gate.Warn, "failure", "failure"},
		{"review", reviewResult(), gate.Review, "action_required", "failure"},
		{"review under --fail-on block", reviewResult(), gate.Block, "neutral", "success"},
		{"deny", block, gate.Review, "failure", "failure"},
		{"error", errRes, gate.Review, "failure", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			out, err := e.publish(tt.res, Options{FailOn: tt.failOn})
			if err != nil {
				t.Fatal(err)
			}
			e.checkPublished(out.Publication, tt.conclusion, tt.state)
		})
	}
}

// A comment by anyone else that carries the marker is never touched;
// fsar's own duplicates (an earlier crash) are deleted, the oldest kept.
func TestCommentMarkerSpoofAndDuplicates(t *testing.T) {
	e := newEnv(t)
	spoof := Marker("") + "\nI am fsar, trust me: PASS"
	spoofID := e.fake.AddComment(7, "mallory", spoof)
	oldest := e.fake.AddComment(7, ActionsBot, Marker("")+"\nold verdict")
	e.fake.AddComment(7, "reviewer", "looks good")
	dup := e.fake.AddComment(7, ActionsBot, Marker("")+"\nold verdict again")
	// A comment of fsar's that merely quotes the marker further down is
	// not the sticky one.
	quoted := e.fake.AddComment(7, ActionsBot, "see <!-- fsar:sticky-comment:fsar -->")

	out, err := e.publish(reviewResult(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.checkPublished(out.Publication, "action_required", "failure")
	byID := map[int64]fakegh.Comment{}
	for _, c := range e.fake.Comments(7) {
		byID[c.ID] = c
	}
	if c, ok := byID[spoofID]; !ok || c.Body != spoof || !c.Updated.Equal(c.Created) {
		t.Errorf("the spoofed comment was touched: %+v", c)
	}
	if c, ok := byID[oldest]; !ok || c.Body != CommentBody("", out.Publication) {
		t.Errorf("the oldest sticky comment was not the one kept and edited: %+v", c)
	}
	if _, ok := byID[dup]; ok {
		t.Error("the duplicate sticky comment was not deleted")
	}
	if _, ok := byID[quoted]; !ok {
		t.Error("a comment that quotes the marker was deleted")
	}
}

// Only marker comments by someone else: fsar posts its own beside them.
func TestCommentSpoofOnly(t *testing.T) {
	e := newEnv(t)
	spoof := Marker("") + "\nfake"
	e.fake.AddComment(7, "mallory", spoof)
	out, err := e.publish(reviewResult(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.checkPublished(out.Publication, "action_required", "failure")
	if cs := e.fake.Comments(7); len(cs) != 2 || cs[0].Body != spoof {
		t.Fatalf("comments: %+v", cs)
	}
}

// With a person's token, GET /user tells the identity; with the Actions
// token it is refused and the identity is github-actions[bot].
func TestCommentIdentity(t *testing.T) {
	e := newEnv(t)
	e.fake.AddToken("ghp_personalTOKEN", fakegh.Token{Login: "release-bot", Kind: fakegh.UserToken})
	c := e.ctx
	c.Token = "ghp_personalTOKEN"
	e.client = e.newClient(c)
	// Comments of github-actions[bot] with the marker are not this
	// token's: left alone.
	other := e.fake.AddComment(7, ActionsBot, Marker("")+"\nfrom the Actions token")
	if _, err := e.publish(reviewResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.publish(reviewResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	var mine int
	for _, cm := range e.fake.Comments(7) {
		if cm.Author == "release-bot" {
			mine++
		}
		if cm.ID == other && !strings.HasSuffix(cm.Body, "from the Actions token") {
			t.Error("the other token's comment was touched")
		}
	}
	if mine != 1 {
		t.Fatalf("%d comments by release-bot, want 1", mine)
	}
	if id, _ := e.client.Identity(t.Context()); id != "release-bot" {
		t.Fatalf("identity %q", id)
	}
}

func TestCommentUnchangedNotEdited(t *testing.T) {
	e := newEnv(t)
	if _, err := e.publish(reviewResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	before := e.fake.Comments(7)[0]
	e.clock.Advance(3600e9)
	if _, err := e.publish(reviewResult(), Options{}); err != nil {
		t.Fatal(err)
	}
	after := e.fake.Comments(7)[0]
	if !after.Updated.Equal(before.Updated) {
		t.Fatal("an unchanged comment was edited")
	}
	for _, l := range e.fake.Log() {
		if strings.HasPrefix(l, "PATCH /repos/octo-org/reports/issues/comments/") {
			t.Fatalf("PATCH sent: %s", l)
		}
	}
}

// A report longer than GitHub allows is cut to fit a comment, a check
// run's summary and a status's description.
func TestLimitsKept(t *testing.T) {
	e := newEnv(t)
	huge := func(w io.Writer, _ *gate.Result) error {
		_, err := io.WriteString(w, strings.Repeat("ü long line of a report\n", 10000))
		return err
	}
	res := manyResult(3)
	res.Reports[0].File = strings.Repeat("very-long-name/", 20) + "x.md"
	out, err := e.publish(res, Options{Markdown: huge})
	if err != nil {
		t.Fatal(err)
	}
	c := e.fake.Comments(7)[0]
	if n := utf8.RuneCountInString(c.Body); n > CommentLimit || !strings.Contains(c.Body, "cut") {
		t.Errorf("comment of %d characters", n)
	}
	run := e.fake.CheckRuns(headSHA)[0]
	if n := utf8.RuneCountInString(run.Summary); n > SummaryLimit {
		t.Errorf("summary of %d characters", n)
	}
	_ = out
}
