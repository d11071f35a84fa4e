package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/fsar-gate/fsar/internal/policy"
)

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
	if sel.NoDefault && len(sel.Policies) == 0 {
		return nil, nil, usagef("--no-default-policies needs at least one --policy folder")
	}
	selected, err := sel.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	engine, err := selected.Load(ctx, now)
	return selected, engine, err
}
