package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/app"
	"github.com/fsar-gate/fsar/internal/output"
	"github.com/fsar-gate/fsar/internal/policy"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// registerJudgeFlags adds the flags of a command that judges reports:
// the policies, the evaluation time (--now, read by parseJudge) and the
// limits of what the readers accept.
func registerJudgeFlags(cmd *cobra.Command, j *app.Judge, now *string) {
	cmd.Flags().StringVar(now, "now", "", "evaluation time, RFC 3339 (default: the current time)")
	registerLimitFlags(cmd, &j.Limits)
	registerPolicyFlags(cmd, &j.Policy)
}

// registerLimitFlags adds --max-size and --max-items, the limits of what
// the readers accept.
func registerLimitFlags(cmd *cobra.Command, lim *proposal.Limits) {
	lim.MaxBytes = proposal.DefaultMaxBytes
	cmd.Flags().Var((*sizeFlag)(&lim.MaxBytes), "max-size", "largest report file to read (bytes, or with KiB, MiB, GiB); also the most a YAML report may expand to")
	cmd.Flags().IntVar(&lim.MaxItems, "max-items", proposal.DefaultMaxItems, "most risks, most mitigations and most markers one report may hold (0: the default)")
}

// parseJudge reads --now, or takes the clock, and checks the bundle flags.
func parseJudge(cmd *cobra.Command, f *Factory, j *app.Judge, now string) (err error) {
	if j.Now, err = parseNow(f.Now, now); err != nil {
		return err
	}
	return checkPolicyFlags(cmd, f, &j.Policy)
}

// sizeFlag is a flag that holds a byte count, given as 1048576, 512KiB or
// 10MiB (proposal.ParseSize).
type sizeFlag int64

func (s *sizeFlag) String() string { return proposal.FormatSize(int64(*s)) }
func (s *sizeFlag) Type() string   { return "size" }
func (s *sizeFlag) Set(v string) error {
	n, err := proposal.ParseSize(v)
	*s = sizeFlag(n)
	return err
}

// registerPolicyFlags adds the flags that choose policies, data and
// configuration, shared by every command that evaluates policies.
func registerPolicyFlags(cmd *cobra.Command, p *policy.Selection) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&p.Policies, "policy", "p", nil, "folder of Rego policies to add to the default bundle (repeatable)")
	fl.StringArrayVarP(&p.Data, "data", "d", nil, "JSON or YAML document to merge into data (repeatable)")
	fl.StringVarP(&p.Config, "config", "c", "", "configuration file, read as data.fsar.config (default .fsar.yaml when it exists)")
	fl.StringVar(&p.Waivers, "waivers", "", "YAML file of waivers (waivers: [...]), beside those in the configuration; read at --policy-ref too")
	fl.BoolVar(&p.NoDefault, "no-default-policies", false, "use only the --policy folders, not the bundled default policies")
	fl.StringVar(&p.Ref, "policy-ref", "", "read --policy, --config, --data, --bundle files and --verification-key as they are at this git revision (e.g. origin/main), not in the working tree")
	fl.StringArrayVar(&p.Bundles, "bundle", nil, "OPA bundle to load beside the policies: a .tar.gz file, a folder or an https:// URL (repeatable)")
	fl.StringVar(&p.BundleKey.File, "verification-key", "", "PEM public key that every --bundle must be signed with (.signatures.json); unsigned or changed bundles are refused")
	fl.StringVar(&p.BundleKey.ID, "verification-key-id", "default", "key id the bundle signatures must name")
	fl.StringVar(&p.BundleKey.Scope, "scope", "", "scope the bundle signatures must name")
	registerEvalFlags(cmd, &p.Limits)
}

// checkPolicyFlags checks the bundle flags, and gives the selection the
// factory's HTTP client for the bundles named by URL.
func checkPolicyFlags(cmd *cobra.Command, f *Factory, p *policy.Selection) error {
	fl := cmd.Flags()
	if p.BundleKey.File == "" && (fl.Changed("verification-key-id") || fl.Changed("scope")) {
		return usagef("--verification-key-id and --scope need --verification-key")
	}
	if p.BundleKey.File != "" && len(p.Bundles) == 0 {
		return usagef("--verification-key needs a --bundle to verify")
	}
	p.HTTPClient = f.HTTPClient
	return nil
}

// registerEvalFlags adds the limits of one policy evaluation.
func registerEvalFlags(cmd *cobra.Command, l *policy.Limits) {
	l.EvalTimeout, l.MemoryLimit = policy.DefaultEvalTimeout, policy.DefaultMemoryLimit
	cmd.Flags().DurationVar(&l.EvalTimeout, "eval-timeout", l.EvalTimeout, "longest one evaluation may take (one report, one test); over it is an error")
	cmd.Flags().Var((*sizeFlag)(&l.MemoryLimit), "eval-memory", "most memory evaluations may take; over it the evaluations stop with an error")
}

// outputFlags are --format, --output and --summary, as check, sweep and
// sweep merge have them.
type outputFlags struct {
	output.Flags
	summary bool
}

func (o *outputFlags) register(cmd *cobra.Command, formats []string, example, summary string) {
	fl := cmd.Flags()
	fl.StringVarP(&o.Format, "format", "o", "text", "format of standard output: "+strings.Join(formats, ", "))
	fl.StringArrayVar(&o.Outputs, "output", nil, "also write the result as FORMAT to PATH: FORMAT=PATH, e.g. "+example+" (repeatable)")
	fl.BoolVar(&o.summary, "summary", false, "append the markdown "+summary+" to $GITHUB_STEP_SUMMARY (default: on when it is set)")
}

// makePlan checks the flags against the formats valid knows and the
// Actions environment.
func (o *outputFlags) makePlan(cmd *cobra.Command, f *Factory, valid func(string) error, example string) (*output.Plan, error) {
	if cmd.Flags().Changed("summary") {
		o.Summary = &o.summary
	}
	env, _ := f.Actions()
	plan, err := output.NewPlan(o.Flags, valid, example, env)
	if err != nil {
		return nil, usageErr(err)
	}
	return plan, nil
}
