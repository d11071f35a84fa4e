package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

func newConfigCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration (.fsar.yaml) and its waivers",
	}
	cmd.AddCommand(newConfigCheckCmd(f))
	return cmd
}

type configCheckOptions struct {
	*Factory
	Policy policy.Selection
	Now    string
}

func newConfigCheckCmd(f *Factory) *cobra.Command {
	opts := &configCheckOptions{Factory: f}
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
				if opts.Policy.Config != "" {
					return usagef("name the configuration once: FILE or --config")
				}
				opts.Policy.Config = args[0]
			}
			now, err := parseNow(f.Now, opts.Now)
			if err != nil {
				return err
			}
			return configCheckRun(cmd.Context(), opts, now)
		},
	}
	cmd.Flags().StringVar(&opts.Now, "now", "", "the day waivers are checked against, RFC 3339 (default: the current time)")
	registerPolicyFlags(cmd, &opts.Policy)
	return cmd
}

func configCheckRun(ctx context.Context, opts *configCheckOptions, now time.Time) error {
	_, engine, err := loadEngine(ctx, opts.Policy, now)
	if err != nil {
		return err
	}
	cfg := engine.Config()
	if cfg.Name == "" && len(cfg.Waivers) == 0 {
		fmt.Fprintln(opts.IO.Out, "ok: no configuration file (.fsar.yaml): every default")
		return nil
	}
	name := cfg.Name
	if name == "" {
		name = "no configuration file"
	}
	fmt.Fprintf(opts.IO.Out, "ok: %s: %d %s set, %d %s\n", escape.Terminal(name),
		len(cfg.Values), plural(len(cfg.Values), "key", "keys"), len(cfg.Waivers), plural(len(cfg.Waivers), "waiver", "waivers"))
	for _, w := range cfg.Waivers {
		state := "holds"
		switch {
		case !w.HoldsAt(now):
			state = "expired"
		case w.Until().Sub(now) <= gate.ExpiringWithin:
			state = "expiring"
		}
		fmt.Fprintf(opts.IO.Out, "  %-8s %s %s, approved by %s until %s (%s)\n", state, escape.Terminal(w.Rule),
			escape.Terminal(fmt.Sprint(w.Reports)), escape.Terminal(w.ApprovedBy), w.Expires, escape.Terminal(w.Source))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
