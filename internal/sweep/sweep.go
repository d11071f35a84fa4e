// Package sweep runs a policy sweep: it walks folders of FSAR reports,
// judges every report with one policy engine at one pinned time on all
// cores, and aggregates the verdicts as they arrive — by rule, severity
// band, proposal kind and period of report time, with the blocking
// reports, disagreeing twins and reused ids — into a Result. From the
// result come trends and alerts (against the previous period and an earlier
// sweep), and the outputs: text, JSON (fsar.sweep/v2), markdown and a
// self-contained HTML report. Memory stays bounded however many reports
// there are: reports are never kept, only counts and short lists.
//
// A sweep can be split across machines (Shard) and its parts merged into
// exactly the result one run would have given (Merge). Nothing here prints
// to the terminal, reads the environment or exits.
package sweep

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/progress"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Shard is one part of a sweep split across machines (see proposal.Shard).
type Shard = proposal.Shard

// Options configure Run.
type Options struct {
	// Paths are folders, files or glob patterns to sweep.
	Paths []string
	// Include and Exclude are glob patterns on paths relative to the folder
	// swept: a pattern without a slash matches a name, one with slashes the
	// whole path ("**" for any folders). Exclude applies to folders too.
	Include, Exclude []string
	// Period is PeriodMonth (the default), PeriodWeek or PeriodDay.
	Period string
	// AlertThreshold is the move of a share, in percentage points, above
	// which an alert fires.
	AlertThreshold float64
	// Window is how many periods a share's trend is measured across (2 or
	// more; DefaultWindow when 0); Streak how many periods in a row a
	// share must move the bad way to alert (0: never).
	Window, Streak int
	// MinReports is the fewest reports a period needs to take part in the
	// trends.
	MinReports int
	// AllowEmpty makes a sweep that finds no report at all clean instead
	// of an error.
	AllowEmpty bool
	// Shard, when set, sweeps only the shard's part of the reports.
	Shard Shard
	// Baseline is an earlier sweep to compare with (see LoadBaseline).
	// BaselineFrom says where it was asked for (a file, "issue"), and
	// BaselineMissing that there was none there yet: the first sweep.
	Baseline        *Baseline
	BaselineFrom    string
	BaselineMissing bool
	// Facts are what the policies declare for a sweep; learnt from the
	// evaluator when nil (see Learn).
	Facts *Facts
	// DecidedBy records what judges the sweep (versions, policy digest,
	// evaluation time).
	DecidedBy gate.DecidedBy
	// Limits bound what the readers accept (see proposal.Limits).
	Limits proposal.Limits
	// Workers is the number of concurrent evaluations; all cores when 0.
	Workers int
	// Waivers are the configuration's waivers, or nil.
	Waivers *gate.Waivers
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Progress, when not nil, is told how far the sweep has come.
	Progress *progress.Progress
}

// FailOn says what makes a sweep fail: a blocking report, a report that
// blocks and did not in the baseline, an alert, or some of them; none
// ("never") leaves only errors.
type FailOn struct{ Block, NewBlock, Alert bool }

// ParseFailOn reads --fail-on: block, new-block and alert, or never.
func ParseFailOn(values []string) (FailOn, error) {
	var f FailOn
	for _, v := range values {
		switch v {
		case "block":
			f.Block = true
		case "new-block":
			f.NewBlock = true
		case "alert":
			f.Alert = true
		case "never":
			if len(values) > 1 {
				return f, fmt.Errorf("--fail-on never cannot be combined with %s", strings.Join(values, ","))
			}
		default:
			return f, fmt.Errorf("--fail-on %q: expected block, new-block, alert or never", v)
		}
	}
	return f, nil
}

// Fails tells whether the result fails as f says (errors aside). Without
// a baseline that lists its blocking reports, every blocking report is
// new.
func (r *Result) Fails(f FailOn) bool {
	newBlocks := len(r.NewBlocking) > 0
	if b := r.Baseline; b == nil || b.BlockingOmitted > 0 {
		newBlocks = r.Count.Block > 0
	}
	return f.Block && r.Count.Block > 0 || f.NewBlock && newBlocks || f.Alert && len(r.Alerts) > 0
}

// DefaultWindow is the number of periods a trend is measured across.
const DefaultWindow = 6

