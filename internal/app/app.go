// Package app does the work of fsar's commands. Given a command's options,
// checked and parsed by internal/cli, a run function reads, judges, writes
// and publishes through the packages below it, and ends with an error that
// carries the exit status (see exit.go). It knows nothing of flags.
package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/iostreams"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Factory holds what runs need from the world, so that tests can replace
// it field by field. Every command's options embed it.
type Factory struct {
	IO     *iostreams.IOStreams
	Now    func() time.Time
	Getenv func(string) string
	// Actions is the GitHub Actions environment, read from Getenv on
	// first use and then kept (see actions.Load for the error).
	Actions func() (*actions.Env, error)
	// HTTPClient fetches --bundle URLs; nil is a default client (tests
	// give one that trusts their loopback TLS server).
	HTTPClient *http.Client
}

// Warn prints a warning on standard error.
func (f *Factory) Warn(msg string) { fmt.Fprintf(f.IO.ErrOut, "fsar: warning: %s\n", msg) }

// Judge is what a run that judges reports needs beside the reports: the
// policies, the evaluation time and the limits of what the readers accept.
type Judge struct {
	Policy policy.Selection
	Now    time.Time
	Limits proposal.Limits
}

// LoadEngine opens the selection and compiles its policies, once.
func LoadEngine(ctx context.Context, sel policy.Selection, now time.Time) (*policy.Selected, *policy.Engine, error) {
	selected, err := sel.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	engine, err := selected.Load(ctx, now)
	return selected, engine, err
}

// A run over many reports shows its progress on a terminal once it has
// run for progressDelay, refreshed every progressInterval.
const (
	progressDelay    = time.Second
	progressInterval = 250 * time.Millisecond
)
