// Package gen writes synthetic folders of FSAR proposal reports for tests
// and benchmarks of sweeps: reports in the generator's markdown and JSON
// twin forms, shaped like the real corpus (proposal kinds, canned stub
// analyses, the generator's severity heuristic), spread over months with
// trends a sweep should notice (canned analyses rising: trust inflation;
// irreversible proposals rated low: incentive drift) or, with Flat, none,
// plus the other reports a real reports folder holds (drift and quality
// regression reports, in markdown and JSON, with id, timestamp and
// severity fields of their own). The same Config gives the same bytes.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config describes a corpus.
type Config struct {
	// Dir is the folder written to; it is created when missing.
	Dir string
	// Reports is the number of FSAR reports, each written as twin files.
	Reports int
	// Seed makes the corpus reproducible.
	Seed uint64
	// Start is the time of the first report; Months the span of report
	// times.
	Start  time.Time
	Months int
	// NotReports is the number of other reports in the folder (drift and
	// quality reports, a README) that a sweep must count and not fail on.
	NotReports int
	// Broken is the number of FSAR report files that cannot be read.
	Broken int
	// ConflictEvery, DuplicateEvery: one report in so many has twins that
	// disagree on severity, or reuses the id of the report before it
	// (0: none).
	ConflictEvery, DuplicateEvery int
	// PerMonth writes each month's reports into a folder of its own
	// (2026-01/...); by default the folder is flat, like the real one.
	PerMonth bool
	// Flat keeps every share steady over the months: the canned analyses
	// at 70%, the under-rating of irreversible proposals at half. By
	// default they rise (canned analyses from 50% to 98%, under-rating
	// from 20% to 90%). Either way the canned share of each month is the
	// trend's exactly (to one report), not a random draw around it.
	Flat bool
}

// Default returns the configuration of the benchmark corpus for n reports.
func Default(dir string, n int) Config {
	return Config{
		Dir: dir, Reports: n, Seed: 1,
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Months: 12,
		NotReports: n / 100, ConflictEvery: 997, DuplicateEvery: 1499,
	}
}

// Stats says what Generate wrote.
type Stats struct {
	Reports, Files, NotReports, Broken, Block, Conflicts, Duplicates int
}

// Generate writes the corpus.
func Generate(cfg Config) (Stats, error) {
	var st Stats
	if cfg.Months <= 0 {
		cfg.Months = 1
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return st, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	end := cfg.Start.AddDate(0, cfg.Months, 0)
	span := end.Sub(cfg.Start)
	step := span / time.Duration(max(cfg.Reports, 1))
	prevID := ""
	madeDirs := map[string]bool{}
	var canned float64 // error diffusion: the canned reports owed so far
	for i := 0; i < cfg.Reports; i++ {
		// Times rise with i, a millisecond apart at least, so file names
		// are unique and sort in time order, as the generator's do.
		t := cfg.Start.Add(step*time.Duration(i) + time.Duration(rng.Int64N(int64(max(step, time.Millisecond))))).Truncate(time.Millisecond)
		frac := float64(t.Sub(cfg.Start)) / float64(span) // 0 .. 1: how late in the span
		if cfg.Flat {
			frac = -1
		}
		canned += cannedShare(frac)
		r := report(rng, t, frac, canned >= 1)
		if canned >= 1 {
			canned--
		}
		if cfg.DuplicateEvery > 0 && i > 0 && i%cfg.DuplicateEvery == 0 && prevID != "" {
			r.ID = prevID
			st.Duplicates++
		}
		prevID = r.ID
		md := markdown(r)
		js := jsonForm(r)
		if cfg.ConflictEvery > 0 && i%cfg.ConflictEvery == cfg.ConflictEvery-1 {
			other := r
			other.Severity += 10
			js = jsonForm(other)
			st.Conflicts++
		}
		if r.BlockExecution || r.Severity >= 45 {
			st.Block++
		}
		dir := cfg.Dir
		if cfg.PerMonth {
			dir = filepath.Join(cfg.Dir, t.Format("2006-01"))
			if !madeDirs[dir] {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return st, err
				}
				madeDirs[dir] = true
			}
		}
		stem := filepath.Join(dir, "fsar_proposal_"+fileTime(t))
		if err := os.WriteFile(stem+".md", md, 0o644); err != nil {
			return st, err
		}
		if err := os.WriteFile(stem+".json", js, 0o644); err != nil {
			return st, err
		}
		st.Reports++
		st.Files += 2
	}
	for i := 0; i < cfg.NotReports; i++ {
		t := cfg.Start.Add(span / time.Duration(max(cfg.NotReports, 1)) * time.Duration(i)).Truncate(time.Millisecond)
		files := other(rng, i, t)
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if err := os.WriteFile(filepath.Join(cfg.Dir, name), files[name], 0o644); err != nil {
				return st, err
			}
			st.Files++
		}
		st.NotReports++
	}
	for i := 0; i < cfg.Broken; i++ {
		name := fmt.Sprintf("fsar_proposal_broken-%d.md", i)
		body := fmt.Appendf(nil, "# FSAR Proposal Report\n- id: fsar_broken_%d\n- timestamp: 2025-06-01T00:00:00.000Z\n- severity: high\n- block_execution: false\n- proposal:\n\nbroken\n", i)
		if err := os.WriteFile(filepath.Join(cfg.Dir, name), body, 0o644); err != nil {
			return st, err
		}
		st.Broken++
		st.Files++
	}
	return st, nil
}

