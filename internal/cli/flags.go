package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/output"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// judgeFlags are the flags of a command that judges reports: the
// policies, the evaluation time and the largest report to read.
type judgeFlags struct {
	Policy  policy.Selection
	Now     string
	MaxSize string
	now     time.Time
	limits  proposal.Limits
}

func (j *judgeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&j.Now, "now", "", "evaluation time, RFC 3339 (default: the current time)")
	registerLimitFlags(cmd, &j.MaxSize, &j.limits)
	registerPolicyFlags(cmd, &j.Policy)
}

// registerLimitFlags adds --max-size and --max-items, the limits of what
// the readers accept.
func registerLimitFlags(cmd *cobra.Command, maxSize *string, lim *proposal.Limits) {
	cmd.Flags().StringVar(maxSize, "max-size", "10MiB", "largest report file to read (bytes, or with KiB, MiB, GiB); also the most a YAML report may expand to")
	cmd.Flags().IntVar(&lim.MaxItems, "max-items", proposal.DefaultMaxItems, "most risks, and most mitigations, one report may list")
}

// parseLimits reads --max-size and checks --max-items.
func parseLimits(maxSize string, lim *proposal.Limits) (err error) {
	if lim.MaxBytes, err = proposal.ParseSize(maxSize); err != nil {
		return usagef("--max-size: %v", err)
	}
	if lim.MaxItems < 1 {
		return usagef("--max-items %d: expected 1 or more", lim.MaxItems)
	}
	return nil
}

// parse reads --now (or the clock) and the limits.
func (j *judgeFlags) parse(clock func() time.Time) (err error) {
	if j.now, err = parseNow(clock, j.Now); err != nil {
		return err
	}
	return parseLimits(j.MaxSize, &j.limits)
}

// registerPolicyFlags adds the flags that choose policies, data and
// configuration, shared by every command that evaluates policies.
func registerPolicyFlags(cmd *cobra.Command, p *policy.Selection) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&p.Policies, "policy", "p", nil, "folder of Rego policies to add to the default bundle (repeatable)")
	fl.StringArrayVarP(&p.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
	fl.StringVarP(&p.Config, "config", "c", "", "configuration file, read as data.fsar.config (default .fsar.yaml when it exists)")
	fl.BoolVar(&p.NoDefault, "no-default-policies", false, "use only the --policy folders, not the bundled default policies")
	fl.StringVar(&p.Ref, "policy-ref", "", "read --policy, --config and --data as they are at this git revision (e.g. origin/main), not in the working tree")
}

// loadEngine opens the selection and compiles its policies, once.
func loadEngine(ctx context.Context, sel policy.Selection, now time.Time) (*policy.Selected, *policy.Engine, error) {
	selected, err := sel.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	engine, err := selected.Load(ctx, now)
	return selected, engine, err
}

// outputFlags are --format, --output and --summary, as check, sweep and
// sweep merge have them, and the plan they make.
type outputFlags struct {
	output.Flags
	summary bool
	plan    *output.Plan
}

func (o *outputFlags) register(cmd *cobra.Command, formats []string, example, summary string) {
	fl := cmd.Flags()
	fl.StringVarP(&o.Format, "format", "o", "text", "format of standard output: "+strings.Join(formats, ", "))
	fl.StringArrayVar(&o.Outputs, "output", nil, "also write the result as FORMAT to PATH: FORMAT=PATH, e.g. "+example+" (repeatable)")
	fl.BoolVar(&o.summary, "summary", false, "append the markdown "+summary+" to $GITHUB_STEP_SUMMARY (default: on when it is set)")
}

// makePlan checks the flags against the formats valid knows and the
// Actions environment.
func (o *outputFlags) makePlan(cmd *cobra.Command, f *Factory, valid func(string) error, example string) (err error) {
	if cmd.Flags().Changed("summary") {
		o.Summary = &o.summary
	}
	env, _ := f.Actions()
	if o.plan, err = output.NewPlan(o.Flags, valid, example, env); err != nil {
		return &usageError{err: err}
	}
	return nil
}
