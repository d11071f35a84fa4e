package github

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	gh "github.com/google/go-github/v62/github"

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
	// Root is the repository's root, that the changed paths are relative
	// to (GITHUB_WORKSPACE); when empty, git's top level, else the working
	// folder.
	Root string
}

// Changed selects the reports a pull request adds or modifies: from its
// file list when the context has a token and a pull request (and cerr,
// the context's error, is nil), else from git diff BASE...HEAD in the
// working folder, BASE being the event's base commit or origin/BASE_REF.
// It returns the filter of units (standard input is always kept) and
// where the list came from.
func Changed(ctx context.Context, c Context, cerr error, o ChangedOptions) (keep func(proposal.Unit) bool, source string, err error) {
	var files []string
	if cerr == nil && c.Token != "" && c.PR > 0 {
		client, err := NewClient(c, o.Client)
		if err != nil {
			return nil, "", err
		}
		tctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		if files, err = client.ChangedFiles(tctx, c.PR); err != nil {
			return nil, "", fmt.Errorf("--changed: %w", err)
		}
		source = fmt.Sprintf("pull request #%d", c.PR)
	} else {
		base := c.BaseSHA
		if base == "" && c.BaseRef != "" {
			base = "origin/" + c.BaseRef
		}
		if base == "" {
			return nil, "", ErrNoPullRequest
		}
		if files, err = gitfs.ChangedSince(ctx, ".", base); err != nil {
			return nil, "", fmt.Errorf("--changed: git diff %s...HEAD: %w", base, err)
		}
		source = "git diff " + base + "...HEAD"
	}
	root := o.Root
	if root == "" {
		if root, err = gitfs.TopLevel(ctx, "."); err != nil {
			if root, err = os.Getwd(); err != nil {
				return nil, "", err
			}
		}
	}
	changed := map[string]bool{}
	for _, p := range files {
		changed[filepath.Join(root, filepath.FromSlash(p))] = true
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
	return func(u proposal.Unit) bool {
		return u.Path == proposal.Stdin || isChanged(u.Path) || isChanged(u.Twin)
	}, source, nil
}
