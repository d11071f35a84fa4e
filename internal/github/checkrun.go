package github

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	gh "github.com/google/go-github/v62/github"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/ghref"
)

// DefaultCheckName is the check run's name.
const DefaultCheckName = "fsar"

// checkExternalID marks fsar's check runs.
const checkExternalID = "fsar"

// CheckPoster keeps one check run on the head commit: its conclusion
// maps the verdict, its summary is the markdown report, and its
// annotations sit at the report lines, sent 50 a request. GitHub appends
// the annotations of each update and cannot take one back, so the poster
// lists what the run already has before it sends more: every annotation
// is posted exactly once, also when a request is retried or its answer
// lost. A run of the same name whose annotations are not all wanted any
// more (the verdict changed) is left as it is and a new run made.
type CheckPoster struct {
	Client *Client
	// Name is the check run's name; DefaultCheckName when empty.
	Name string
	// Now gives completed_at; the client's clock when nil.
	Now func() gh.Timestamp
}

// Mode implements Poster.
func (*CheckPoster) Mode() string { return "check" }

func (cp *CheckPoster) name() string { return cmp.Or(cp.Name, DefaultCheckName) }

// checkRun is fsar's check run as it stands.
type checkRun struct {
	id          int64
	conclusion  string
	title       string
	summary     string
	detailsURL  string
	annotations map[string]int // key → how many
}

// Post implements Poster.
func (cp *CheckPoster) Post(ctx context.Context, p *Publication) error {
	c := cp.Client
	if !ghref.ValidSHA(p.HeadSHA) {
		return fmt.Errorf("no head commit to put a check run on")
	}
	summary := cutBytes(p.Body, SummaryLimit, "*(cut: the report is longer than a check run's summary may be; the job's log has all of it)*")
	if summary == "" {
		summary = escape.Markdown(p.Title, 0)
	}
	if p.Dropped > 0 {
		note := fmt.Sprintf("\n\n*%d more annotations left out.*", p.Dropped)
		summary = cutBytes(summary, SummaryLimit-len(note), "*(cut)*") + note
	}
	ttl := cutRunes(p.Title, TitleLimit)
	want := map[string]int{}
	for _, a := range p.Annotations {
		want[a.key()]++
	}
	err := c.reconcile(ctx, "check run", func(ctx context.Context) error {
		run, err := cp.find(ctx, p.HeadSHA, want)
		if err != nil {
			return err
		}
		// The annotations still to send, in the publication's order.
		have := map[string]int{}
		if run != nil {
			have = run.annotations
		}
		var missing []*gh.CheckRunAnnotation
		seen := map[string]int{}
		for _, a := range p.Annotations {
			k := a.key()
			seen[k]++
			if seen[k] > have[k] {
				missing = append(missing, toGH(a))
			}
		}
		output := func(batch []*gh.CheckRunAnnotation) *gh.CheckRunOutput {
			return &gh.CheckRunOutput{Title: gh.String(ttl), Summary: gh.String(summary), Annotations: batch}
		}
		var details *string
		if p.DetailsURL != "" {
			details = gh.String(p.DetailsURL)
		}
		if run == nil {
			batch := missing[:min(len(missing), AnnotationsPerRequest)]
			created, _, err := c.gh.Checks.CreateCheckRun(ctx, c.ctx.Owner, c.ctx.Repo, gh.CreateCheckRunOptions{
				Name: cp.name(), HeadSHA: p.HeadSHA, DetailsURL: details, ExternalID: gh.String(checkExternalID),
				Status: gh.String("completed"), Conclusion: gh.String(p.Conclusion), CompletedAt: cp.now(),
				Output: output(batch),
			})
			if err != nil {
				return writeError(err)
			}
			c.log("check run %d created with %d annotations", created.GetID(), len(batch))
			run = &checkRun{id: created.GetID(), conclusion: p.Conclusion, title: ttl, summary: summary, detailsURL: p.DetailsURL}
			missing = missing[len(batch):]
		}
		for len(missing) > 0 {
			batch := missing[:min(len(missing), AnnotationsPerRequest)]
			// Appending is not safe to repeat blindly: after a failure,
			// the annotations are listed again.
			if err := cp.update(withRetry(ctx, retryUnsafe), run.id, p, details, output(batch)); err != nil {
				return err
			}
			c.log("check run %d: %d annotations added", run.id, len(batch))
			run.conclusion, run.title, run.summary, run.detailsURL = p.Conclusion, ttl, summary, p.DetailsURL
			missing = missing[len(batch):]
		}
		if run.conclusion == p.Conclusion && run.title == ttl && run.summary == summary && (p.DetailsURL == "" || run.detailsURL == p.DetailsURL) {
			return nil
		}
		if err := cp.update(ctx, run.id, p, details, output(nil)); err != nil {
			return err
		}
		c.log("check run %d updated", run.id)
		return nil
	})
	return c.redact.Error(err)
}

