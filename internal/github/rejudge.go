package github

import (
	"context"
	"fmt"
	"slices"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/gitfs"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Rejudge judges again the reports of a result another job wrote, so that
// what is published is fsar's own verdict, never the other job's claim.
// It reads the reports from the objects of commit sha in the repository
// of the working folder — never checking them out, never running
// anything of theirs — with ev, the policies of the job that publishes.
// It judges paths (the report files and folders the publishing job names)
// and every report file the result names. o says how, as for any run; its
// Source.Keep may keep only the reports a pull request changed. The
// re-judged result carries res's subject; differences are how res differs
// from it (gate.Compare), nothing when they agree.
func Rejudge(ctx context.Context, ev gate.Evaluator, res *gate.Result, sha string, paths []string, o gate.RunOptions) (judged *gate.Result, differences []string, err error) {
	names := slices.Clone(paths)
	for _, r := range res.Reports {
		for _, f := range []string{r.File, r.Twin} {
			// Only relative paths in the repository: the result is
			// untrusted, and names nothing else.
			if p := ghref.RepoPath(f, "", ""); p != "" && !slices.Contains(names, p) {
				names = append(names, p)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("judging the result again: it names no report, and no path was given")
	}
	snap, err := gitfs.Take(ctx, ".", sha, proposal.Footprint(names))
	if err != nil {
		return nil, nil, fmt.Errorf("judging the result again at its commit (fetch it first: git fetch origin %s): %w", sha, err)
	}
	o.Paths, o.Walk.FS = names, snap.FS
	judged, _ = gate.Run(ctx, ev, o)
	judged.Subject = res.Subject
	return judged, gate.Compare(res, judged), nil
}
