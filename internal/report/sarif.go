package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// SARIF writes SARIF 2.1.0 for code scanning (GitHub's, and other
// viewers): a reportingDescriptor per rule, a result per finding with the
// rule's own id, its level (deny and review are errors, warn a warning),
// its message and the report's line, and a fingerprint that stays the same
// from run to run. A report that could not be read or judged is a result
// of the rule report-error; problems not tied to a report, and notices,
// are notifications of the run's invocation.
type SARIF struct {
	Options
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// InformationURI is fsar's home page.
	InformationURI = "https://github.com/fsar-gate/fsar"
	// FingerprintKey names fsar's partial fingerprint: a SHA-256 of the
	// rule, the file, the field and the message with its numbers left out,
	// and the finding's place among those that share all four. Not of the
	// line, so that it survives edits above the finding, and not of the
	// message's numbers, which can change while the finding stays ("the
	// report is 177 days old" says 178 tomorrow; a secret's line and
	// column move with the text). v1 hashed the whole message.
	FingerprintKey = "fsarFinding/v2"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  sarifRunProps     `json:"properties"`
}

type sarifRunProps struct {
	Schema       string `json:"fsarSchema"`
	Verdict      string `json:"verdict"`
	FSARCommit   string `json:"fsarCommit,omitempty"`
	OPAVersion   string `json:"opaVersion"`
	PolicyDigest string `json:"policyDigest"`
	PolicyRev    string `json:"policyRevision,omitempty"`
	Now          string `json:"evaluatedAt"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Level   string   `json:"fsarLevel"`
	Package string   `json:"package,omitempty"`
	Tags    []string `json:"tags"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	// Suppressions mark a waived finding: code scanning shows it as
	// dismissed, not open.
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   sarifResultProps   `json:"properties"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
	// Location is where the waiver is written, as SARIF's suppression
	// location would be a physical location in the repository.
	Location *sarifLocation `json:"location,omitempty"`
}

type sarifResultProps struct {
	Level  string `json:"fsarLevel"`
	Field  string `json:"field,omitempty"`
	Report string `json:"reportId,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// sarifLevel maps a finding's level onto SARIF's: deny and review fail
// the gate, so both are errors.
func sarifLevel(l policy.Level) string {
	if l == policy.Warn {
		return "warning"
	}
	return "error"
}

// Format implements Formatter.
func (s *SARIF) Format(w io.Writer, res *gate.Result) error {
	res = canonical(res)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "fsar", Version: res.DecidedBy.FSARVersion, SemanticVersion: semver(res.DecidedBy.FSARVersion),
			InformationURI: InformationURI,
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: res.Verdict != gate.Error}},
		Results:     []sarifResult{},
		Properties: sarifRunProps{
			Schema: res.Schema, Verdict: res.Verdict.String(), FSARCommit: res.DecidedBy.FSARCommit, OPAVersion: res.DecidedBy.OPAVersion,
			PolicyDigest: res.DecidedBy.PolicyDigest, PolicyRev: res.DecidedBy.PolicyRevision, Now: res.DecidedBy.Now.UTC().Format("2006-01-02T15:04:05Z07:00"),
		},
	}
	for _, p := range res.Errors {
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications,
			sarifNotification{Level: "error", Message: sarifText{Text: sarifMessage(p.String())}})
	}
	for _, n := range res.Notices {
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications,
			sarifNotification{Level: "note", Message: sarifText{Text: sarifMessage(n)}})
	}

	rules, index := s.rules(res)
	run.Tool.Driver.Rules = rules
	fp := fingerprints{}
	for _, r := range res.Reports {
		for _, p := range r.Errors {
			file := p.Location.File
			if file == "" {
				file = r.File
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: ReportErrorRule, RuleIndex: index[ReportErrorRule], Level: "error",
				Message:             sarifText{Text: sarifMessage(p.Message)},
				Locations:           s.locations(file, p.Location.Line),
				PartialFingerprints: map[string]string{FingerprintKey: fp.next(ReportErrorRule, s.uri(file), "", p.Message)},
				Properties:          sarifResultProps{Level: "error", Report: r.ID},
			})
		}
		for _, f := range r.Findings {
			run.Results = append(run.Results, sarifResult{
				RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Level),
				Message:             sarifText{Text: sarifMessage(f.Message)},
				Locations:           s.locations(f.Location.File, f.Location.Line),
				PartialFingerprints: map[string]string{FingerprintKey: fp.next(f.Rule, s.uri(f.Location.File), f.Field, f.Message)},
				Suppressions:        s.suppressions(f.Waived),
				Properties:          sarifResultProps{Level: f.Level.String(), Field: f.Field, Report: r.ID},
			})
		}
	}
	b, err := marshalJSON(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// rules returns the reportingDescriptors: the engine's rules, then those
// only findings name (sorted), then report-error when a report could not
// be read or judged; and each one's index.
func (s *SARIF) rules(res *gate.Result) ([]sarifRule, map[string]int) {
	index := map[string]int{}
	var out []sarifRule
	for _, r := range s.Rules {
		if _, dup := index[r.ID]; dup {
			continue
		}
		index[r.ID] = len(out)
		out = append(out, describeRule(r))
	}
	extra := map[string]policy.Rule{}
	reportError := false
	for _, r := range res.Reports {
		reportError = reportError || len(r.Errors) > 0
		for _, f := range r.Findings {
			if _, known := index[f.Rule]; known {
				continue
			}
			e, seen := extra[f.Rule]
			if !seen {
				e = policy.Rule{ID: f.Rule, Level: f.Level, Title: f.Title, Remediation: f.Remediation, Package: f.Package}
			}
			e.Level = max(e.Level, f.Level)
			extra[f.Rule] = e
		}
	}
	ids := make([]string, 0, len(extra))
	for id := range extra {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		index[id] = len(out)
		out = append(out, describeRule(extra[id]))
	}
	if _, known := index[ReportErrorRule]; reportError && !known {
		index[ReportErrorRule] = len(out)
		out = append(out, sarifRule{
			ID: ReportErrorRule, Name: "ReportError",
			ShortDescription: sarifText{Text: "Report could not be read or judged"},
			FullDescription: sarifText{Text: "fsar could not read the report, or the policies could not evaluate it. " +
				"Such a report never passes the gate."},
			Help: sarifText{Text: "Fix the report at the line and column the message gives, " +
				"or the policy whose evaluation failed, and run fsar check again."},
			DefaultConfiguration: sarifConfig{Level: "error"},
			Properties:           sarifRuleProps{Level: "error", Tags: []string{"fsar", "error"}},
		})
	}
	return out, index
}

// describeRule is a rule's reportingDescriptor. Every text is set, as
// GitHub code scanning asks.
func describeRule(r policy.Rule) sarifRule {
	short := firstNonEmpty(r.Title, r.ID)
	help := r.Remediation
	if help == "" {
		help = "See the policy"
		if r.Package != "" {
			help += " package " + r.Package
		}
		help += " for what this rule checks."
	}
	name := pascalName(r.ID)
	if strings.EqualFold(name, r.ID) {
		name = "" // SARIF asks for a name different from the id, or none
	}
	return sarifRule{
		ID:                   r.ID,
		Name:                 name,
		ShortDescription:     sarifText{Text: sarifMessage(short)},
		FullDescription:      sarifText{Text: sarifMessage(firstNonEmpty(strings.TrimSpace(r.Description), short))},
		Help:                 sarifText{Text: sarifMessage(help)},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Level)},
		Properties:           sarifRuleProps{Level: r.Level.String(), Package: r.Package, Tags: []string{"fsar", r.Level.String()}},
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// pascalName turns a rule id into the PascalCase name SARIF viewers show:
// severity-hard becomes SeverityHard.
func pascalName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if b.Len() == 0 && unicode.IsDigit(r) {
			b.WriteString("Rule")
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
		if b.Len() >= 100 {
			break
		}
	}
	if b.Len() == 0 {
		return "Rule"
	}
	return b.String()
}

