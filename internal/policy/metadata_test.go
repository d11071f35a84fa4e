package policy

import (
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/fsar-gate/fsar/policies"
)

// fixtureNow is the evaluation time of the bundled tests (fixture.now_ns).
var fixtureNow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// TestMetadataFolded: after compilation, no rule of the bundled policies
// assigns an annotation object per evaluation, and every finding names
// its rule with a plain string: rego.metadata.rule() costs nothing per
// report.
func TestMetadataFolded(t *testing.T) {
	c, policyFiles := compilePolicies(t, defaultSource(), nil)
	calls := 0
	for _, f := range policyFiles {
		calls += strings.Count(string(f.src), "rego.metadata.rule()")
		for _, r := range c.Modules[f.name].Rules {
			for _, e := range r.Body {
				if e.IsEquality() {
					if _, ok := e.Operand(1).Value.(ast.Object); ok && e.Operand(1).IsGround() && e.Generated {
						t.Errorf("%s: a generated assignment of an object is left: %v", e.Location, e)
					}
				}
			}
			ast.WalkRefs(r, func(ref ast.Ref) bool {
				if v, ok := ref[0].Value.(ast.Var); ok && v.IsGenerated() && len(ref) > 1 && ref[1].Value.Compare(ast.String("custom")) == 0 {
					t.Errorf("%s: a reference into the annotation is left: %v", r.Location, ref)
				}
				return false
			})
		}
	}
	if calls != 21 {
		t.Errorf("%d calls of rego.metadata.rule() in the bundled policies, want one per rule (21)", calls)
	}
}

// TestMetadataFoldKeepsMeaning: folding gives what OPA gives without it.
func TestMetadataFoldKeepsMeaning(t *testing.T) {
	src := regoSrc(
		"package fsar.x",
		"",
		"# METADATA",
		"# title: With an id",
		"# custom:",
		"#   id: with-id",
		"#   level: deny",
		"deny contains {\"msg\": m.title, \"rule\": rego.metadata.rule().custom.id, \"all\": m} if {",
		"\tinput.on",
		"\tm := rego.metadata.rule()",
		"}",
		"",
		"# METADATA",
		"# title: A function's title",
		"titled(x) := rego.metadata.rule().title if x",
		"",
		"chain := [a.path | some a in rego.metadata.chain()]",
		"",
		"untitled := rego.metadata.rule()",
	)
	query := `x := [data.fsar.x.deny, data.fsar.x.titled(true), data.fsar.x.chain, data.fsar.x.untitled]`
	eval := func(c *ast.Compiler) string {
		rs, err := rego.New(rego.Compiler(c), rego.Query(query), rego.Input(map[string]any{"on": true})).Eval(t.Context())
		if err != nil || len(rs) != 1 {
			t.Fatalf("eval: %v %v", rs, err)
		}
		return ast.MustInterfaceToValue(rs[0].Bindings["x"]).String()
	}
	parse := func() map[string]*ast.Module {
		m, err := ast.ParseModuleWithOpts("x.rego", src, parserOptions())
		if err != nil {
			t.Fatal(err)
		}
		return map[string]*ast.Module{"x.rego": m}
	}
	folded := newCompiler(false)
	if folded.Compile(parse()); folded.Failed() {
		t.Fatal(folded.Errors)
	}
	plain := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
	if plain.Compile(parse()); plain.Failed() {
		t.Fatal(plain.Errors)
	}
	got, want := eval(folded), eval(plain)
	if got != want {
		t.Errorf("folded: %s\nOPA:    %s", got, want)
	}
	if !strings.Contains(got, `"rule": "with-id"`) || !strings.Contains(got, `"A function's title"`) {
		t.Errorf("unexpected result %s", got)
	}
	for _, r := range folded.Modules["x.rego"].Rules {
		if r.Head.Name == "deny" && len(r.Body) != 1 {
			t.Errorf("deny's body after folding: %v, want input.on alone", r.Body)
		}
	}
}

