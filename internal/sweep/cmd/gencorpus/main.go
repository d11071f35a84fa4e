// Command gencorpus writes a synthetic folder of FSAR reports for sweep
// benchmarks (see package gen). Write it outside the repository:
//
//	go run ./internal/sweep/cmd/gencorpus -n 100000 -o /tmp/fsar-100k
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/fsar-gate/fsar/internal/sweep/gen"
)

func main() {
	n := flag.Int("n", 100000, "number of FSAR reports (each written as a markdown file and its JSON twin)")
	out := flag.String("o", "", "folder to write (required; created when missing)")
	seed := flag.Uint64("seed", 1, "random seed: the same seed gives the same files")
	months := flag.Int("months", 12, "months of report time, from 2025-01")
	notReports := flag.Int("not-reports", -1, "other reports in the folder (drift and quality regression reports in markdown and JSON, summaries); -1: 1% of -n")
	broken := flag.Int("broken", 0, "FSAR report files that cannot be read")
	perMonth := flag.Bool("per-month", false, "one folder per month instead of a flat folder")
	flat := flag.Bool("flat", false, "no trend: every share steady over the months (by default canned analyses rise from 50% to 98%)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -n REPORTS -o DIR [-seed N] [-months N] [-not-reports N] [-broken N] [-per-month] [-flat]")
		os.Exit(2)
	}
	cfg := gen.Default(*out, *n)
	cfg.Seed, cfg.Months, cfg.Broken, cfg.PerMonth, cfg.Flat = *seed, *months, *broken, *perMonth, *flat
	if *notReports >= 0 {
		cfg.NotReports = *notReports
	}
	start := time.Now()
	st, err := gen.Generate(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d reports (%d blocking, %d twin conflicts, %d reused ids), %d other reports, %d broken, %d files in %s\n",
		*out, st.Reports, st.Block, st.Conflicts, st.Duplicates, st.NotReports, st.Broken, st.Files, time.Since(start).Round(time.Millisecond))
}
