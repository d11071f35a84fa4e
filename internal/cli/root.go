// Package cli holds fsar's commands: their help, their flags and the
// checks of those flags. Each command fills its options in package app,
// which does the work and says how it ended; Run maps that onto the exit
// status.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/app"
	"github.com/fsar-gate/fsar/internal/buildinfo"
	"github.com/fsar-gate/fsar/internal/iostreams"
)

// Factory holds what commands need from the world (see app.Factory).
type Factory = app.Factory

// Main runs fsar with args and returns its exit status.
func Main(ctx context.Context, args []string, streams *iostreams.IOStreams) int {
	return Run(ctx, &Factory{IO: streams, Now: time.Now, Getenv: os.Getenv}, args)
}

// Run runs fsar with a given factory.
func Run(ctx context.Context, f *Factory, args []string) int {
	if f.Getenv == nil {
		f.Getenv = func(string) string { return "" }
	}
	if f.Actions == nil {
		getenv := f.Getenv
		f.Actions = sync.OnceValues(func() (*actions.Env, error) { return actions.Load(getenv, actions.ReadFile) })
	}
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	if err != nil {
		var se *app.StatusError
		if !errors.As(err, &se) || se.Err != nil {
			fmt.Fprintf(f.IO.ErrOut, "fsar: %v\n", err)
		}
		var ue *app.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(f.IO.ErrOut, "Run 'fsar --help' for usage.\n")
		}
	}
	return app.ExitCode(err)
}

// NewRootCmd builds the fsar command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "fsar",
		Short: "Gate FSAR proposal reports with policies as code",
		Long: `fsar reads FSAR (Future-State Adversarial Retrospection) proposal reports,
in the generator's markdown and JSON forms or as hand-written YAML, and
judges them with Rego policies: deny blocks, review needs a human, warn
advises.

Exit status: 0 when nothing fails the gate, 1 when a report does, 2 on any
usage, read, policy or evaluation error, 3 when --publish-required was given
and the verdict could not be published.`,
		Version:       buildinfo.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(newParseCmd(f), newCheckCmd(f), newPolicyCmd(f), newVersionCmd(f), newSweepCmd(f), newPublishCmd(f), newVerifyCmd(f), newConfigCmd(f))
	return root
}
