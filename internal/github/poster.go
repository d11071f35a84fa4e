package github

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Poster posts a publication in one place. Posting again with the same
// publication changes nothing; with a new one, it updates what the last
// posting left instead of adding to it.
type Poster interface {
	// Mode names the place: comment, check or status.
	Mode() string
	Post(ctx context.Context, p *Publication) error
}

// Modes are the posting modes, in the order they are posted.
var Modes = []string{"comment", "check", "status"}

// ParseModes reads a comma-separated list of modes ("comment,check").
func ParseModes(s string) ([]string, error) {
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if !slices.Contains(Modes, m) {
			return nil, fmt.Errorf("unknown posting mode %q (want any of %s)", m, strings.Join(Modes, ", "))
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Modes, a) - slices.Index(Modes, b) })
	return out, nil
}

// Fanout posts to each of its posters in turn. A poster's failure does not
// stop the others (a token may write checks and not comments); its error
// joins a *ModeError for each poster that failed.
type Fanout []Poster

// Mode implements Poster.
func (f Fanout) Mode() string {
	names := make([]string, len(f))
	for i, p := range f {
		names[i] = p.Mode()
	}
	return strings.Join(names, ",")
}

// Post implements Poster.
func (f Fanout) Post(ctx context.Context, p *Publication) error {
	var errs []error
	for _, poster := range f {
		if err := poster.Post(ctx, p); err != nil {
			errs = append(errs, &ModeError{Mode: poster.Mode(), Err: err})
		}
	}
	return errors.Join(errs...)
}

var (
	_ Poster = Fanout(nil)
	_ Poster = (*CommentPoster)(nil)
	_ Poster = (*CheckPoster)(nil)
	_ Poster = (*StatusPoster)(nil)
)
