package gate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Source says which reports a run judges.
type Source struct {
	// Paths are files, folders, glob patterns and "-" (see proposal.Walk).
	Paths []string
	// Walk chooses what the walk finds (globs, shard).
	Walk proposal.WalkOptions
	// Keep, when not nil, keeps the units to judge (a pull request's
	// changed reports); the others are counted as left out.
	Keep func(proposal.Unit) bool
}

// Walked is what judging a source found besides its reports.
type Walked struct {
	// Problems are the paths that could not be walked.
	Problems []Problem
	// Other counts the files of other types found in folders.
	Other int
	// Units counts the units found; Kept, those Keep kept.
	Units, Kept int
}

// Judge walks the source, and reads and evaluates every unit it finds,
// as it finds it, through Stream: emit is called once per unit, in the
// order of the walk. Check and sweep both judge their reports this way,
// so a folder's reports are the same reports, judged the same way, in
// both.
func Judge(ctx context.Context, ev Evaluator, src Source, opts Options, emit func(Judged)) *Walked {
	w := &Walked{}
	if p := opts.Progress; p != nil {
		// A second walk only counts, far ahead of the evaluation, so that
		// the display knows the total early.
		go func() {
			for f := range proposal.Walk(ctx, src.Paths, src.Walk) {
				if f.Err == nil && f.Other == "" && (src.Keep == nil || src.Keep(f.Unit)) {
					p.Found()
				}
			}
			p.Walked()
		}()
		next := emit
		emit = func(j Judged) {
			next(j)
			p.Judged()
		}
	}
	units := make(chan proposal.Unit, 256)
	go func() {
		defer close(units)
		for f := range proposal.Walk(ctx, src.Paths, src.Walk) {
			switch {
			case f.Err != nil:
				w.Problems = append(w.Problems, ProblemOf(f.Err))
			case f.Other != "":
				w.Other++
			default:
				w.Units++
				if src.Keep != nil && !src.Keep(f.Unit) {
					continue
				}
				w.Kept++
				select {
				case units <- f.Unit:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	Stream(ctx, ev, units, opts, emit)
	// Stream returns after units was closed: the walk is over. A walk cut
	// short found only some of the reports: that is an error of the run,
	// never a pass of what it found.
	if err := ctx.Err(); err != nil {
		w.Problems = append(w.Problems, Problem{Message: "interrupted before every report was found and judged: " + err.Error()})
	}
	return w
}

// RunOptions say what Run judges and how.
type RunOptions struct {
	Source
	Options
	// AllowEmpty passes a run that finds no report; by default that is an
	// error.
	AllowEmpty bool
	// DecidedBy records what judges the run; Run fills in OPA's version.
	DecidedBy DecidedBy
	// Notices and Subject are recorded in the result as they are.
	Notices []string
	Subject *Subject
	// Each, when not nil, is given every unit as it is judged, in the
	// order of the walk (see Judge), from one goroutine at a time.
	Each func(Judged)
	// Drop leaves the reports and skipped files out of the result: only
	// their counts are kept. A run whose output is written as the reports
	// come (Each) keeps its memory bounded this way, however many reports
	// there are.
	Drop bool
}

// Run is one check: it judges the source (Judge), and returns the result
// with its header, its reports in order (standard input first, then by
// file), and its verdict and counts. A run with a path it could not walk,
// or with no report at all (unless AllowEmpty), is an error.
func Run(ctx context.Context, ev Evaluator, o RunOptions) (*Result, *Walked) {
	res := &Result{
		Schema:    Schema,
		DecidedBy: o.DecidedBy,
		Notices:   o.Notices,
		Subject:   o.Subject,
	}
	res.DecidedBy.OPAVersion = buildinfo.OPA
	res.Reports = []Report{}
	tally := o.Waivers.Tally()
	w := Judge(ctx, ev, o.Source, o.Options, func(j Judged) {
		if o.Each != nil {
			o.Each(j)
		}
		switch {
		case j.Skipped:
			res.Count.Skipped++
			if o.Drop {
				return
			}
			res.Skipped = append(res.Skipped, j.Unit.Path)
			if j.Kind != "" {
				if res.OtherKinds == nil {
					res.OtherKinds = map[string]string{}
				}
				res.OtherKinds[j.Unit.Path] = j.Kind
			}
		default:
			res.Count.Add(j.Report.Verdict)
			tally.Add(j.Report)
			if !o.Drop {
				res.Reports = append(res.Reports, j.Report)
			}
		}
	})
	slices.SortStableFunc(res.Reports, func(a, b Report) int {
		return cmp.Or(-cmp.Compare(boolInt(a.File == proposal.Stdin), boolInt(b.File == proposal.Stdin)), strings.Compare(a.File, b.File))
	})
	slices.Sort(res.Skipped)
	res.Waivers = tally.Uses()
	res.Errors = append(res.Errors, w.Problems...)
	if res.Count.Reports == 0 && !o.AllowEmpty {
		res.Errors = append(res.Errors, Problem{Message: fmt.Sprintf("no FSAR report found in %s (use --allow-empty when that is expected)", strings.Join(o.Paths, ", "))})
	}
	res.settle()
	return res, w
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