// rep is one report's fields.
type rep struct {
	ID             string
	Timestamp      string
	Proposal       string
	Severity       int
	Risks          []string
	Mitigations    []string
	BlockExecution bool
}

var kinds = []struct {
	name   string
	weight int
}{{"idea_implementation", 918}, {"self_improvement", 71}, {"implement_idea", 11}}

var subjects = []string{
	"the billing webhook handler", "the task scheduler", "the onboarding flow", "the embeddings cache",
	"the audit log writer", "the Stripe reconciliation job", "the model router", "the dashboard API",
	"the notification service", "the execution_tasks table", "the feature flag store", "the report exporter",
}

var sentences = []string{
	"Create or update the file with this complete content and make sure it is production-ready.",
	"Add retries with exponential backoff and a circuit breaker around the external call.",
	"Log every financial transaction with its request id so that ROI is visible per flow.",
	"Split the handler into smaller functions and cover each one with unit tests.",
	"Move the configuration into environment variables and validate it at start-up.",
	"Add an index on the lookup column to cut the p95 latency of the query.",
	"Cache the results for five minutes and invalidate them when the source changes.",
	"Replace the polling loop with a queue consumer that acknowledges each message.",
	"Measure the conversion rate before and after, and roll back if it drops.",
	"Document the new endpoint and add it to the API reference.",
}

var irreversible = []string{
	"This drops the legacy column for good: the migration is irreversible.",
	"Old records are purged after the copy, so a failed copy means data loss.",
	"The rewrite deletes the archived snapshots, an irreversible step.",
}

// The generator's first canned set (all the real reports carry it).
var cannedRisks = []string{
	"Slow failure: unnoticed degradation accumulating by %s",
	"Unintended consequence: incentives shift toward short-term metrics, long-term reliability decays",
	"Incentive drift: stakeholders habituate to optimistic outputs, raising risk of silent defects",
}

var cannedMitigations = []string{
	"Add scheduled adversarial audits with hard pass/fail gates",
	"Track leading indicators for drift and trust inflation; alert on trend change",
	"Prefer reversible rollouts; keep rollback artifacts warm and tested",
}

var realRisks = []string{
	"Data migration: rows written during the copy are lost if the cut-over is not atomic by %s",
	"Capacity: the queue backs up under month-end load and tasks time out",
	"Security: the new endpoint accepts requests without checking the tenant",
	"Cost: cache misses double the model calls during a cold start",
	"Operability: nobody is paged when the job stops running",
}

