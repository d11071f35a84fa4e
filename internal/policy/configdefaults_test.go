package policy

import (
	"encoding/json"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/internal/config"
	"github.com/fsar-gate/fsar/policies"
)

// TestConfigDefaultsAgree: the defaults the default policies fall back on
// (policies/fsar/lib/config/config.rego) are fsar's own (config.Core), which fsar
// checks a configuration against and documents.
func TestConfigDefaultsAgree(t *testing.T) {
	src, err := policies.FS.ReadFile("fsar/lib/config/config.rego")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ast.ParseModuleWithOpts("fsar/lib/config/config.rego", string(src), parserOptions())
	if err != nil {
		t.Fatal(err)
	}
	var rego map[string]any
	for _, r := range m.Rules {
		if r.Head.Name.String() == "defaults" {
			if err := json.Unmarshal([]byte(r.Head.Value.String()), &rego); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(rego) == 0 {
		t.Fatal("no defaults in fsar/lib/config/config.rego")
	}
	for _, k := range config.Core {
		if k.Type == config.WaiverList || k.Name == "max_waiver_days" {
			continue // fsar's, not the policies'
		}
		v, ok := rego[k.Name]
		if !ok {
			t.Errorf("%s: in config.Core, not in fsar/lib/config/config.rego's defaults", k.Name)
			continue
		}
		if want, _ := json.Marshal(k.Default); string(want) != jsonOf(v) {
			t.Errorf("%s: Go default %s, Rego default %s", k.Name, want, jsonOf(v))
		}
		delete(rego, k.Name)
	}
	for name := range rego {
		t.Errorf("%s: a default of fsar/lib/config/config.rego that config.Core does not know", name)
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }
