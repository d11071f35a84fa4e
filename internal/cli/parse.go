package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/fsar-gate/fsar/internal/proposal"
)

// parseOptions are the flags of `fsar parse`.
type parseOptions struct {
	Paths     []string
	Format    string
	JSONL     bool
	Positions bool
	MaxSize   string
}

func newParseCmd(f *Factory, runF func(*parseOptions) error) *cobra.Command {
	opts := &parseOptions{}
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(args) == 0 {
				return usagef("parse needs at least one FILE, DIR or - (standard input)")
			}
			if opts.Format != "json" && opts.Format != "yaml" {
				return usagef("--format %q: expected json or yaml", opts.Format)
			}
			if opts.JSONL && opts.Format != "json" {
				return usagef("--jsonl goes with --format json")
			}
			if runF != nil {
				return runF(opts)
			}
			return parseRun(f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "json", "output format: json or yaml")
	cmd.Flags().BoolVar(&opts.JSONL, "jsonl", false, "print one JSON report per line instead of one array")
	cmd.Flags().BoolVar(&opts.Positions, "positions", false, "add the source position (line, column) of every field and list item")
	cmd.Flags().StringVar(&opts.MaxSize, "max-size", "10MiB", "largest file to read (bytes, or with KiB, MiB, GiB)")
	return cmd
}

func parseRun(f *Factory, opts *parseOptions) error {
	maxBytes, err := parseSize(opts.MaxSize)
	if err != nil {
		return usagef("--max-size: %v", err)
	}
	units, errs := proposal.Discover(opts.Paths)
	failed := len(errs) > 0
	for _, e := range errs {
		fmt.Fprintf(f.IO.ErrOut, "fsar: %v\n", e)
	}
	var docs []*proposal.Document
	for _, u := range units {
		res := u.Read(maxBytes, f.IO.In)
		if res.Skipped {
			fmt.Fprintf(f.IO.ErrOut, "fsar: skipped %s: not an FSAR report\n", u.Path)
			continue
		}
		for _, e := range res.Errs {
			failed = true
			fmt.Fprintf(f.IO.ErrOut, "fsar: %v\n", e)
		}
		if res.Report != nil {
			docs = append(docs, res.Report.Doc(opts.Positions))
		}
	}
	if err := writeDocs(f.IO.Out, docs, opts); err != nil {
		return err
	}
	if failed {
		return withCode(ExitError)
	}
	return nil
}

func writeDocs(w io.Writer, docs []*proposal.Document, opts *parseOptions) error {
	switch {
	case opts.Format == "yaml":
		// Through JSON, so that YAML shows the same keys and values.
		raw, err := json.Marshal(docs)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if v == nil {
			v = []any{}
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return err
		}
		return enc.Close()
	case opts.JSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, d := range docs {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		return nil
	default:
		if docs == nil {
			docs = []*proposal.Document{}
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(docs)
	}
}

// parseSize reads a byte count such as 1048576, 512KiB or 10MiB.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	t := strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q: expected a positive size such as 10MiB", s)
	}
	return n * mult, nil
}