// TestFindingRuleDeclared: in a package whose METADATA declares rule ids,
// a finding that names a rule names one declared at its set's level;
// otherwise the evaluation fails.
func TestFindingRuleDeclared(t *testing.T) {
	for name, tt := range map[string]struct{ src, want string }{
		"undeclared": {regoSrc(
			"package fsar.x",
			"",
			"# METADATA",
			"# custom: {id: soft, level: warn}",
			"warn contains {\"msg\": \"w\", \"rule\": \"soft\"} if false",
			"",
			"deny contains {\"msg\": \"m\", \"rule\": \"made-up\"} if true",
		), `policies/x.rego:7:1: data.fsar.x.deny: element names rule "made-up", which no METADATA declares (custom.id)`},
		"another level": {regoSrc(
			"package fsar.x",
			"",
			"# METADATA",
			"# custom: {id: soft, level: warn}",
			"warn contains {\"msg\": \"w\", \"rule\": \"soft\"} if false",
			"",
			"deny contains {\"msg\": \"m\", \"rule\": \"soft\"} if true",
		), `data.fsar.x.deny: element names rule "soft", which METADATA declares at level warn (policies/x.rego:5), not deny`},
	} {
		t.Run(name, func(t *testing.T) {
			e := mustLoad(t, map[string]string{"x.rego": tt.src})
			_, err := e.Eval(t.Context(), value(t, map[string]any{}))
			var ee *EvalError
			if !errors.As(err, &ee) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Eval: %v, want an EvalError with %q", err, tt.want)
			}
		})
	}
}

