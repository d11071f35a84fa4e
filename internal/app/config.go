package app

import (
	"context"
	"fmt"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
)

// ConfigCheck loads the configuration as check would, with the same
// policies, and lists what it sets and each waiver's state at j.Now.
func ConfigCheck(ctx context.Context, f *Factory, j Judge) error {
	_, engine, err := LoadEngine(ctx, j.Policy, j.Now)
	if err != nil {
		return err
	}
	cfg := engine.Config()
	if cfg.Name == "" && len(cfg.Waivers) == 0 {
		fmt.Fprintln(f.IO.Out, "ok: no configuration file (.fsar.yaml): every default")
		return nil
	}
	name := cfg.Name
	if name == "" {
		name = "no configuration file"
	}
	fmt.Fprintf(f.IO.Out, "ok: %s: %d %s set, %d %s\n", escape.Terminal(name),
		len(cfg.Values), plural(len(cfg.Values), "key", "keys"), len(cfg.Waivers), plural(len(cfg.Waivers), "waiver", "waivers"))
	for _, w := range cfg.Waivers {
		state := "holds"
		switch {
		case !w.HoldsAt(j.Now):
			state = "expired"
		case w.Until().Sub(j.Now) <= gate.ExpiringWithin:
			state = "expiring"
		}
		fmt.Fprintf(f.IO.Out, "  %-8s %s %s, approved by %s until %s (%s)\n", state, escape.Terminal(w.Rule),
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
