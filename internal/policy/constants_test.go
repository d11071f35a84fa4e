package policy

import (
	"reflect"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// constantNames compiles the policies (not their tests) and lists the
// paths Load precomputes.
func constantNames(t *testing.T, src Source, config map[string]any) []string {
	t.Helper()
	c, _ := compilePolicies(t, src, config)
	var names []string
	for _, p := range constantPaths(c) {
		names = append(names, p.String())
	}
	return names
}

func TestConstantPaths(t *testing.T) {
	got := constantNames(t, Source{Name: "policies", FS: memFS(map[string]string{
		"a.rego": regoSrc(
			"package fsar.a",
			"",
			"limit := n if {",
			"	n := data.fsar.config.limit",
			"	is_number(n)",
			"} else := 10",
			"",
			"today := time.format(time.now_ns())",
			"",
			"words := {w | some w in [\"a\", \"b\"]}",
			"",
			"uses_limit := limit * 2",
			"",
			"sev := input.severity",
			"",
			"through_rule := sev + 1",
			"",
			"through_function := f(1)",
			"",
			"f(x) := x + input.severity",
			"",
			"pure_function := g(1)",
			"",
			"g(x) := x + limit",
			"",
			"replaced := x if {",
			"	x := limit with data.fsar.config.limit as 3",
			"}",
			"",
			"dynamic := [v | some k; v := data.fsar.b[k]]",
			"",
			"# an error is left to every evaluation",
			"broken := 1 / 0",
			"",
			"deny contains {\"msg\": \"m\"} if input.severity > limit",
		),
		"b.rego": regoSrc(
			"package fsar.b",
			"",
			"one := 1",
			"",
			"two := input.two",
		),
	})}, map[string]any{"limit": 20})
	want := []string{
		"data.fsar.a.broken",
		"data.fsar.a.limit",
		"data.fsar.a.pure_function",
		"data.fsar.a.today",
		"data.fsar.a.uses_limit",
		"data.fsar.a.words",
		"data.fsar.b.one",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("constant paths:\n got %q\nwant %q", got, want)
	}
}

// TestConstantsSameFindings checks that precomputing the constant
// documents changes nothing: each input gives the same findings, or the
// same error, with them as without them.
func TestConstantsSameFindings(t *testing.T) {
	files := map[string]string{
		"x.rego": regoSrc(
			"package fsar.x",
			"",
			"import data.fsar.lib",
			"",
			"deny contains {\"msg\": sprintf(\"severity %v over %v\", [input.severity, lib.limit])} if input.severity > lib.limit",
			"",
			"# with replaces what the constant was computed from: inside it the",
			"# constant is computed again",
			"review contains {\"msg\": \"under a lower limit\"} if {",
			"	input.severity > lib.limit with data.fsar.config.limit as 5",
			"}",
			"",
			"warn contains {\"msg\": lib.today} if input.stale",
			"",
			"# an error in a constant surfaces only where it is used",
			"warn contains {\"msg\": \"broken\"} if {",
			"	input.break",
			"	lib.broken > 0",
			"}",
		),
		"lib.rego": regoSrc(
			"package fsar.lib",
			"",
			"limit := n if {",
			"	n := data.fsar.config.limit",
			"	is_number(n)",
			"} else := 10",
			"",
			"today := time.format(time.now_ns())",
			"",
			"broken := 1 / 0",
		),
	}
	opts := optsFor(files)
	opts.Config = map[string]any{"limit": 20}
	e, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if e.constants == nil {
		t.Fatal("no constant documents were precomputed")
	}
	// The failing constant does not keep the others from being precomputed.
	for ref, want := range map[string]bool{"data.fsar.lib.limit": true, "data.fsar.lib.today": true, "data.fsar.lib.broken": false} {
		if v, _ := e.constants.Get(ast.MustParseRef(ref)); (v != nil) != want {
			t.Errorf("%s precomputed: %v, want %v", ref, v != nil, want)
		}
	}
	plain := *e
	plain.constants = nil
	inputs := []map[string]any{
		{"severity": 3},
		{"severity": 7},
		{"severity": 25},
		{"severity": 7, "stale": true},
		{"severity": 7, "break": true},
	}
	for _, in := range inputs {
		v := value(t, in)
		got, gotErr := e.Eval(t.Context(), v)
		want, wantErr := plain.Eval(t.Context(), v)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Errorf("%v: error %v, without constants %v", in, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: findings %+v, without constants %+v", in, got, want)
		}
	}
	// The cases mean something: the with case and the error are reached.
	fs, err := e.Eval(t.Context(), value(t, map[string]any{"severity": 7}))
	if err != nil || len(fs) != 1 || fs[0].Msg != "under a lower limit" {
		t.Errorf("severity 7 under the limit of 5 given by with: %+v, %v", fs, err)
	}
	if _, err := e.Eval(t.Context(), value(t, map[string]any{"severity": 7, "break": true})); err == nil {
		t.Error("the broken constant did not fail the evaluation that uses it")
	}
}

// TestDefaultBundleConstants checks that the default bundle's settings and
// texts are among the precomputed documents, and that the bundle gives the
// same findings with them as without them.
func TestDefaultBundleConstants(t *testing.T) {
	e, err := Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	paths := constantNames(t, defaultSource(), nil)
	for _, want := range []string{"data.fsar.lib.config.block_threshold", "data.fsar.lib.canned.risks", "data.fsar.freshness._today"} {
		if !slices.Contains(paths, want) {
			t.Errorf("%s is not precomputed; precomputed: %q", want, paths)
		}
	}
	for _, p := range paths {
		if p == "data.fsar.lib.report.well_formed" || p == "data.fsar.lib.report.risk_texts" {
			t.Errorf("%s depends on the input but is precomputed", p)
		}
	}
	plain := *e
	plain.constants = nil
	for _, in := range []map[string]any{
		{"severity": 30, "block_execution": false, "risks": []any{}, "mitigations": []any{"Add runtime checks and alerts on critical paths"}, "missing": []any{}, "markers": []any{"fsar_review"}},
		{"severity": 50, "block_execution": false, "missing": []any{"id"}, "proposal": "irreversible data loss", "time_ns": testNow.UnixNano() - 40*24*3600*1e9},
	} {
		got, gotErr := e.Eval(t.Context(), value(t, in))
		want, wantErr := plain.Eval(t.Context(), value(t, in))
		if gotErr != nil || wantErr != nil || !reflect.DeepEqual(got, want) || len(got) == 0 {
			t.Errorf("%v:\n got %+v %v\nwant %+v %v", in, got, gotErr, want, wantErr)
		}
	}
	got, _ := e.Eval(t.Context(), realisticInput(t))
	want, _ := plain.Eval(t.Context(), realisticInput(t))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("realistic input:\n got %+v\nwant %+v", got, want)
	}
}