func (cp *CheckPoster) now() *gh.Timestamp {
	if cp.Now != nil {
		t := cp.Now()
		return &t
	}
	return &gh.Timestamp{Time: cp.Client.clock.Now().UTC().Truncate(1e9)}
}

func (cp *CheckPoster) update(ctx context.Context, id int64, p *Publication, details *string, out *gh.CheckRunOutput) error {
	c := cp.Client
	_, _, err := c.gh.Checks.UpdateCheckRun(ctx, c.ctx.Owner, c.ctx.Repo, id, gh.UpdateCheckRunOptions{
		Name: cp.name(), DetailsURL: details, ExternalID: gh.String(checkExternalID),
		Status: gh.String("completed"), Conclusion: gh.String(p.Conclusion), CompletedAt: cp.now(),
		Output: out,
	})
	return writeError(err)
}

// find returns fsar's newest check run of this name on sha whose
// annotations are all wanted, with them, or nil when there is none.
func (cp *CheckPoster) find(ctx context.Context, sha string, want map[string]int) (*checkRun, error) {
	c := cp.Client
	name := cp.name()
	runs, err := listAll(ctx, "check runs", func(ctx context.Context, o gh.ListOptions) ([]*gh.CheckRun, *gh.Response, error) {
		res, resp, err := c.gh.Checks.ListCheckRunsForRef(ctx, c.ctx.Owner, c.ctx.Repo, sha, &gh.ListCheckRunsOptions{
			CheckName: gh.String(name), Filter: gh.String("all"), ListOptions: o,
		})
		if err != nil {
			return nil, resp, err
		}
		return res.CheckRuns, resp, nil
	})
	if err != nil {
		return nil, err
	}
	runs = slices.DeleteFunc(runs, func(r *gh.CheckRun) bool {
		return r.GetName() != name || r.GetExternalID() != checkExternalID || r.GetHeadSHA() != sha
	})
	slices.SortFunc(runs, func(a, b *gh.CheckRun) int { return cmp.Compare(b.GetID(), a.GetID()) })
	for _, r := range runs {
		have := map[string]int{}
		if r.GetOutput().GetAnnotationsCount() > 0 {
			anns, err := listAll(ctx, "annotations", func(ctx context.Context, o gh.ListOptions) ([]*gh.CheckRunAnnotation, *gh.Response, error) {
				return c.gh.Checks.ListCheckRunAnnotations(ctx, c.ctx.Owner, c.ctx.Repo, r.GetID(), &o)
			})
			if err != nil {
				return nil, err
			}
			for _, a := range anns {
				have[fromGH(a).key()]++
			}
		}
		subset := true
		for k, n := range have {
			if n > want[k] {
				subset = false
				break
			}
		}
		if !subset {
			c.log("check run %d has annotations this verdict does not: a new run is made", r.GetID())
			continue
		}
		return &checkRun{
			id: r.GetID(), conclusion: r.GetConclusion(), title: r.GetOutput().GetTitle(),
			summary: r.GetOutput().GetSummary(), detailsURL: r.GetDetailsURL(), annotations: have,
		}, nil
	}
	return nil, nil
}

func toGH(a Annotation) *gh.CheckRunAnnotation {
	return &gh.CheckRunAnnotation{
		Path: gh.String(a.Path), StartLine: gh.Int(a.StartLine), EndLine: gh.Int(a.EndLine),
		AnnotationLevel: gh.String(a.Level), Title: gh.String(a.Title), Message: gh.String(a.Message),
	}
}

func fromGH(a *gh.CheckRunAnnotation) Annotation {
	return Annotation{
		Path: a.GetPath(), StartLine: a.GetStartLine(), EndLine: a.GetEndLine(),
		Level: a.GetAnnotationLevel(), Title: a.GetTitle(), Message: a.GetMessage(),
	}
}
