package github

import (
	"cmp"
	"context"
	"fmt"

	gh "github.com/google/go-github/v62/github"

	"github.com/fsar-gate/fsar/internal/ghref"
)

// DefaultStatusContext is the commit status's context.
const DefaultStatusContext = "fsar"

// StatusPoster sets a commit status on the head commit: success, failure
// or error, with the verdict as its description (at most 140
// characters). A status the same as the latest of its context is not
// sent again.
type StatusPoster struct {
	Client *Client
	// Context names the status; DefaultStatusContext when empty.
	Context string
}

// Mode implements Poster.
func (*StatusPoster) Mode() string { return "status" }

// Post implements Poster.
func (sp *StatusPoster) Post(ctx context.Context, p *Publication) error {
	c := sp.Client
	if !ghref.ValidSHA(p.HeadSHA) {
		return fmt.Errorf("no head commit to set a status on")
	}
	name := cmp.Or(sp.Context, DefaultStatusContext)
	desc := cutRunes(clean(p.Description), DescriptionLimit)
	// The statuses come newest first: the first of this context is the
	// one GitHub shows.
	latest, _, err := c.gh.Repositories.ListStatuses(ctx, c.ctx.Owner, c.ctx.Repo, p.HeadSHA, &gh.ListOptions{PerPage: 100})
	if err != nil {
		return c.redact.Error(fmt.Errorf("listing statuses: %w", err))
	}
	for _, s := range latest {
		if s.GetContext() != name {
			continue
		}
		if s.GetState() == p.State && s.GetDescription() == desc && s.GetTargetURL() == p.DetailsURL {
			c.log("status %s unchanged", name)
			return nil
		}
		break
	}
	st := &gh.RepoStatus{State: gh.String(p.State), Context: gh.String(name), Description: gh.String(desc)}
	if p.DetailsURL != "" {
		st.TargetURL = gh.String(p.DetailsURL)
	}
	// Setting the same status twice does no harm: safe to send again
	// when its answer is lost.
	if _, _, err := c.gh.Repositories.CreateStatus(withRetry(ctx, retrySafe), c.ctx.Owner, c.ctx.Repo, p.HeadSHA, st); err != nil {
		return c.redact.Error(writeError(err))
	}
	c.log("status %s set to %s", name, p.State)
	return nil
}
