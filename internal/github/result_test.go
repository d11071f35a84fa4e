package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/github/fakegh"
)

func resultJSON(t *testing.T, res *gate.Result) string {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readableBy is what decided a result, as fsar writes it.
var readableBy = gate.DecidedBy{
	FSARVersion: "v1.2.3", OPAVersion: "1.22.3", PolicyDigest: "sha256:" + strings.Repeat("0f", 32),
	PolicyRevision: otherSHA, Now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
}

func TestReadResult(t *testing.T) {
	res := reviewResult()
	res.DecidedBy = readableBy
	res.Subject = &gate.Subject{Repository: "octo-org/reports", PR: 7, SHA: headSHA, BaseRef: "main"}
	good := resultJSON(t, res)
	got, err := ReadResult(strings.NewReader(good), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject.SHA != headSHA || got.Verdict != gate.Review || len(got.Reports) != 3 {
		t.Fatalf("%+v", got)
	}

	forged := *res
	forged.Verdict = gate.Pass
	recount := *res
	recount.Count.Pass++
	flipped := *res
	flipped.Reports = slices.Clone(res.Reports)
	flipped.Reports[0].Verdict = gate.Pass
	badSHA := *res
	badSHA.Subject = &gate.Subject{Repository: "octo-org/reports", SHA: "HEAD"}
	tests := []struct {
		name, input, err string
		limit            int64
	}{
		{"unknown field", strings.Replace(good, `"schema"`, `"extra":1,"schema"`, 1), "unknown field", 0},
		{"unknown nested field", strings.Replace(good, `"rule":`, `"sneaky":true,"rule":`, 1), "unknown field", 0},
		{"wrong schema", strings.Replace(good, gate.Schema, "fsar.check/v0", 1), "schema", 0},
		{"no schema", strings.Replace(good, `"schema":"fsar.check/v1",`, "", 1), "schema", 0},
		{"trailing value", good + `{}`, "more than one JSON value", 0},
		{"not JSON", "<html>", "invalid character", 0},
		{"too large", good, "larger than", 100},
		{"unknown verdict", strings.Replace(good, `"verdict":"review"`, `"verdict":"fine"`, 1), "unknown verdict", 0},
		{"unknown level", strings.Replace(good, `"level":"warn"`, `"level":"meh"`, 1), "unknown level", 0},
		{"verdict forged", resultJSON(t, &forged), "its reports make it review", 0},
		{"counts forged", resultJSON(t, &recount), "counts", 0},
		{"report verdict forged", resultJSON(t, &flipped), "its findings make it review", 0},
		{"bad subject commit", resultJSON(t, &badSHA), "not a full commit id", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadResult(strings.NewReader(tt.input), tt.limit)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want it to say %q", err, tt.err)
			}
		})
	}
}

