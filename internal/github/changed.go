package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v62/github"
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
