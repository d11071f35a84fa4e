package app

import (
	"fmt"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// ParseOptions are the options of `fsar parse`.
type ParseOptions struct {
	*Factory
	Paths     []string
	Format    string // json, jsonl or yaml
	Positions bool
	Limits    proposal.Limits
}

// Parse reads the reports and prints them; each error goes to standard
// error, and any makes the exit status 2.
func Parse(opts *ParseOptions) error {
	f := opts.Factory
	units, errs := proposal.Discover(opts.Paths)
	failed := len(errs) > 0
	for _, e := range errs {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(e.Error()))
	}
	var docs []*proposal.Document
	for _, u := range units {
		res := u.Read(opts.Limits, f.IO.In)
		if res.Skipped {
			fmt.Fprintf(f.IO.ErrOut, "fsar: skipped %s: %s\n", escape.Terminal(u.Path), escape.Terminal(proposal.OtherNote(res.Kind)))
			continue
		}
		for _, e := range res.Errs {
			failed = true
			fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(e.Error()))
		}
		if res.Report != nil {
			docs = append(docs, res.Report.Doc(opts.Positions))
		}
	}
	if err := proposal.WriteDocuments(f.IO.Out, opts.Format, docs); err != nil {
		return err
	}
	if failed {
		return WithCode(ExitError)
	}
	return nil
}