var realMitigations = []string{
	"Run the migration behind a feature flag and keep the old column until a week of clean reads",
	"Load-test at twice the month-end peak before enabling",
	"Add a tenant check and a test that a foreign tenant gets 403",
	"Warm the cache from the last snapshot on deploy",
	"Alert when the job has not completed for two intervals",
}

// cannedShare is the share of canned analyses at frac (0 to 1, how late
// in the corpus; -1 for a flat corpus): rising from half to almost all
// (trust inflation).
func cannedShare(frac float64) float64 {
	if frac < 0 {
		return 0.7
	}
	return 0.5 + 0.48*frac
}

// underRating is the chance that an irreversible proposal is rated low,
// at frac: rising (incentive drift), or steady at half.
func underRating(frac float64) float64 {
	if frac < 0 {
		return 0.5
	}
	return 0.2 + 0.7*frac
}

// other writes the i-th document of another kind at time t: a drift
// report and a quality regression report, each in markdown and JSON as
// the generator's folder has them (their ids, timestamps and severities
// their own: a drift report's severity is 0 to 100), and now and then a
// summary with a title and no id.
func other(rng *rand.Rand, i int, t time.Time) map[string][]byte {
	ts := t.Format("2006-01-02T15:04:05.000Z")
	stem := fileTime(t)
	switch i % 3 {
	case 0:
		id, sev := "drift_"+uuid(rng), rng.IntN(101)
		sig := [3]float64{rng.Float64(), rng.Float64(), rng.Float64()}
		return map[string][]byte{
			"drift_report_" + stem + ".md": fmt.Appendf(nil, "<!-- SYNOPSIS: Drift Report -->\n\n# Drift Report\n- id: %s\n- timestamp: %s\n- severity: %d\n\n"+
				"## Signals\n- repeated_phrasing: %.3f\n- declining_disagreement: %.3f\n- rising_certainty: %.3f\n\n## Recommendations\n- role reshuffle\n- forced FSAR",
				id, ts, sev, sig[0], sig[1], sig[2]),
			"drift_report_" + stem + ".json": fmt.Appendf(nil, "{\n  \"id\": %q,\n  \"severity\": %d,\n  \"signals\": {\n    \"repeated_phrasing\": %.3f,\n"+
				"    \"declining_disagreement\": %.3f,\n    \"rising_certainty\": %.3f\n  },\n  \"recommendations\": [\n    \"role reshuffle\",\n    \"forced FSAR\"\n  ],\n  \"timestamp\": %q\n}",
				id, sev, sig[0], sig[1], sig[2], ts),
		}
	case 1:
		id, sev, n := "quality_regression_"+uuid(rng), rng.IntN(76), rng.IntN(5)
		return map[string][]byte{
			"quality_regression_" + stem + ".md": fmt.Appendf(nil, "<!-- SYNOPSIS: Quality Regression Report -->\n\n# Quality Regression Report\n- id: %s\n- timestamp: %s\n- severity: %d\n- regressions: %d\n\n## Findings\n- response quality below the baseline on %d prompts",
				id, ts, sev, n, n),
			"quality_regression_" + stem + ".json": fmt.Appendf(nil, "{\n  \"id\": %q,\n  \"timestamp\": %q,\n  \"severity\": %d,\n  \"regressions\": %d\n}", id, ts, sev, n),
		}
	}
	return map[string][]byte{"summary_" + stem + ".md": []byte("# Weekly audit summary\n\nSee the FSAR reports beside this file.\n")}
}

