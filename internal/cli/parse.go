package cli

import (
	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
)

func newParseCmd(f *Factory) *cobra.Command {
	opts := &app.ParseOptions{Factory: f}
	var jsonl bool
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
			if jsonl && opts.Format != "json" {
				return usagef("--jsonl goes with --format json")
			} else if jsonl {
				opts.Format = "jsonl"
			}
			return app.Parse(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "json", "output format: json or yaml")
	cmd.Flags().BoolVar(&jsonl, "jsonl", false, "print one JSON report per line instead of one array")
	cmd.Flags().BoolVar(&opts.Positions, "positions", false, "add the source position (line, column) of every field and list item")
	registerLimitFlags(cmd, &opts.Limits)
	return cmd
}
