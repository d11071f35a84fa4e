package attest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vsa1 "github.com/in-toto/attestation/go/predicates/vsa/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// judge judges paths with the bundled policies, for real.
func judge(t testing.TB, paths ...string) *gate.Result {
	t.Helper()
	e, err := policy.Load(context.Background(), policy.Options{
		Sources: []policy.Source{{Name: "policies", FS: os.DirFS(filepath.Join("..", "..", "policies"))}},
		Now:     now,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := gate.Run(context.Background(), e, gate.RunOptions{
		Source:    gate.Source{Paths: paths},
		DecidedBy: gate.DecidedBy{FSARVersion: "v1.2.3", PolicyDigest: e.Digest(), Now: now},
	})
	if res.ErrorCount() != 0 {
		t.Fatalf("judging %v: %d errors", paths, res.ErrorCount())
	}
	return res
}

func proposals(p ...string) string {
	return filepath.Join(append([]string{"..", "..", "proposals"}, p...)...)
}

var testOptions = Options{
	FailOn:      gate.Review,
	ResourceURI: "git+https://github.com/octo-org/reports@" + strings.Repeat("a", 40),
	PolicyURI:   "https://github.com/fsar-gate/fsar/tree/v1.2.3/policies",
	Name:        func(f string) string { return strings.TrimPrefix(filepath.ToSlash(f), "../../") },
}

// sha256sum is the digest of a file as sha256sum prints it, by the tool
// itself when it is installed.
func sha256sum(t *testing.T, file string) string {
	t.Helper()
	if out, err := exec.Command("sha256sum", file).Output(); err == nil {
		return strings.Fields(string(out))[0]
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readBack parses a written statement with the in-toto Go types, and
// validates it.
func readBack(t *testing.T, b []byte) (*intoto.Statement, *vsa1.VerificationSummary, map[string]any) {
	t.Helper()
	st := &intoto.Statement{}
	if err := protojson.Unmarshal(b, st); err != nil {
		t.Fatalf("statement: %v\n%s", err, b)
	}
	if err := st.Validate(); err != nil {
		t.Fatalf("in-toto validation: %v", err)
	}
	raw, _ := protojson.Marshal(st.GetPredicate())
	vsa := &vsa1.VerificationSummary{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, vsa); err != nil {
		t.Fatalf("predicate: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return st, vsa, doc
}

func TestStatement(t *testing.T) {
	res := judge(t, proposals("block"), proposals("pass"))
	st, err := Statement(res, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	got, vsa, doc := readBack(t, b)
	if got.GetType() != "https://in-toto.io/Statement/v1" || got.GetPredicateType() != PredicateType || doc["_type"] == nil {
		t.Errorf("type %q, predicate type %q", got.GetType(), got.GetPredicateType())
	}

	// One subject per file judged, twins apart, each with the sha256 that
	// sha256sum gives.
	files := 0
	for _, r := range res.Reports {
		files++
		if r.Twin != "" {
			files++
		}
	}
	if len(got.GetSubject()) != files || files < 20 {
		t.Fatalf("%d subjects for %d files", len(got.GetSubject()), files)
	}
	for _, s := range got.GetSubject() {
		file := filepath.Join("..", "..", filepath.FromSlash(s.GetName()))
		if want := sha256sum(t, file); s.GetDigest()["sha256"] != want {
			t.Errorf("%s: digest %s, sha256sum %s", s.GetName(), s.GetDigest()["sha256"], want)
		}
		if !strings.HasPrefix(s.GetName(), "proposals/") {
			t.Errorf("subject name %q: want the repository path", s.GetName())
		}
	}

	if vsa.GetVerifier().GetId() != VerifierID || vsa.GetResourceUri() != testOptions.ResourceURI ||
		vsa.GetPolicy().GetUri() != testOptions.PolicyURI || "sha256:"+vsa.GetPolicy().GetDigest()["sha256"] != res.DecidedBy.PolicyDigest ||
		!vsa.GetTimeVerified().AsTime().Equal(now) {
		t.Errorf("predicate %v", vsa)
	}
	if vsa.GetVerificationResult() != Failed || strings.Join(vsa.GetVerifiedLevels(), ",") != "FSAR_BLOCK" {
		t.Errorf("result %s %v, want FAILED FSAR_BLOCK", vsa.GetVerificationResult(), vsa.GetVerifiedLevels())
	}
	pred := doc["predicate"].(map[string]any)
	if v := pred["verifier"].(map[string]any)["version"]; v.(map[string]any)["fsar"] != "v1.2.3" || v.(map[string]any)["opa"] == "" {
		t.Errorf("verifier.version %v", v)
	}
	ext := pred[Extension].(map[string]any)
	if ext["schema"] != ExtensionSchema || ext["verdict"] != "block" || ext["failOn"] != "review" || len(ext["reports"].([]any)) != len(res.Reports) {
		t.Errorf("extension %v", ext)
	}
	first := ext["reports"].([]any)[0].(map[string]any)
	if first["verdict"] != res.Reports[0].Verdict.String() || len(first["findings"].([]any)) != len(res.Reports[0].Findings) {
		t.Errorf("extension's first report %v, want %+v", first, res.Reports[0])
	}
}

// TestPassedFollowsFailOn: a warn verdict passes a gate that fails on
// review, and fails one that fails on warn.
func TestPassedFollowsFailOn(t *testing.T) {
	res := judge(t, proposals("warn", "fsar_proposal_stale.md"))
	if res.Verdict != gate.Warn {
		t.Fatalf("verdict %s", res.Verdict)
	}
	for failOn, want := range map[gate.Verdict]string{gate.Warn: Failed, gate.Review: Passed, gate.Block: Passed} {
		o := testOptions
		o.FailOn = failOn
		st, err := Statement(res, o)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Marshal(st)
		_, vsa, _ := readBack(t, b)
		if vsa.GetVerificationResult() != want || vsa.GetVerifiedLevels()[0] != "FSAR_WARN" {
			t.Errorf("--fail-on %s: %s %v, want %s", failOn, vsa.GetVerificationResult(), vsa.GetVerifiedLevels(), want)
		}
	}
}

// TestSameBytes: the same reports and --now give the same bytes, run
// after run.
func TestSameBytes(t *testing.T) {
	var prev []byte
	for range 3 {
		st, err := Statement(judge(t, proposals()), testOptions)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(b, prev) {
			t.Fatalf("different bytes:\n%s\n%s", prev, b)
		}
		prev = b
	}
}

func TestPerReport(t *testing.T) {
	res := judge(t, proposals("block", "fsar_proposal_secret.md"), proposals("pass", "fsar_proposal_hand-written.yaml"))
	all, err := PerReport(res, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "proposals/block/fsar_proposal_secret.md" || all[1].Name != "proposals/pass/fsar_proposal_hand-written.yaml" {
		t.Fatalf("%+v", all)
	}
	want := map[string][2]string{ // subjects, result
		"proposals/block/fsar_proposal_secret.md":        {"proposals/block/fsar_proposal_secret.md proposals/block/fsar_proposal_secret.json", Failed},
		"proposals/pass/fsar_proposal_hand-written.yaml": {"proposals/pass/fsar_proposal_hand-written.yaml", Passed},
	}
	for _, n := range all {
		b, _ := Marshal(n.Statement)
		st, vsa, _ := readBack(t, b)
		var names []string
		for _, s := range st.GetSubject() {
			names = append(names, s.GetName())
		}
		if w := want[n.Name]; strings.Join(names, " ") != w[0] || vsa.GetVerificationResult() != w[1] {
			t.Errorf("%s: subjects %v, result %s; want %v", n.Name, names, vsa.GetVerificationResult(), w)
		}
	}
}

func TestNothingToAttest(t *testing.T) {
	res := &gate.Result{Verdict: gate.Error, Reports: []gate.Report{{File: "x.md", Verdict: gate.Error}},
		DecidedBy: gate.DecidedBy{PolicyDigest: "sha256:" + strings.Repeat("0", 64), Now: now}}
	if _, err := Statement(res, testOptions); !errors.Is(err, ErrNoSubject) {
		t.Errorf("err %v", err)
	}
	if _, err := PerReport(res, testOptions); !errors.Is(err, ErrNoSubject) {
		t.Errorf("err %v", err)
	}
}

func TestURIs(t *testing.T) {
	if got := ResourceURI("https://github.com/", "o/r", "abc", nil); got != "git+https://github.com/o/r@abc" {
		t.Error(got)
	}
	if got := ResourceURI("", "o/r", "abc", []string{"./audit/reports/", "x.md"}); got != "audit/reports,x.md" {
		t.Error(got)
	}
	if got := PolicyURI("v1.0.0", true, []string{"./policy"}, "https://github.com", "o/r", "abc"); got != "https://github.com/fsar-gate/fsar/tree/v1.0.0/policies git+https://github.com/o/r@abc#policy" {
		t.Error(got)
	}
	if got := PolicyURI("v1.0.0", false, []string{"policy", "more"}, "", "", ""); got != "file:policy file:more" {
		t.Error(got)
	}
}

// TestWaivedFindingsAttested: a PASSED statement whose reports had deny
// findings says which waiver accepted each, so that an auditor needs no
// other file.
func TestWaivedFindingsAttested(t *testing.T) {
	res := judge(t, proposals("block", "fsar_proposal_block-execution.md"))
	for i := range res.Reports[0].Findings {
		res.Reports[0].Findings[i].Waived = &gate.Waived{ApprovedBy: "alice", Expires: "2027-03-31", Reason: "board review", Source: ".fsar.yaml:2"}
	}
	res.Reports[0].Verdict = gate.Pass
	res.Summarize()
	st, err := Statement(res, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Marshal(st)
	_, vsa, doc := readBack(t, b)
	if vsa.GetVerificationResult() != Passed {
		t.Fatalf("result %s", vsa.GetVerificationResult())
	}
	hits := doc["predicate"].(map[string]any)[Extension].(map[string]any)["reports"].([]any)[0].(map[string]any)["findings"].([]any)
	if len(hits) < 2 {
		t.Fatalf("findings %v", hits)
	}
	for _, h := range hits {
		w, ok := h.(map[string]any)["waivedBy"].(map[string]any)
		if !ok || w["approvedBy"] != "alice" || w["expires"] != "2027-03-31" || w["source"] != ".fsar.yaml:2" {
			t.Errorf("finding %v: no waiver recorded", h)
		}
	}
}