// report makes one report at time t; frac (0 to 1) is how late in the
// corpus it is, which shapes the trends (-1: a flat corpus); canned says
// whether its analysis is the generator's canned one.
func report(rng *rand.Rand, t time.Time, frac float64, canned bool) rep {
	r := rep{ID: "fsar_" + uuid(rng), Timestamp: t.Format("2006-01-02T15:04:05.000Z")}
	w := rng.IntN(1000)
	kind := kinds[0].name
	for _, k := range kinds {
		if w < k.weight {
			kind = k.name
			break
		}
		w -= k.weight
	}
	var b strings.Builder
	b.WriteString(kind)
	b.WriteString(": ")
	subject := subjects[rng.IntN(len(subjects))]
	fmt.Fprintf(&b, "Improve %s.", subject)
	// Proposal lengths like the real ones: mostly a few hundred
	// characters, some several thousand.
	n := 2 + rng.IntN(6)
	if rng.IntN(10) == 0 {
		n += 20 + rng.IntN(40)
	}
	for i := range n {
		switch {
		case i > 0 && i%8 == 0:
			fmt.Fprintf(&b, "\n\n## Step %d\n", i/8)
		case i%3 == 0:
			b.WriteString("\n- ")
		default:
			b.WriteString(" ")
		}
		b.WriteString(sentences[rng.IntN(len(sentences))])
	}
	r.Severity = 6
	// Irreversible proposals: rated as the generator rates them early on,
	// under-rated more and more later (incentive drift).
	if rng.IntN(40) == 0 {
		b.WriteString("\n\n")
		b.WriteString(irreversible[rng.IntN(len(irreversible))])
		if rng.Float64() < underRating(frac) {
			r.Severity = 6 + rng.IntN(10)
		} else {
			r.Severity = 48
		}
	}
	switch x := rng.IntN(200); {
	case x == 0:
		b.WriteString("\n\n[fsar_block] pending legal sign-off.")
		r.Severity = 50
		r.BlockExecution = true
	case x < 4:
		b.WriteString("\n\n[fsar_review] touches payments.")
		r.Severity = max(r.Severity, 30)
	}
	if r.Severity >= 45 {
		r.BlockExecution = true
	}
	r.Proposal = b.String()

	horizon := t.AddDate(2, 0, 0).Format("2006-01-02")
	if canned {
		r.Risks = []string{fmt.Sprintf(cannedRisks[0], horizon), cannedRisks[1], cannedRisks[2]}
		r.Mitigations = append([]string(nil), cannedMitigations...)
	} else {
		k := rng.IntN(len(realRisks))
		r.Risks = []string{fmt.Sprintf(realRisks[0], horizon), realRisks[1+k%4], realRisks[1+(k+1)%4]}
		r.Mitigations = []string{realMitigations[0], realMitigations[1+k%4], realMitigations[1+(k+2)%4]}
	}
	return r
}

func uuid(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// fileTime is the generator's file-name form of a time: ":" and "." as "-".
func fileTime(t time.Time) string {
	return strings.NewReplacer(":", "-", ".", "-").Replace(t.Format("2006-01-02T15:04:05.000Z"))
}

// markdown renders the generator's markdown form, with the SYNOPSIS line
// later copies carry, and no final newline.
func markdown(r rep) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- SYNOPSIS: FSAR Proposal Report -->\n\n# FSAR Proposal Report\n")
	fmt.Fprintf(&b, "- id: %s\n- timestamp: %s\n- severity: %d\n- block_execution: %t\n- proposal:\n\n%s\n\n## Risks\n", r.ID, r.Timestamp, r.Severity, r.BlockExecution, r.Proposal)
	for _, x := range r.Risks {
		b.WriteString("- " + x + "\n")
	}
	b.WriteString("\n## Mitigations")
	for _, x := range r.Mitigations {
		b.WriteString("\n- " + x)
	}
	return b.Bytes()
}

// jsonForm renders the generator's JSON form, fields in its order.
func jsonForm(r rep) []byte {
	v := struct {
		ID             string   `json:"id"`
		Timestamp      string   `json:"timestamp"`
		Proposal       string   `json:"proposal"`
		Severity       int      `json:"severity"`
		Risks          []string `json:"risks"`
		Mitigations    []string `json:"mitigations"`
		BlockExecution bool     `json:"block_execution"`
	}{r.ID, r.Timestamp, r.Proposal, r.Severity, r.Risks, r.Mitigations, r.BlockExecution}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // cannot fail: strings, ints and bools
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
