package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestSizedBuiltinsRefused: the built-ins whose result's size is an
// argument are refused at compile time, by Load and by Test, with
// file:line and the reason.
func TestSizedBuiltinsRefused(t *testing.T) {
	for call, name := range map[string]string{
		"count(numbers.range(1, 1e8))":                       "numbers.range",
		"count(numbers.range_step(1, 1e12, 2))":              "numbers.range_step",
		`count(net.cidr_expand("10.0.0.0/4"))`:               "net.cidr_expand",
		"bits.lsh(1, 1e12)":                                  "bits.lsh",
		`count(strings.render_template("{{.a}}", {"a": 1}))`: "strings.render_template",
		`count(graph.reachable_paths({"a": ["b"]}, ["a"]))`:  "graph.reachable_paths",
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{"x.rego": regoSrc(
				"package fsar.x",
				"",
				"deny contains {\"msg\": \"m\"} if {",
				"\tinput.severity > 1",
				"\t"+call+" > 1",
				"}",
			)}
			_, err := Load(t.Context(), optsFor(files))
			want := []string{"policies/x.rego:5:", "undefined function " + name, "not available to fsar policies", "size"}
			if name == "strings.render_template" || name == "graph.reachable_paths" {
				want[3] = "cannot be stopped"
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load: %T %v, want a *LoadError", err, err)
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load: %q does not say %q", err, w)
				}
			}
			files["x_test.rego"] = "package fsar.x_test\n\ntest_x if data.fsar.x.deny\n"
			_, err = Test(t.Context(), TestOptions{Sources: []Source{{Name: "policies", FS: memFS(files)}}})
			if !errors.As(err, &le) || !strings.Contains(err.Error(), "policies/x.rego:5:") {
				t.Errorf("Test: %v, want the same *LoadError", err)
			}
		})
	}
}
