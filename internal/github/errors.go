package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// ErrReadOnly is a write refused because the token may not write: the
// read-only token of a pull request from a fork, or a workflow without the
// permission.
var ErrReadOnly = errors.New("the token may not write to this repository (a pull request from a fork gets a read-only token)")

// ErrNoToken is publishing without a token.
var ErrNoToken = errors.New("no GitHub token (set GITHUB_TOKEN)")

// StaleError refuses to publish a result for a commit that is no longer
// the pull request's head.
type StaleError struct {
	PR          int
	ResultSHA   string
	CurrentHead string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("refusing to publish: the result is for commit %s, but the head of pull request #%d is now %s", short(e.ResultSHA), e.PR, short(e.CurrentHead))
}

// ModeError is a posting mode that failed.
type ModeError struct {
	Mode string
	Err  error
}

func (e *ModeError) Error() string { return e.Mode + ": " + e.Err.Error() }
func (e *ModeError) Unwrap() error { return e.Err }

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// statusOf returns the HTTP status of an API error, or 0.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// IsUncertain tells whether err leaves unknown whether a request was
// applied: no answer came, or a server error (which GitHub sometimes
// returns after applying a request).
func IsUncertain(err error) bool {
	var ue *UncertainError
	if errors.As(err, &ue) {
		return true
	}
	return statusOf(err) >= 500
}

// writeError classifies the error of a write: a refusal (403) is
// ErrReadOnly. Rate limits never get here: the transport waits them out.
func writeError(err error) error {
	if statusOf(err) == http.StatusForbidden {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// redactor takes secrets out of text: the token, raw and URL-escaped.
type redactor struct{ secrets []string }

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r.secrets = append(r.secrets, s)
		if q := url.QueryEscape(s); q != s {
			r.secrets = append(r.secrets, q)
		}
	}
	return r
}

func (r *redactor) String(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

// Error returns err with the secrets taken out of its text. The original
// stays reachable by errors.Is and errors.As for its kind, not printed.
func (r *redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := r.String(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

func (r *redactor) Logf(logf func(string, ...any)) func(string, ...any) {
	if logf == nil {
		return nil
	}
	return func(format string, args ...any) { logf("%s", r.String(fmt.Sprintf(format, args...))) }
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// canceled tells whether err is the end of the caller's context.
func canceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