// Validate checks the options a command line sets, naming the flag of
// each that is wrong.
func (o *Options) Validate() error {
	if err := ValidPeriod(o.settings().Period); err != nil {
		return fmt.Errorf("--period: %w", err)
	}
	for _, g := range append(slices.Clone(o.Include), o.Exclude...) {
		if err := proposal.ValidGlob(g); err != nil {
			return fmt.Errorf("--include/--exclude: %w", err)
		}
	}
	if !validThreshold(o.AlertThreshold) {
		return fmt.Errorf("--alert-threshold %v: expected a number of percentage points, 0 or more", o.AlertThreshold)
	}
	if o.MinReports < 1 {
		return fmt.Errorf("--min-reports %d: expected 1 or more", o.MinReports)
	}
	if err := validWindow(o.settings()); err != nil {
		return err
	}
	return nil
}

// Bounds of --window and --streak: a trend needs two periods, and no
// sweep follows more periods than a few years of days.
const maxWindow = 10000

func validWindow(s Settings) error {
	if s.Window < 2 || s.Window > maxWindow {
		return fmt.Errorf("--window %d: expected a number of periods from 2 to %d", s.Window, maxWindow)
	}
	if s.Streak < 0 || s.Streak > maxWindow {
		return fmt.Errorf("--streak %d: expected a number of periods from 0 (never) to %d", s.Streak, maxWindow)
	}
	return nil
}

func (o *Options) settings() Settings {
	period := o.Period
	if period == "" {
		period = PeriodMonth
	}
	maxBytes, maxItems := o.Limits.MaxBytes, o.Limits.MaxItems
	if maxBytes <= 0 {
		maxBytes = proposal.DefaultMaxBytes
	}
	if maxItems <= 0 {
		maxItems = proposal.DefaultMaxItems
	}
	return Settings{
		Paths:           o.Paths,
		Include:         o.Include,
		Exclude:         o.Exclude,
		Period:          period,
		AlertThreshold:  o.AlertThreshold,
		Window:          cmp.Or(o.Window, DefaultWindow),
		Streak:          o.Streak,
		MinReports:      o.MinReports,
		BaselineFrom:    o.BaselineFrom,
		BaselineMissing: o.BaselineMissing,
		AllowEmpty:      o.AllowEmpty,
		MaxBytes:        maxBytes,
		MaxItems:        maxItems,
	}
}

