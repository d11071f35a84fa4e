// Package attest makes fsar's verdict attestations and checks them.
//
// An attestation is an in-toto Statement (v1) whose subjects are the
// report files judged, each named by its repository path with its sha256,
// and whose predicate is SLSA's Verification Summary (VSA): fsar, at a
// version, judged these files under a policy set (by digest) at a time,
// and they passed or failed. An extension field of the predicate, "fsar",
// holds each report's verdict and rules, so that an auditor needs no
// other file. A statement is signed in a DSSE envelope (Sign), or
// keylessly by GitHub's actions/attest (a Sigstore bundle); Verify checks
// either before a proposal is executed.
package attest

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	vsa1 "github.com/in-toto/attestation/go/predicates/vsa/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/fsar-gate/fsar/internal/gate"
)

const (
	// PredicateType is SLSA's Verification Summary Attestation, v1.
	PredicateType = "https://slsa.dev/verification_summary/v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
	// VerifierID is fsar's verifier.id.
	VerifierID = "https://github.com/fsar-gate/fsar"
	// Extension is the predicate's field that holds fsar's own account of
	// the verdict (Summary), and ExtensionSchema its version.
	Extension       = "fsar"
	ExtensionSchema = "fsar.vsa/v1"
	// Passed and Failed are the verification results.
	Passed = "PASSED"
	Failed = "FAILED"
)

// Summary is the extension field: fsar's verdict, the gate's threshold,
// and every report's verdict and rules.
type Summary struct {
	Schema  string       `json:"schema"`
	Verdict string       `json:"verdict"`
	FailOn  string       `json:"failOn"`
	Count   *gate.Count  `json:"count,omitempty"`
	Reports []ReportLine `json:"reports"`
	// Errors are the run's problems not tied to one report.
	Errors []string `json:"errors,omitempty"`
}

// ReportLine is one report in the extension field.
type ReportLine struct {
	File     string    `json:"file"`
	Twin     string    `json:"twin,omitempty"`
	ID       string    `json:"id,omitempty"`
	Verdict  string    `json:"verdict"`
	Findings []RuleHit `json:"findings"`
}

// RuleHit is a finding as an auditor files it: its rule and level, and
// the waiver that accepted it (a waived finding does not count toward the
// verdict).
type RuleHit struct {
	Rule   string     `json:"rule"`
	Level  string     `json:"level"`
	Waived *WaivedHit `json:"waivedBy,omitempty"`
}

// WaivedHit is the waiver of a finding: who, until when, why, where.
type WaivedHit struct {
	ApprovedBy string `json:"approvedBy"`
	Expires    string `json:"expires"`
	Reason     string `json:"reason"`
	Ticket     string `json:"ticket,omitempty"`
	Source     string `json:"source"`
}

// Options are what a statement records beyond the result.
type Options struct {
	// FailOn is the gate's threshold: the result is PASSED only when no
	// report is at or above it (an error always fails).
	FailOn gate.Verdict
	// ResourceURI is the resourceUri: the repository and commit the
	// reports were read at (see ResourceURI), else the paths judged.
	ResourceURI string
	// PolicyURI names where the policies came from (see PolicyURI).
	PolicyURI string
	// Name gives a report file's subject name, its repository path; nil,
	// or "" from it, keeps the path as judged, with forward slashes.
	Name func(file string) string
}

// ErrNoSubject is returned when no report of the result could be read:
// a statement needs at least one subject.
var ErrNoSubject = errors.New("no report could be read, so there is nothing to attest (every statement names the files it is about)")

// Statement is the statement of the whole result.
func Statement(res *gate.Result, o Options) (*intoto.Statement, error) {
	sum := summarize(res.Verdict, res.Reports, o)
	count := res.Count
	sum.Count = &count
	for _, p := range res.Errors {
		sum.Errors = append(sum.Errors, p.String())
	}
	return statement(res, res.Reports, res.Verdict, sum, o)
}

// PerReport is one statement for each report that could be read, keyed
// by its subject name (the report's, not its twin's).
func PerReport(res *gate.Result, o Options) ([]Named, error) {
	var out []Named
	for _, r := range res.Reports {
		if r.SHA256 == "" {
			continue
		}
		one := []gate.Report{r}
		st, err := statement(res, one, r.Verdict, summarize(r.Verdict, one, o), o)
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Name: o.name(r.File), Statement: st})
	}
	if len(out) == 0 {
		return nil, ErrNoSubject
	}
	return out, nil
}

// Named is a statement with the subject name of the report it is for.
type Named struct {
	Name      string
	Statement *intoto.Statement
}

func (o Options) name(file string) string {
	if o.Name != nil {
		if n := o.Name(file); n != "" {
			return n
		}
	}
	return filepath.ToSlash(file)
}