var (
	embeddedLinkRE = regexp.MustCompile(`\]\(`)
	placeholderRE  = regexp.MustCompile(`\{[0-9]+\}`)
)

// sarifMessage makes s a SARIF plain-text message string that a viewer
// shows as s: text that a viewer would read as an embedded link
// ("[text](target)", SARIF §3.11.6) has its backslashes and brackets
// escaped, and text with a placeholder ("{0}", §3.11.5) has its braces
// doubled; invisible characters are shown as \uXXXX. Other text is left as
// it is.
func sarifMessage(s string) string {
	s = escape.Visible(s)
	if embeddedLinkRE.MatchString(s) {
		s = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(s)
	}
	if placeholderRE.MatchString(s) {
		s = strings.NewReplacer("{", "{{", "}", "}}").Replace(s)
	}
	return s
}

// uri is the artifact URI of a report file: its path in the repository,
// escaped; a file URI when it lies outside; "" for standard input.
func (s *SARIF) uri(file string) string {
	if file == "" || file == "-" {
		return ""
	}
	p := s.repoPath(file)
	if p == "" {
		abs := file
		if !filepath.IsAbs(abs) && s.WorkDir != "" {
			abs = filepath.Join(s.WorkDir, abs)
		}
		if !filepath.IsAbs(abs) {
			return escapePath(filepath.ToSlash(filepath.Clean(file)))
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	return escapePath(p)
}

// escapePath escapes each segment of a relative path for a URI reference;
// ":" too, so that the first segment cannot read as a scheme.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(seg), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

func (s *SARIF) locations(file string, line int) []sarifLocation {
	u := s.uri(file)
	if u == "" {
		return nil
	}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: u}}}
	if line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
	}
	return []sarifLocation{loc}
}