// TestReadResultDecidedBy: what decided a run is shown in the comment,
// check run and status fsar publishes; each field of it must have the
// shape fsar writes, or the result is refused, naming the field.
func TestReadResultDecidedBy(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	good := []gate.DecidedBy{
		{FSARVersion: "dev", OPAVersion: "1.22.3", PolicyDigest: digest},
		{FSARVersion: "v1.2.3", OPAVersion: "1.22.3-dev", PolicyDigest: digest, PolicyRevision: headSHA},
		{FSARVersion: "v1.2.3-rc.1+build.7", OPAVersion: "0.70.0", PolicyDigest: digest, PolicyRevision: strings.Repeat("a", 64)},
		{FSARVersion: "1.2.3", OPAVersion: "1.22.3", PolicyDigest: digest},
		// git describe --tags --always --dirty (the Makefile's VERSION).
		{FSARVersion: "v1.2.3-4-g27ca8a2-dirty", OPAVersion: "1.22.3", PolicyDigest: digest},
		{FSARVersion: "27ca8a2", OPAVersion: "1.22.3", PolicyDigest: digest},
		{FSARVersion: "27ca8a2-dirty", OPAVersion: "1.22.3", PolicyDigest: digest},
	}
	for _, db := range good {
		res := reviewResult()
		res.DecidedBy = db
		if _, err := ReadResult(strings.NewReader(resultJSON(t, res)), 0); err != nil {
			t.Errorf("%+v: %v", db, err)
		}
	}
	ok := gate.DecidedBy{FSARVersion: "dev", OPAVersion: "1.22.3", PolicyDigest: digest}
	for _, tc := range []struct {
		field, value string
		set          func(*gate.DecidedBy, string)
	}{
		{"fsar_version", "", func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"fsar_version", "dev [x](https://evil.example)", func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"fsar_version", "devel", func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"fsar_version", "v1.2", func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"fsar_version", "v1.2.3-<img>", func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"fsar_version", "v1.2.3\n", func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"fsar_version", "v1.2.3-" + strings.Repeat("a", 200), func(d *gate.DecidedBy, v string) { d.FSARVersion = v }},
		{"opa_version", "1", func(d *gate.DecidedBy, v string) { d.OPAVersion = v }},
		{"opa_version", "v1.22.3", func(d *gate.DecidedBy, v string) { d.OPAVersion = v }},
		{"opa_version", "1.22.3 @octo-org/admins", func(d *gate.DecidedBy, v string) { d.OPAVersion = v }},
		{"policy_digest", "x", func(d *gate.DecidedBy, v string) { d.PolicyDigest = v }},
		{"policy_digest", "", func(d *gate.DecidedBy, v string) { d.PolicyDigest = v }},
		{"policy_digest", "sha256:" + strings.Repeat("AB", 32), func(d *gate.DecidedBy, v string) { d.PolicyDigest = v }},
		{"policy_digest", digest + "![i](https://evil.example/p.png)", func(d *gate.DecidedBy, v string) { d.PolicyDigest = v }},
		{"policy_revision", "main", func(d *gate.DecidedBy, v string) { d.PolicyRevision = v }},
		{"policy_revision", "27ca8a2", func(d *gate.DecidedBy, v string) { d.PolicyRevision = v }},
		{"policy_revision", headSHA + " #1", func(d *gate.DecidedBy, v string) { d.PolicyRevision = v }},
	} {
		db := ok
		tc.set(&db, tc.value)
		res := reviewResult()
		res.DecidedBy = db
		_, err := ReadResult(strings.NewReader(resultJSON(t, res)), 0)
		if err == nil || !strings.Contains(err.Error(), "decided_by."+tc.field) {
			t.Errorf("%s %q: err = %v, want it to name decided_by.%s", tc.field, tc.value, err, tc.field)
		}
	}
}

func FuzzReadResult(f *testing.F) {
	res := reviewResult()
	res.DecidedBy = readableBy
	res.Subject = &gate.Subject{Repository: "octo-org/reports", PR: 7, SHA: headSHA}
	b, _ := json.Marshal(res)
	f.Add(b)
	f.Add([]byte(`{"schema":"fsar.check/v1"}`))
	f.Add([]byte(`{"schema":"fsar.check/v1","verdict":"pass","decided_by":{"fsar_version":"dev","opa_version":"1.22.3",` +
		`"policy_digest":"sha256:` + strings.Repeat("0", 64) + `","now":"2026-11-25T12:00:00Z"},` +
		`"count":{"reports":0,"pass":0,"warn":0,"review":0,"block":0,"error":0,"skipped":0},"reports":[],"skipped":[],"errors":[]}`))
	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ReadResult(bytes.NewReader(data), limit)
		if err != nil {
			return
		}
		if len(data) > limit {
			t.Fatalf("%d bytes taken, over the limit of %d", len(data), limit)
		}
		// What is taken agrees with itself, and what decided it has the
		// shapes fsar writes.
		if err := consistent(res); err != nil {
			t.Fatal(err)
		}
		if err := res.DecidedBy.Validate(); err != nil {
			t.Fatal(err)
		}
		// It reads back the same, from what it writes.
		again, err := ReadResult(strings.NewReader(resultJSON(t, res)), 0)
		if err != nil {
			t.Fatalf("a result taken once is refused when written again: %v", err)
		}
		if a, b := resultJSON(t, res), resultJSON(t, again); a != b {
			t.Fatalf("a result reads back differently:\n%s\n%s", a, b)
		}
	})
}

