package cli

import (
	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
)

func newConfigCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration (.fsar.yaml) and its waivers",
	}
	cmd.AddCommand(newConfigCheckCmd(f))
	return cmd
}

func newConfigCheckCmd(f *Factory) *cobra.Command {
	var j app.Judge
	var now string
	cmd := &cobra.Command{
		Use:   "check [FILE]",
		Short: "Validate a configuration without judging anything",
		Long: `Validate a configuration file (by default .fsar.yaml) as 'fsar check' reads
it, with the same policies: every key known (fsar's own, or declared by a
policy's METADATA), every value of its type, every waiver complete, for a
rule that exists and may be waived, and expiring at most max_waiver_days
after --now. Judges no report.

Exit status: 0 when the configuration is valid; 2, with file:line:column and
what was expected, when it is not.`,
		Example: `  fsar config check
  fsar config check --policy ./policy --waivers waivers.yaml ci/fsar.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("config check takes at most one FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if j.Policy.Config != "" {
					return usagef("name the configuration once: FILE or --config")
				}
				j.Policy.Config = args[0]
			}
			var err error
			if j.Now, err = parseNow(f.Now, now); err != nil {
				return err
			}
			return app.ConfigCheck(cmd.Context(), f, j)
		},
	}
	cmd.Flags().StringVar(&now, "now", "", "the day waivers are checked against, RFC 3339 (default: the current time)")
	registerPolicyFlags(cmd, &j.Policy)
	return cmd
}