// fingerprints gives the results of one run their partial fingerprints,
// from the rule, file, field and message less its numbers; results alike
// in all four (two secrets of one kind, say) are told apart by their order
// (findings come sorted by rule, field and message).
type fingerprints map[string]int

func (fp fingerprints) next(rule, uri, field, message string) string {
	h := sha256.New()
	for _, s := range []string{rule, uri, field, digitsRE.ReplaceAllLiteralString(message, "#")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	key := string(h.Sum(nil))
	n := fp[key]
	fp[key] = n + 1
	h.Write([]byte(strconv.Itoa(n)))
	return hex.EncodeToString(h.Sum(nil))
}

// digitsRE matches the numbers a message may hold.
var digitsRE = regexp.MustCompile(`[0-9]+`)

var semverRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
})

// semver returns the version without its "v" when it is a semantic
// version, else "".
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if semverRE().MatchString(v) {
		return v
	}
	return ""
}

// suppressions are a waived finding's: accepted, outside the code (in
// the configuration, where Location points), with who, why and until when.
func (s *SARIF) suppressions(w *gate.Waived) []sarifSuppression {
	if w == nil {
		return nil
	}
	sup := sarifSuppression{Kind: "external", Status: "accepted", Justification: sarifMessage(WaivedText(w))}
	i := strings.LastIndex(w.Source, ":")
	if line, err := strconv.Atoi(w.Source[i+1:]); i > 0 && err == nil {
		if locs := s.locations(w.Source[:i], line); len(locs) > 0 {
			sup.Location = &locs[0]
		}
	}
	return []sarifSuppression{sup}
}

// WaivedText says who waived a finding, until when and why.
func WaivedText(w *gate.Waived) string {
	s := fmt.Sprintf("waived by %s until %s: %s (%s)", w.ApprovedBy, w.Expires, w.Reason, w.Source)
	if w.Ticket != "" {
		s += " " + w.Ticket
	}
	return s
}