// TestEveryDefaultRuleFires: the fixture's bad reports, evaluated by the
// engine, set off every rule the bundled policies declare, each at the
// level its METADATA gives (the engine refuses any other).
func TestEveryDefaultRuleFires(t *testing.T) {
	e, err := Load(t.Context(), Options{Sources: []Source{defaultSource()}, Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	arr := fixtureValue(t, "bad_reports").(*ast.Array)
	for i := range arr.Len() {
		fs, err := e.Eval(t.Context(), arr.Elem(i).Value)
		if err != nil {
			t.Fatalf("bad report %d: %v", i, err)
		}
		for _, f := range fs {
			seen[f.Level.String()+" "+f.Rule] = true
		}
	}
	var want []string
	for _, r := range e.Rules() {
		want = append(want, r.Level.String()+" "+r.ID)
	}
	got := slices.Sorted(maps.Keys(seen))
	slices.Sort(want)
	if !slices.Equal(got, want) || len(want) != 21 {
		t.Errorf("rules that fired:\n%s\nrules declared:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// fixtureValue evaluates data.fsar.lib.fixture.<name> of the bundled tests.
func fixtureValue(t *testing.T, name string) ast.Value {
	t.Helper()
	src, err := fs.ReadFile(policies.FS, "fsar/lib/fixture/fixture_test.rego")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(rego.Module("fixture_test.rego", string(src)), rego.Query("x := data.fsar.lib.fixture."+name)).Eval(t.Context())
	if err != nil || len(rs) != 1 {
		t.Fatalf("fixture %s: %v %v", name, rs, err)
	}
	return ast.MustInterfaceToValue(rs[0].Bindings["x"])
}

// TestRemovingAnIDFails: a rule's id is written once, in its METADATA;
// the findings take it from there, so removing it is an error that names
// the rule's finding, for the tests and the engine alike (OPA's type
// checker knows the annotation).
func TestRemovingAnIDFails(t *testing.T) {
	fsys := fstest.MapFS{}
	err := fs.WalkDir(policies.FS, "fsar", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const sev = "fsar/severity/severity.rego"
	src := string(fsys[sev].Data)
	cut := strings.Replace(src, "#   id: severity-hard\n", "", 1)
	if cut == src {
		t.Fatal("no id: severity-hard in " + sev)
	}
	fsys[sev] = &fstest.MapFile{Data: []byte(cut)}
	srcs := []Source{{Name: "policies", FS: fsys}}
	want := "policies/" + sev + ":"
	_, err = Test(t.Context(), TestOptions{Sources: srcs})
	var le *LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "rego.metadata.rule().custom.id") {
		t.Errorf("Test: %v", err)
	}
	if _, err := Load(t.Context(), Options{Sources: srcs, Now: fixtureNow}); !errors.As(err, &le) || !strings.Contains(err.Error(), want) {
		t.Errorf("Load: %v", err)
	}
}

// TestFoldLeavesArguments: an argument compared with a constant is a test,
// not an assignment, in every body of an else chain.
func TestFoldLeavesArguments(t *testing.T) {
	e := mustLoad(t, map[string]string{"x.rego": regoSrc(
		"package fsar.x",
		"",
		"f(x) := 1 if {",
		"\tx = {\"a\": 1}",
		"} else := 2 if {",
		"\tx = [1]",
		"} else := 3",
		"",
		"deny contains {\"msg\": sprintf(\"%d %d %d\", [f({\"a\": 1}), f([1]), f(7)])} if true",
	)})
	fs, err := e.Eval(t.Context(), value(t, map[string]any{}))
	if err != nil || len(fs) != 1 || fs[0].Msg != "1 2 3" {
		t.Errorf("Eval: %v %v", fs, err)
	}
}

// TestFoldLeavesOtherConstants: only annotations are folded; a test that
// compares inside every over a constant list still fails when it should
// (found by mutation testing: folding every constant assignment made such
// tests pass whatever they compared).
func TestFoldLeavesOtherConstants(t *testing.T) {
	rep, err := Test(t.Context(), TestOptions{Sources: []Source{{Name: "policies", FS: memFS(map[string]string{
		"x.rego": regoSrc("package fsar.x", "", "deny contains {\"msg\": \"other\", \"k\": input.k} if true"),
		"x_test.rego": regoSrc(
			"package fsar.x_test",
			"",
			"import data.fsar.x",
			"",
			"_deny(r) := fs if {",
			"\tfs := x.deny with input as r",
			"}",
			"",
			"test_every_constant_list if {",
			"\tevery k in [\"a\", \"b\"] {",
			"\t\t_deny({\"k\": k}) == {{\"msg\": \"wanted\", \"k\": k}}",
			"\t}",
			"}",
		),
	})}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Outcome != TestFail {
		t.Errorf("results: %+v, want the test to fail", rep.Results)
	}
}

// TestFindingRuleUndeclaredPackage: a package that declares no rule id in
// METADATA (a conftest-style policy, as ../shared/bench's) names its rules
// freely, at any level.
func TestFindingRuleUndeclaredPackage(t *testing.T) {
	e := mustLoad(t, map[string]string{"x.rego": regoSrc(
		"package fsar.x",
		"",
		"deny contains {\"msg\": \"m\", \"rule\": \"B1\"} if true",
		"",
		"warn contains {\"msg\": \"w\", \"rule\": \"B4\"} if true",
	)})
	found, err := e.Eval(t.Context(), value(t, map[string]any{}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.Level.String()+" "+f.Rule)
	}
	if want := []string{"deny B1", "warn B4"}; !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// TestFindingRuleDeclaredRepeated: a package whose only declared id
// repeats another package's still declares ids, so a misspelt one is an
// error, whichever package's module comes first.
func TestFindingRuleDeclaredRepeated(t *testing.T) {
	declares := regoSrc(
		"package fsar.a",
		"",
		"# METADATA",
		"# custom: {id: soft, level: warn}",
		"warn contains {\"msg\": \"w\", \"rule\": \"soft\"} if false",
	)
	misspells := regoSrc(
		"package fsar.b",
		"",
		"# METADATA",
		"# custom: {id: soft, level: warn}",
		"warn contains {\"msg\": \"w\", \"rule\": \"soft\"} if false",
		"",
		"warn contains {\"msg\": \"w\", \"rule\": \"sofft\"} if true",
	)
	for _, names := range [][2]string{{"a.rego", "b.rego"}, {"z.rego", "b.rego"}} {
		e := mustLoad(t, map[string]string{names[0]: declares, names[1]: misspells})
		_, err := e.Eval(t.Context(), value(t, map[string]any{}))
		var ee *EvalError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), `element names rule "sofft", which no METADATA declares`) {
			t.Errorf("%v: Eval: %v, want the misspelt id refused", names, err)
		}
	}
}
