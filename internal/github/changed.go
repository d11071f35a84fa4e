package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/gitfs"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// maxPRFiles is the most files GitHub lists for a pull request: a list
// that long may be cut short.
const maxPRFiles = 3000

// ChangedFiles lists the files pull request pr adds or modifies (renamed
// and copied files by their new path; removed files not at all), from
// every page of its file list. It fails rather than return a list GitHub
// may have cut short: a report left out would not be checked.
func (c *Client) ChangedFiles(ctx context.Context, pr int) ([]string, error) {
	files, err := listAll(ctx, "pull request files", func(ctx context.Context, o gh.ListOptions) ([]*gh.CommitFile, *gh.Response, error) {
		return c.gh.PullRequests.ListFiles(ctx, c.ctx.Owner, c.ctx.Repo, pr, &o)
	})
	if err != nil {
		return nil, c.redact.Error(err)
	}
	if len(files) >= maxPRFiles {
		return nil, fmt.Errorf("pull request #%d changes %d files or more, and GitHub lists no more than %d: check without --changed, or with git", pr, maxPRFiles, maxPRFiles)
	}
	var out []string
	for _, f := range files {
		if f.GetStatus() == "removed" || f.GetFilename() == "" {
			continue
		}
		out = append(out, f.GetFilename())
	}
	return out, nil
}

// ErrNoPullRequest is Changed's error outside a pull request.
var ErrNoPullRequest = errors.New("--changed needs a pull request: a token (GITHUB_TOKEN) and its number, or its base branch for git diff")

// ChangedOptions tune Changed.
type ChangedOptions struct {
	Client  ClientOptions
	Timeout time.Duration
	// Head is the commit whose changes git diff lists; HEAD when empty
	// (check --reports-ref reads the reports at another commit).
	Head string
}

// ChangedReports are the reports a pull request adds or modifies.
type ChangedReports struct {
	// Keep keeps the units whose files the pull request changed (standard
	// input is always kept).
	Keep func(proposal.Unit) bool
	// Source says where the list came from.
	Source string
	// Files are the changed files with a report's extension, absolute.
	Files []string
}

// Changed selects the reports a pull request adds or modifies: from its
// file list when the context has a token and a pull request (and cerr,
// the context's error, is nil), else from git diff BASE...HEAD in the
// working folder, BASE being the event's base commit or origin/BASE_REF.
// Both name files from the top of the repository that holds the working
// folder — not from GITHUB_WORKSPACE, which a checkout into a subfolder
// leaves above it.
func Changed(ctx context.Context, c Context, cerr error, o ChangedOptions) (*ChangedReports, error) {
	var files []string
	cr := &ChangedReports{}
	var err error
	if cerr == nil && c.Token != "" && c.PR > 0 {
		client, err := NewClient(c, o.Client)
		if err != nil {
			return nil, err
		}
		tctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		if files, err = client.ChangedFiles(tctx, c.PR); err != nil {
			return nil, fmt.Errorf("--changed: %w", err)
		}
		cr.Source = fmt.Sprintf("pull request #%d", c.PR)
	} else {
		base := c.BaseSHA
		if base == "" && c.BaseRef != "" {
			base = "origin/" + c.BaseRef
		}
		if base == "" {
			return nil, ErrNoPullRequest
		}
		head := cmp.Or(o.Head, "HEAD")
		if files, err = gitfs.ChangedBetween(ctx, ".", base, head); err != nil {
			return nil, fmt.Errorf("--changed: git diff %s...%s: %w", base, head, err)
		}
		cr.Source = "git diff " + base + "..." + head
	}
	root, err := gitfs.TopLevel(ctx, ".")
	if err != nil {
		return nil, fmt.Errorf("--changed: the repository's top level: %w", err)
	}
	changed := map[string]bool{}
	for _, p := range files {
		abs := filepath.Join(root, filepath.FromSlash(p))
		changed[abs] = true
		if proposal.FormOf(p) != "" {
			cr.Files = append(cr.Files, abs)
		}
	}
	isChanged := func(p string) bool {
		if p == "" {
			return false
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return false
		}
		if changed[abs] {
			return true
		}
		// The root may be reached through a symbolic link.
		real, err := filepath.EvalSymlinks(abs)
		return err == nil && changed[real]
	}
	cr.Keep = func(u proposal.Unit) bool {
		return u.Path == proposal.Stdin || isChanged(u.Path) || isChanged(u.Twin)
	}
	return cr, nil
}

// Account records in res what the selection did — a line for the person
// who runs fsar, and the Unjudged error, if any, as an error of the run —
// given what the walk of paths found.
func (cr *ChangedReports) Account(res *gate.Result, w *gate.Walked, paths []string) string {
	if err := cr.Unjudged(paths, w.Kept); err != nil {
		res.AddProblem(gate.Problem{Message: err.Error()})
	}
	return fmt.Sprintf("--changed: %d of %d reports changed (%s)", w.Kept, w.Units, cr.Source)
}

// Unjudged is an error when the pull request changes report files under
// paths (the command's files and folders) but none of them was judged
// (judged is the number of units kept): a gate that found nothing to
// judge where the pull request changed reports must not pass.
func (cr *ChangedReports) Unjudged(paths []string, judged int) error {
	if judged > 0 {
		return nil
	}
	var under []string
	for _, f := range cr.Files {
		for _, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				continue
			}
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			if rel, err := filepath.Rel(abs, f); err == nil && (rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))) {
				under = append(under, f)
				break
			}
		}
	}
	if len(under) == 0 {
		return nil
	}
	return fmt.Errorf("--changed: the pull request (%s) changes %d report files under %s, but none of them was judged, for example %s",
		cr.Source, len(under), strings.Join(paths, ", "), under[0])
}
