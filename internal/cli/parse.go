package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// parseOptions are the options of `fsar parse`.
type parseOptions struct {
	*Factory
	Paths     []string
	Format    string
	JSONL     bool
	Positions bool
	limits    proposal.Limits
}

func newParseCmd(f *Factory) *cobra.Command {
	opts := &parseOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "parse [FILE|DIR|-]...",
		Short: "Read FSAR reports and print them as JSON or YAML",
		Long: `Read FSAR reports and print them as JSON (or YAML).

Reports are read from files, from folders (walked for .md, .json, .yaml and
.yml files; hidden folders skipped) and from standard input ("-"). The form
comes from the extension, or else from the content. X.md and X.json in one
folder are one report seen in two files: it is printed once, with any field
on which the two disagree listed under "twin_conflicts".

The generator's seven fields keep their names and types (id, timestamp,
proposal, severity, risks, mitigations, block_execution), so the output is a
drop-in for the generator's JSON; fields a report lacks are left out and
named in "missing". Derived data stands beside them: file, form, kind,
time, time_ns, risk_details, extra, markers, twin.

Exit status: 0 when every input was read; 2 when any was not (the others are
still printed, and each error goes to standard error with file:line:column).`,
		Example: `  # every report under proposals/, as one JSON array
  fsar parse proposals/

  # one report per line, with the source position of every field
  fsar parse --jsonl --positions audit/reports/

  # a report on standard input
  cat report.md | fsar parse -`,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Paths = args; len(args) == 0 {
				return usagef("parse needs at least one FILE, DIR or - (standard input)")
			}
			if err := oneOf("--format", opts.Format, "json", "yaml"); err != nil {
				return err
			}
			if opts.JSONL && opts.Format != "json" {
				return usagef("--jsonl goes with --format json")
			}
			return parseRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "json", "output format: json or yaml")
	cmd.Flags().BoolVar(&opts.JSONL, "jsonl", false, "print one JSON report per line instead of one array")
	cmd.Flags().BoolVar(&opts.Positions, "positions", false, "add the source position (line, column) of every field and list item")
	registerLimitFlags(cmd, &opts.limits)
	return cmd
}

func parseRun(opts *parseOptions) error {
	f := opts.Factory
	units, errs := proposal.Discover(opts.Paths)
	failed := len(errs) > 0
	for _, e := range errs {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %s\n", escape.Terminal(e.Error()))
	}
	var docs []*proposal.Document
	for _, u := range units {
		res := u.Read(opts.limits, f.IO.In)
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
	format := opts.Format
	if opts.JSONL {
		format = "jsonl"
	}
	if err := proposal.WriteDocuments(f.IO.Out, format, docs); err != nil {
		return err
	}
	if failed {
		return withCode(ExitError)
	}
	return nil
}
