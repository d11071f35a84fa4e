package github

import (
	"context"
	"errors"
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
func Rejudge(ctx context.Context, ev gate.Evaluator, res *gate.Result, sha string, paths []string, o gate.RunOptions) (judged *gate.Result, walked *gate.Walked, differences []string, err error) {
	if len(paths) == 0 {
		// The result is untrusted: it may leave a report out. What is
		// judged is what the publishing workflow names.
		return nil, nil, nil, errors.New("judging the result again: name the report folders (PATH) the workflow judges; the result alone cannot say which reports there are")
	}
	names := slices.Clone(paths)
	seen := make(map[string]bool, len(paths))
	for _, p := range paths {
		seen[p] = true
	}
	for _, r := range res.Reports {
		for _, f := range []string{r.File, r.Twin} {
			// Only relative paths in the repository: the result is
			// untrusted, and names nothing else.
			if p := ghref.RepoPath(f, "", ""); p != "" && !seen[p] {
				seen[p] = true
				names = append(names, p)
			}
		}
	}
	snap, err := gitfs.Take(ctx, ".", sha, proposal.Footprint(names))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("judging the result again at its commit (fetch it first: git fetch origin %s): %w", sha, err)
	}
	o.Paths, o.Walk.FS = names, snap.FS
	judged, walked = gate.Run(ctx, ev, o)
	judged.Subject = res.Subject
	return judged, walked, gate.Compare(res, judged), nil
}