// TestReadResultLargeInputs: inputs of a few megabytes are refused or
// taken in bounded memory and time, whatever they hold.
func TestReadResultLargeInputs(t *testing.T) {
	for name, data := range map[string][]byte{
		"deep":         bytes.Repeat([]byte("["), 4<<20),
		"long string":  append(append([]byte(`{"schema":"`), bytes.Repeat([]byte("a"), 4<<20)...), '"', '}'),
		"many reports": append([]byte(`{"schema":"fsar.check/v1","reports":[`), bytes.Repeat([]byte(`{"file":"a"},`), 300_000)...),
		"over limit":   bytes.Repeat([]byte(" "), DefaultResultBytes+1),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if _, err := ReadResult(bytes.NewReader(data), 0); err == nil {
				t.Fatal("taken")
			}
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 40*uint64(len(data))+64<<20 {
				t.Errorf("%d bytes allocated for %d bytes of input", grew, len(data))
			}
		})
	}
}

func TestContextValidate(t *testing.T) {
	ok := Context{Owner: "octo-org", Repo: "reports", HeadSHA: headSHA, APIURL: "https://ghe.example.com/api/v3"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Context{
		{Owner: "octo org", Repo: "reports"},
		{Owner: "octo-org", Repo: ".."},
		{Owner: "octo-org", Repo: "reports", HeadSHA: "main"},
		{Owner: "octo-org", Repo: "reports", APIURL: "ftp://x"},
		{Owner: "octo-org", Repo: "reports", APIURL: "https://user:pw@x"},
		{Owner: "octo-org", Repo: "reports", PR: -1},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// GitHub Enterprise Server: the API under /api/v3.
func TestEnterpriseServer(t *testing.T) {
	fake, err := fakegh.New(fakegh.Options{PathPrefix: "/api/v3"})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	fake.AddToken(testToken, fakegh.Token{Login: ActionsBot, Kind: fakegh.AppToken})
	fake.OpenPR(fakegh.PR{Number: 7, HeadSHA: headSHA})
	c, err := NewClient(Context{APIURL: fake.URL, Owner: "octo-org", Repo: "reports", PR: 7, HeadSHA: headSHA, Token: testToken},
		ClientOptions{Clock: newTestClock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(t.Context(), reviewResult(), Options{Modes: Modes, Markdown: stubMarkdown, FailOn: gate.Review}); err != nil {
		t.Fatal(err)
	}
	if len(fake.Comments(7)) != 1 || len(fake.CheckRuns(headSHA)) != 1 {
		t.Fatal("not posted")
	}
	for _, v := range fake.Violations() {
		t.Error(v)
	}
}

func TestChangedFiles(t *testing.T) {
	e := newEnv(t)
	var files []fakegh.File
	var want []string
	for i := range 250 {
		st := []string{"added", "modified", "removed", "renamed"}[i%4]
		name := fmt.Sprintf("audit/reports/r%03d.md", i)
		files = append(files, fakegh.File{Name: name, Status: st})
		if st != "removed" {
			want = append(want, name)
		}
	}
	e.fake.SetFiles(7, files)
	got, err := e.client.ChangedFiles(t.Context(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d files, want %d", len(got), len(want))
	}
	// GitHub lists 3,000 files at most: a list that long may be cut.
	files = nil
	for i := range 3000 {
		files = append(files, fakegh.File{Name: fmt.Sprintf("f%d.md", i), Status: "added"})
	}
	e.fake.SetFiles(7, files)
	if _, err := e.client.ChangedFiles(t.Context(), 7); err == nil || !strings.Contains(err.Error(), "3000") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseModes(t *testing.T) {
	got, err := ParseModes(" status, comment,check,comment ")
	if err != nil || !slices.Equal(got, []string{"comment", "check", "status"}) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParseModes("comment,review"); err == nil {
		t.Fatal("unknown mode taken")
	}
	if got, _ := ParseModes(""); len(got) != 0 {
		t.Fatal(got)
	}
}

func TestAnnotations(t *testing.T) {
	res := result(gate.Report{File: "a.md", Findings: []gate.Finding{
		finding(3, "secret", "a.md", 0),
		{Level: 1, Rule: strings.Repeat("r", 400), Message: "bad\x00\xff" + strings.Repeat("m", 5000), Location: gate.Location{File: "a.md", Line: 2}},
	}})
	res.Reports = append(res.Reports, gate.Report{File: "/tmp/x.md", Verdict: gate.Error, Findings: []gate.Finding{}, Errors: []gate.Problem{{Message: "unreadable"}}})
	res.Summarize()
	anns, dropped := annotations(res, RepoPath, 0)
	if len(anns) != 2 || dropped != 0 {
		t.Fatalf("%+v", anns)
	}
	if anns[0].StartLine != 1 || anns[0].Level != "failure" {
		t.Errorf("line 0 goes on line 1, deny is a failure: %+v", anns[0])
	}
	if n := len([]rune(anns[1].Title)); n > TitleLimit {
		t.Errorf("title of %d characters", n)
	}
	if strings.ContainsRune(anns[1].Message, 0) || !strings.HasPrefix(anns[1].Message, "bad\uFFFD\uFFFD") || len([]rune(anns[1].Message)) > MessageLimit {
		t.Errorf("message %q…", anns[1].Message[:10])
	}
	if _, dropped := annotations(manyResult(30), RepoPath, 10); dropped != 20 {
		t.Errorf("dropped %d", dropped)
	}
}

// TestNewContext: the flags win over the environment, and a malformed
// environment is an error when publishing.
func TestNewContext(t *testing.T) {
	env := &actions.Env{
		Repository: "octo-org/reports", ServerURL: "https://ghe.example.com", APIURL: "https://ghe.example.com/api/v3",
		Token: "t", EventName: "pull_request", SHA: strings.Repeat("3", 40), BaseRef: "main", RunID: "42",
		Event: actions.Event{PR: 7, HeadSHA: headSHA, BaseRef: "main", BaseSHA: otherSHA},
	}
	c, err := NewContext(env, nil, Target{})
	want := Context{
		APIURL: "https://ghe.example.com/api/v3", ServerURL: "https://ghe.example.com", Owner: "octo-org", Repo: "reports",
		PR: 7, HeadSHA: headSHA, BaseRef: "main", BaseSHA: otherSHA, Token: "t",
		RunURL: "https://ghe.example.com/octo-org/reports/actions/runs/42",
	}
	if err != nil || c != want {
		t.Fatalf("context\n%+v\nwant\n%+v\n%v", c, want, err)
	}
	if s := c.Subject(); s == nil || *s != (gate.Subject{Repository: "octo-org/reports", PR: 7, SHA: headSHA, BaseRef: "main"}) {
		t.Fatalf("subject %+v", s)
	}
	if s := (Context{Owner: "o", Repo: "r"}).Subject(); s != nil {
		t.Fatalf("a subject without a commit: %+v", s)
	}
	c, err = NewContext(env, nil, Target{Repo: "other/repo", PR: 9, SHA: otherSHA, APIURL: "https://api.example.com"})
	if err != nil || c.Repository() != "other/repo" || c.PR != 9 || c.HeadSHA != otherSHA || c.APIURL != "https://api.example.com" {
		t.Fatalf("flags: %+v %v", c, err)
	}
	// Without GITHUB_SERVER_URL the run is on github.com, as the API is.
	noServer := *env
	noServer.ServerURL = ""
	if c, _ := NewContext(&noServer, nil, Target{}); c.RunURL != "https://github.com/octo-org/reports/actions/runs/42" {
		t.Errorf("run URL without a server: %q", c.RunURL)
	}
	if _, err := NewContext(&actions.Env{}, nil, Target{}); err == nil || !strings.Contains(err.Error(), "GITHUB_REPOSITORY") {
		t.Fatalf("no repository: %v", err)
	}
	if _, err := NewContext(env, errors.New("GITHUB_EVENT_PATH: broken"), Target{}); err == nil {
		t.Fatal("a malformed environment published")
	}
	if _, err := NewContext(env, nil, Target{APIURL: "ftp://x"}); err == nil {
		t.Fatal("a bad API URL accepted")
	}
}