// Run sweeps the paths: walks them, reads and judges every report with ev
// on all cores, and aggregates the verdicts as they arrive. It never stops
// at a bad file: read, walk and evaluation errors are part of the result.
func Run(ctx context.Context, ev gate.Evaluator, opts Options) (*Result, error) {
	s := opts.settings()
	if err := ValidPeriod(s.Period); err != nil {
		return nil, err
	}
	for _, g := range append(append([]string{}, opts.Include...), opts.Exclude...) {
		if err := proposal.ValidGlob(g); err != nil {
			return nil, err
		}
	}
	if !validThreshold(opts.AlertThreshold) {
		return nil, fmt.Errorf("alert threshold %v: expected a number of percentage points, 0 or more", opts.AlertThreshold)
	}
	if opts.Shard.Count > MaxShards {
		return nil, fmt.Errorf("shard %s: a sweep is split into at most %d shards", opts.Shard, MaxShards)
	}
	if err := validWindow(s); err != nil {
		return nil, err
	}
	if opts.Baseline != nil {
		if err := opts.Baseline.validate(); err != nil {
			return nil, err
		}
	}
	facts := opts.Facts
	if facts == nil {
		f, err := Learn(ctx, ev)
		if err != nil {
			return nil, err
		}
		facts = &f
	}
	src := gate.Source{Paths: s.Paths, Walk: proposal.WalkOptions{Include: opts.Include, Exclude: opts.Exclude, Shard: opts.Shard}}
	f := *facts
	if opts.Waivers != nil && len(opts.Waivers.List) > 0 {
		f = f.withWaived()
	}
	a := newAcc(s.Period, f)
	a.waivers = opts.Waivers.Tally()
	w := gate.Judge(ctx, ev, src, gate.Options{Limits: opts.Limits, Workers: opts.Workers, Stdin: opts.Stdin, Progress: opts.Progress, Waivers: opts.Waivers}, func(j gate.Judged) {
		files := 1
		if j.Unit.Twin != "" {
			files = 2
		}
		a.addJudged(j, files)
	})
	a.count.OtherFiles += w.Other
	a.errors = append(a.errors, w.Problems...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var shard *Shard
	if opts.Shard.Count > 0 {
		shard = &opts.Shard
	} else {
		a.requireReports(s)
	}
	return a.result(s, opts.DecidedBy, opts.Baseline, shard), nil
}

// requireReports makes a sweep that found no report an error, unless that
// is allowed.
func (a *acc) requireReports(s Settings) {
	if a.count.Reports == 0 && !s.AllowEmpty {
		a.errors = append(a.errors, gate.Problem{Message: fmt.Sprintf(
			"no FSAR report found in %s (use --allow-empty when that is expected)", strings.Join(s.Paths, ", "))})
	}
}

// Merge combines the results of the shards of one sweep (every shard I/N
// of the same N once, with the same settings, policies and evaluation
// time) into the result one run over all of them gives, byte for byte.
// A baseline, when not nil, replaces the one the shards carry.
func Merge(parts []*Result, baseline *Baseline) (*Result, error) {
	var swap *baselineSwap
	if baseline != nil {
		swap = &baselineSwap{base: baseline}
	}
	return merge(parts, swap)
}

// baselineSwap replaces the shards' baseline in a merge (sweep merge
// --baseline FILE), as if the sweep had been run with --baseline FILE.
type baselineSwap struct {
	from string    // the file named, when known
	base *Baseline // nil when the file does not exist yet: the first sweep
}

func merge(parts []*Result, swap *baselineSwap) (*Result, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge needs at least one shard result")
	}
	if swap != nil && swap.base != nil {
		if err := swap.base.validate(); err != nil {
			return nil, err
		}
	}
	first := parts[0]
	if first.Shard == nil {
		return nil, errors.New("the first result is not a shard's result (made with --shard I/N)")
	}
	// Every part agrees with itself, its shard in range, before anything
	// is sized by what it says.
	for i, p := range parts {
		if p.Shard == nil {
			return nil, fmt.Errorf("result %d is not a shard's result (made with --shard I/N)", i+1)
		}
		if err := p.validate(); err != nil {
			return nil, fmt.Errorf("result %d: %w", i+1, err)
		}
	}
	n := first.Shard.Count
	seen := make([]bool, n+1)
	ref, err := mergeKey(first)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		if p.Shard.Count != n {
			return nil, fmt.Errorf("result %d is shard %s, but result 1 is of %d shards", i+1, p.Shard, n)
		}
		if seen[p.Shard.Index] {
			return nil, fmt.Errorf("result %d: shard %s is given twice", i+1, p.Shard)
		}
		seen[p.Shard.Index] = true
		key, err := mergeKey(p)
		if err != nil {
			return nil, err
		}
		if key != ref {
			return nil, fmt.Errorf("result %d (shard %s) was made with other settings, policies, evaluation time or baseline than result 1: %s",
				i+1, p.Shard, describeMismatch(first, p))
		}
	}
	var missing []string
	for i := 1; i <= n; i++ {
		if !seen[i] {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing shard results: %s", strings.Join(missing, ", "))
	}
	a := newAcc(first.Settings.Period, first.Facts)
	for _, p := range parts {
		a.addResult(p)
	}
	a.requireReports(first.Settings)
	base, settings := first.Baseline, first.Settings
	if swap != nil {
		base = swap.base
		settings.BaselineMissing = swap.base == nil
		if swap.from != "" {
			settings.BaselineFrom = swap.from
		}
	}
	return a.result(settings, first.DecidedBy, base, nil), nil
}

// MergeFiles reads the shards' JSON results at paths (ReadResult) and
// merges them (Merge), with the baseline at baselinePath instead of theirs
// when it is not "": the result is one run's with --baseline baselinePath,
// the first sweep when the file does not exist yet.
func MergeFiles(paths []string, baselinePath string) (*Result, error) {
	if len(paths) > MaxShards {
		return nil, fmt.Errorf("%d results: a sweep is split into at most %d shards", len(paths), MaxShards)
	}
	var parts []*Result
	for _, path := range paths {
		r, err := ReadResult(path)
		if err != nil {
			return nil, err
		}
		if r.Shard == nil {
			return nil, fmt.Errorf("%s is not a shard's result (made with --shard I/N)", path)
		}
		parts = append(parts, r)
	}
	var swap *baselineSwap
	if baselinePath != "" {
		swap = &baselineSwap{from: baselinePath}
		var err error
		if swap.base, err = LoadBaseline(baselinePath); errors.Is(err, fs.ErrNotExist) {
			swap.base = nil // not there yet: the first sweep, as for sweep --baseline
		} else if err != nil {
			return nil, fmt.Errorf("--baseline: %w", err)
		}
	}
	return merge(parts, swap)
}