func summarize(v gate.Verdict, reports []gate.Report, o Options) Summary {
	sum := Summary{Schema: ExtensionSchema, Verdict: v.String(), FailOn: o.FailOn.String(), Reports: []ReportLine{}}
	for _, r := range reports {
		line := ReportLine{File: o.name(r.File), ID: r.ID, Verdict: r.Verdict.String(), Findings: []RuleHit{}}
		if r.Twin != "" {
			line.Twin = o.name(r.Twin)
		}
		for _, f := range r.Findings {
			hit := RuleHit{Rule: f.Rule, Level: f.Level.String()}
			if w := f.Waived; w != nil {
				hit.Waived = &WaivedHit{ApprovedBy: w.ApprovedBy, Expires: w.Expires, Reason: w.Reason, Ticket: w.Ticket, Source: w.Source}
			}
			line.Findings = append(line.Findings, hit)
		}
		sum.Reports = append(sum.Reports, line)
	}
	return sum
}

func statement(res *gate.Result, reports []gate.Report, v gate.Verdict, sum Summary, o Options) (*intoto.Statement, error) {
	st := &intoto.Statement{Type: intoto.StatementTypeUri, PredicateType: PredicateType}
	for _, r := range reports {
		for _, f := range [][2]string{{r.File, r.SHA256}, {r.Twin, r.TwinSHA256}} {
			if f[0] != "" && f[1] != "" {
				st.Subject = append(st.Subject, &intoto.ResourceDescriptor{Name: o.name(f[0]), Digest: map[string]string{"sha256": f[1]}})
			}
		}
	}
	if len(st.Subject) == 0 {
		return nil, ErrNoSubject
	}
	pred, err := predicate(res.DecidedBy, v, sum, o)
	if err != nil {
		return nil, err
	}
	st.Predicate = pred
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("the statement is not a valid in-toto statement: %w", err)
	}
	return st, nil
}

// predicate is the VSA predicate, built with the in-toto Go type, with
// verifier.version (which that type lacks, but the specification has)
// and the extension field added.
func predicate(d gate.DecidedBy, v gate.Verdict, sum Summary, o Options) (*structpb.Struct, error) {
	result := Passed
	threshold := o.FailOn
	if threshold == gate.Never {
		// Report-only mode does not make an attestation say PASSED of
		// what the default gate fails.
		threshold = gate.Review
	}
	if v >= threshold {
		result = Failed
	}
	digest, ok := strings.CutPrefix(d.PolicyDigest, "sha256:")
	if !ok {
		return nil, fmt.Errorf("policy digest %q: expected sha256:HEX", d.PolicyDigest)
	}
	vsa := &vsa1.VerificationSummary{
		Verifier:           &vsa1.VerificationSummary_Verifier{Id: VerifierID},
		TimeVerified:       timestamppb.New(d.Now),
		ResourceUri:        o.ResourceURI,
		Policy:             &vsa1.VerificationSummary_Policy{Uri: o.PolicyURI, Digest: map[string]string{"sha256": digest}},
		VerificationResult: result,
		VerifiedLevels:     []string{"FSAR_" + strings.ToUpper(v.String())},
	}
	b, err := protojson.Marshal(vsa)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["verifier"].(map[string]any)["version"] = map[string]any{"fsar": d.FSARVersion, "opa": d.OPAVersion}
	if m[Extension], err = toMap(sum); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// Marshal writes a statement as JSON, the same bytes for the same
// statement: one line, object keys sorted. (protojson's own output varies
// its spacing from build to build on purpose.)
func Marshal(st *intoto.Statement) ([]byte, error) {
	b, err := protojson.Marshal(st)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// ResourceURI is the resourceUri of reports read at a commit of a
// repository on a GitHub server (git+https://github.com/OWNER/REPO@SHA),
// or, when either is unknown, the paths judged, separated by commas.
func ResourceURI(serverURL, repository, commit string, paths []string) string {
	if serverURL != "" && repository != "" && commit != "" {
		return "git+" + strings.TrimSuffix(serverURL, "/") + "/" + repository + "@" + commit
	}
	clean := make([]string, len(paths))
	for i, p := range paths {
		clean[i] = path.Clean(filepath.ToSlash(p))
	}
	return strings.Join(clean, ",")
}

// PolicyURI names where a policy set came from: fsar's bundled policies
// at its version, the OPA bundles (--bundle), and the folders given, at a commit of the repository
// when they were read there (--policy-ref), each a URI, separated by
// spaces. The digest, not this name, is what a verifier checks.
func PolicyURI(fsarVersion string, bundled bool, folders []string, serverURL, repository, revision string, bundles ...string) string {
	var uris []string
	if bundled {
		uris = append(uris, VerifierID+"/tree/"+fsarVersion+"/policies")
	}
	uris = append(uris, bundles...) // OPA bundles, by URL or path
	for _, f := range folders {
		f = path.Clean(filepath.ToSlash(f))
		switch {
		case revision != "" && serverURL != "" && repository != "":
			uris = append(uris, "git+"+strings.TrimSuffix(serverURL, "/")+"/"+repository+"@"+revision+"#"+f)
		case revision != "":
			uris = append(uris, "git:"+revision+"#"+f)
		default:
			uris = append(uris, "file:"+f)
		}
	}
	return strings.Join(uris, " ")
}
