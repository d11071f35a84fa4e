package cli

import (
	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/buildinfo"
)

func newVersionCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the versions of fsar, its commit, OPA and Go",
		Example: `  fsar version
  fsar version --json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return buildinfo.Current().Write(f.IO.Out, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the versions as JSON")
	return cmd
}