// mergeKey is what every shard of one sweep must share.
func mergeKey(r *Result) (string, error) {
	b, err := json.Marshal(struct {
		DecidedBy gate.DecidedBy
		Settings  Settings
		Facts     Facts
		Baseline  *Baseline
	}{r.DecidedBy, r.Settings, r.Facts, r.Baseline})
	return string(b), err
}

func describeMismatch(a, b *Result) string {
	switch {
	case a.DecidedBy.PolicyDigest != b.DecidedBy.PolicyDigest:
		return "policy digest " + b.DecidedBy.PolicyDigest + " vs " + a.DecidedBy.PolicyDigest
	case !a.DecidedBy.Now.Equal(b.DecidedBy.Now):
		return "evaluation time " + b.DecidedBy.Now.String() + " vs " + a.DecidedBy.Now.String()
	case !a.DecidedBy.Equal(b.DecidedBy):
		return "fsar or OPA version, or policy bundles"
	}
	ka, _ := json.Marshal(a.Settings)
	kb, _ := json.Marshal(b.Settings)
	if string(ka) != string(kb) {
		return "settings " + string(kb) + " vs " + string(ka)
	}
	fa, _ := json.Marshal(a.Facts)
	fb, _ := json.Marshal(b.Facts)
	if string(fa) != string(fb) {
		return "policy facts " + string(fb) + " vs " + string(fa)
	}
	return "baseline"
}

// MaxResultBytes bounds a sweep result file that ReadResult reads — a
// shard's result for merge, or an earlier sweep as a baseline: 64 MiB.
// A result holds counts and short lists, but a shard's also maps every
// report id it saw to a file: about half a million reports per shard fit.
const MaxResultBytes = 64 << 20

// ReadResult reads a sweep result (fsar.sweep/v2) from a JSON file as
// untrusted input (DecodeResult, at most MaxResultBytes); errors name
// the file.
func ReadResult(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %s: %w", path, pe.Op, pe.Err)
		}
		return nil, err
	}
	defer f.Close()
	r, err := DecodeResult(f, MaxResultBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// DecodeResult reads a sweep result (fsar.sweep/v2) as untrusted input: at
// most limit bytes (MaxResultBytes when 0), exactly one JSON object of the
// schema with no field fsar does not know, what decided it of the shapes
// fsar writes, every number in range and every count, share, trend and
// alert what its lists and other counts make it (see Result.validate). A
// result that disagrees with itself is refused, not corrected.
func DecodeResult(in io.Reader, limit int64) (*Result, error) {
	if limit <= 0 {
		limit = MaxResultBytes
	}
	data, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes: not a sweep result", limit)
	}
	// The schema first, so that another JSON file is named as such.
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		return nil, fmt.Errorf("not a sweep result: %w", err)
	}
	if head.Schema == nil || *head.Schema != Schema {
		schema := ""
		if head.Schema != nil {
			schema = *head.Schema
		}
		return nil, fmt.Errorf("schema %q, expected %q (a result of fsar sweep --format json)", escape.Truncate(schema, 80), Schema)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Result
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a sweep result: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not a sweep result: more than one JSON value")
	}
	if err := validShapes(&r); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// memoryLimit bounds a sweep's memory (see LimitMemory): the garbage collector runs when the heap reaches it instead of
// whenever the heap grows by GOGC percent. A sweep's live heap is small and
// stays small (counts and short lists, never the reports), while evaluation
// allocates fast: collecting only near the limit saves about a tenth of the
// CPU time of a large sweep, and the process stays under about 150 MB
// however many reports it reads.
const memoryLimit = 120 << 20

// LimitMemory makes the garbage collector run only near memoryLimit, for
// a sweep; the returned function restores the previous settings. A
// command calls it unless GOGC or GOMEMLIMIT say otherwise.
func LimitMemory() func() {
	limit := debug.SetMemoryLimit(memoryLimit)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