// TestConstantDefaults: a rule with a default is constant only when every
// definition is.
func TestConstantDefaults(t *testing.T) {
	got := constantNames(t, Source{Name: "policies", FS: memFS(map[string]string{"a.rego": regoSrc(
		"package fsar.a",
		"",
		"default strict := false",
		"",
		"strict if data.fsar.config.strict == true",
		"",
		"default allow := false",
		"",
		"allow if input.ok",
		"",
		"deny contains {\"msg\": \"m\"} if { strict; not allow }",
	)})}, map[string]any{"strict": true})
	if want := []string{"data.fsar.a.strict"}; !reflect.DeepEqual(got, want) {
		t.Errorf("constant paths %q, want %q", got, want)
	}
}

// TestConstantOverlappingRefHead: a rule with a variable in its head that
// can define the same document (here a.c) depends on the input, so a.c is
// not precomputed, and the conflict between them is still an error.
func TestConstantOverlappingRefHead(t *testing.T) {
	files := map[string]string{"x.rego": regoSrc(
		"package fsar.x",
		"",
		"a.c := 1",
		"",
		"a[k] := v if {",
		"	k := input.k",
		"	v := input.v",
		"}",
		"",
		"deny contains {\"msg\": sprintf(\"%v\", [a.c])} if input.go",
	), "y.rego": regoSrc(
		"package fsar.y.b",
		"",
		"c := 1",
	), "z.rego": regoSrc(
		"package fsar.y",
		"",
		"b[k] := 2 if k := input.k",
	)}
	if got := constantNames(t, Source{Name: "policies", FS: memFS(files)}, nil); len(got) != 0 {
		t.Errorf("precomputed %q, which rules with variables in their heads can also define", got)
	}
	e := mustLoad(t, files)
	plain := *e
	plain.constants = nil
	in := value(t, map[string]any{"go": true, "k": "c", "v": 2})
	got, gotErr := e.Eval(t.Context(), in)
	want, wantErr := plain.Eval(t.Context(), in)
	if gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error() {
		t.Errorf("conflicting definitions: %+v, %v; without constants: %+v, %v; want the same error", got, gotErr, want, wantErr)
	}
}

// TestConstantsOnlyWhatTheSetsUse: a constant no set uses, directly or
// through other rules, is not evaluated at Load.
func TestConstantsOnlyWhatTheSetsUse(t *testing.T) {
	e := mustLoad(t, map[string]string{"x.rego": regoSrc(
		"package fsar.x",
		"",
		"limit := 10",
		"",
		"through := limit + 1",
		"",
		"unused := count([x | some x in [1, 2, 3]])",
		"",
		"deny contains {\"msg\": \"m\"} if input.severity > through",
	)})
	for ref, want := range map[string]bool{"data.fsar.x.limit": true, "data.fsar.x.through": true, "data.fsar.x.unused": false} {
		if v, _ := e.constants.Get(ast.MustParseRef(ref)); (v != nil) != want {
			t.Errorf("%s precomputed: %v, want %v", ref, v != nil, want)
		}
	}
}
