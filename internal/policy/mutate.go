package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Mutation testing.
//
// Line coverage says that a test ran a rule's lines, not that a test would
// notice if the rule stopped working. Mutate changes the policies one small
// step at a time - a mutant - and runs the tests against each: a mutant that
// some test fails on is killed; one that every test passes survives, and
// points at a behaviour no test pins down.
//
// Mutants are made from the parsed AST of the policy (non-test) modules,
// the AST the sandboxed compiler compiles, so each names the file, line
// and column of what it changed. For every rule (else branches, functions,
// comprehension and every bodies included):
//
//   - negate: each body expression is negated (not x), and a negated one
//     loses its not;
//   - drop: each body expression is removed (a body left empty is true),
//     and each else branch;
//   - operator: >= and >, < and <=, == and != swap;
//   - number: each number constant is shifted by one, up and down;
//   - string: each string constant (not a step of a reference such as
//     input.severity) is replaced, a non-empty one by "", "" by "fsar_mutant".
//
// Assignments and some declarations are neither negated nor dropped: the
// variables they bind would be unsafe, and the mutant would not compile. A
// mutant that does not compile (the compiler or its type checker refuses
// it) is not counted. A mutant whose tests run past the deadline
// (MutateOptions.Timeout) is killed: the suite noticed.
//
// Some mutants cannot change behaviour: dropping a cheap test that only
// guards a slower one with the same outcome, say. A rule's METADATA (or its
// package's) lists them under custom.mutation_equivalent, each with the
// change as Mutate prints it and a reason:
//
//	# METADATA
//	# custom:
//	#   mutation_equivalent:
//	#     - change: "drop `_hinted`"
//	#       reason: a cheap pre-check of the patterns' hints; the patterns alone find the same secrets
//
// A documented mutant that survives is counted as equivalent, not as a
// survivor; an entry that matches no surviving mutant (the tests now kill
// it, or the code changed) is stale, and fails the run like a survivor.

// MutateOptions configure Mutate.
type MutateOptions struct {
	// TestOptions are the tests to run against each mutant (Coverage is
	// ignored).
	TestOptions
	// Workers is how many mutants are tested at once; 0 means one per CPU.
	Workers int
	// Timeout bounds the tests of one mutant; 0 means DefaultMutantTimeout.
	Timeout time.Duration
}

// DefaultMutantTimeout is the default deadline of the tests of one mutant.
const DefaultMutantTimeout = time.Minute

// MutantStatus is what the tests made of a mutant.
type MutantStatus string

// The statuses of a mutant.
const (
	MutantKilled     MutantStatus = "killed"     // a test failed or errored
	MutantTimeout    MutantStatus = "timeout"    // the tests ran past the deadline: killed
	MutantSurvived   MutantStatus = "survived"   // every test passed
	MutantEquivalent MutantStatus = "equivalent" // survived, documented as equivalent in METADATA
)

// Mutant is one change to one policy rule.
type Mutant struct {
	Rule   string // the rule's custom.id, else package.name ("fsar.lib.report.well_formed")
	File   string
	Line   int
	Column int
	Kind   string // negate, drop, operator, number, string
	Change string // what changed: "`sev >= t` → `sev > t`", "drop `_hinted`"
	Status MutantStatus
	// Reason is the documented reason, when equivalent.
	Reason string
}

// RuleMutation counts the mutants of one rule.
type RuleMutation struct {
	Rule       string
	File       string
	Line       int
	Mutants    int // compiled mutants
	Killed     int // timeouts included
	Survived   int
	Equivalent int
}

// StaleEquivalence is a custom.mutation_equivalent entry that matches no
// surviving mutant.
type StaleEquivalence struct {
	File   string
	Line   int
	Change string
}

// MutationReport is the result of Mutate.
type MutationReport struct {
	// Baseline is the tests' result on the policies as they are; when a
	// test does not pass there, no mutant is run and the rest is empty.
	Baseline *TestReport
	Rules    []RuleMutation     // sorted by file and line
	Mutants  []Mutant           // sorted by file, line, column, change
	Stale    []StaleEquivalence // sorted by file and line
	// Invalid counts the mutants that did not compile (not counted).
	Invalid                      int
	Killed, Survived, Equivalent int
}

// Score is the killed share of the mutants that count (killed and
// survived; equivalent ones do not), in percent; 100 when none count.
func (r *MutationReport) Score() float64 {
	if r.Killed+r.Survived == 0 {
		return 100
	}
	return 100 * float64(r.Killed) / float64(r.Killed+r.Survived)
}

// Passed tells whether the tests passed on the policies as they are, the
// score reached threshold, and no equivalence entry is stale.
func (r *MutationReport) Passed(threshold float64) bool {
	return r.Baseline.OK() && r.Score() >= threshold && len(r.Stale) == 0
}

// Mutate runs the tests against every mutant of the policy modules, on
// Workers goroutines, each mutant's tests under the Timeout deadline (and
// each test under the evaluation limits, as Test). The policies must
// pass the same checks as for Test, and their tests must pass as they
// are: otherwise the report holds only the Baseline.
func Mutate(ctx context.Context, opts MutateOptions) (*MutationReport, error) {
	opts.Coverage = false
	s, err := newSuite(ctx, opts.TestOptions)
	if err != nil {
		return nil, err
	}
	baseline, _, err := s.run(ctx, s.modules, runOptions{})
	if err != nil {
		return nil, err
	}
	rep := &MutationReport{Baseline: baseline}
	if !baseline.OK() {
		return rep, nil
	}
	var sites []site
	for _, f := range s.files {
		if !f.test {
			sites = append(sites, mutationSites(f.name, s.modules[f.name])...)
		}
	}
	timeout := cmp.Or(opts.Timeout, DefaultMutantTimeout)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]mutantResult, len(sites))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(sites), 1)) {
		wg.Go(func() {
			for i := range next {
				results[i] = s.runMutant(ctx, sites[i], timeout)
			}
		})
	}
	for i := range sites {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("policy: mutation testing: %w", err)
	}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
	}
	rep.collect(s, sites, results)
	return rep, nil
}

// mutantResult is how the tests of one mutant ended.
type mutantResult struct {
	invalid bool
	status  MutantStatus
	err     error // the run could not be made: an error of the whole run
}

// runMutant compiles the suite with one mutant and runs its tests, up to
// the first that does not pass.
func (s *suite) runMutant(ctx context.Context, st site, timeout time.Duration) mutantResult {
	mutated := st.apply(s.modules[st.file])
	if mutated == nil {
		return mutantResult{invalid: true}
	}
	modules := maps.Clone(s.modules)
	modules[st.file] = mutated
	mctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rep, _, err := s.run(mctx, modules, runOptions{stopOnFail: true, parallel: 1})
	var le *LoadError
	switch {
	case errors.As(err, &le):
		return mutantResult{invalid: true}
	case err != nil && ctx.Err() == nil && errors.Is(mctx.Err(), context.DeadlineExceeded):
		return mutantResult{status: MutantTimeout}
	case err != nil:
		return mutantResult{err: err}
	}
	if !rep.OK() {
		return mutantResult{status: MutantKilled}
	}
	return mutantResult{status: MutantSurvived}
}

// collect fills the report from the results of the mutants of sites.
func (r *MutationReport) collect(s *suite, sites []site, results []mutantResult) {
	equivalent, entries := equivalences(s)
	used := map[*equivalence]bool{}
	byRule := map[string]*RuleMutation{}
	for i, st := range sites {
		res := results[i]
		if res.invalid {
			r.Invalid++
			continue
		}
		m := Mutant{Rule: st.rule, File: st.file, Line: st.loc.Row, Column: st.loc.Col,
			Kind: st.kind, Change: st.change, Status: res.status}
		rm := byRule[st.rule+"\x00"+st.file]
		if rm == nil {
			rm = &RuleMutation{Rule: st.rule, File: st.file, Line: st.ruleLine}
			byRule[st.rule+"\x00"+st.file] = rm
		}
		rm.Mutants++
		if m.Status == MutantSurvived {
			for _, e := range equivalent[st.ruleNode] {
				if e.change == m.Change {
					m.Status, m.Reason = MutantEquivalent, e.reason
					used[e] = true
					break
				}
			}
		}
		switch m.Status {
		case MutantKilled, MutantTimeout:
			rm.Killed++
			r.Killed++
		case MutantSurvived:
			rm.Survived++
			r.Survived++
		case MutantEquivalent:
			rm.Equivalent++
			r.Equivalent++
		}
		r.Mutants = append(r.Mutants, m)
	}
	for _, e := range entries {
		if !used[e] {
			r.Stale = append(r.Stale, StaleEquivalence{File: e.file, Line: e.line, Change: e.change})
		}
	}
	for _, rm := range byRule {
		r.Rules = append(r.Rules, *rm)
	}
	slices.SortFunc(r.Rules, func(a, b RuleMutation) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Rule, b.Rule))
	})
	slices.SortStableFunc(r.Mutants, func(a, b Mutant) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			strings.Compare(a.Change, b.Change))
	})
	slices.SortFunc(r.Stale, func(a, b StaleEquivalence) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Change, b.Change))
	})
}

// equivalence is one custom.mutation_equivalent entry.
type equivalence struct {
	change, reason string
	file           string
	line           int
}

// equivalences reads the custom.mutation_equivalent entries of the policy
// modules' annotations, for each rule those of its annotation chain (its
// own, its document's, its package's). Malformed entries were refused by
// checkEquivalences when the policies were checked.
func equivalences(s *suite) (map[*ast.Rule][]*equivalence, []*equivalence) {
	var policy []*ast.Module
	for _, f := range s.files {
		if !f.test {
			policy = append(policy, s.modules[f.name])
		}
	}
	as, _ := ast.BuildAnnotationSet(policy)
	byAnnotation := map[*ast.Annotations][]*equivalence{}
	var all []*equivalence
	for _, ref := range as.Flatten() {
		a := ref.Annotations
		entries, _ := parseEquivalences(a)
		for _, e := range entries {
			all = append(all, e)
			byAnnotation[a] = append(byAnnotation[a], e)
		}
	}
	byRule := map[*ast.Rule][]*equivalence{}
	for _, m := range policy {
		for _, rule := range m.Rules {
			for _, ref := range as.Chain(rule) {
				byRule[rule] = append(byRule[rule], byAnnotation[ref.Annotations]...)
			}
		}
	}
	return byRule, all
}

// parseEquivalences reads an annotation's custom.mutation_equivalent: a
// list of objects with a non-empty change and reason.
func parseEquivalences(a *ast.Annotations) ([]*equivalence, error) {
	if a == nil || a.Custom == nil {
		return nil, nil
	}
	raw, has := a.Custom["mutation_equivalent"]
	if !has {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, errors.New("custom.mutation_equivalent must be a list of {change, reason}")
	}
	var out []*equivalence
	for i, x := range list {
		obj, _ := x.(map[string]any)
		change, _ := obj["change"].(string)
		reason, _ := obj["reason"].(string)
		if change == "" || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("custom.mutation_equivalent[%d] needs a change (as fsar policy test --mutate prints it) and a reason", i)
		}
		e := &equivalence{change: change, reason: strings.TrimSpace(reason)}
		if a.Location != nil {
			e.file, e.line = a.Location.File, a.Location.Row
		}
		out = append(out, e)
	}
	return out, nil
}

// site is one mutant: where, what, and how to make it.
type site struct {
	file     string
	rule     string    // the rule's name for the report
	ruleNode *ast.Rule // the top-level rule of the original module
	ruleLine int
	ruleIdx  int // the index of the rule in its module
	loc      *ast.Location
	kind     string
	change   string
	// n is the index of the site among the sites of its kind in the rule,
	// in the order walk visits them; mutate changes the copy's n-th.
	n      int
	mutate func(target any) bool
}

// apply returns a copy of m with the mutation made, or nil when the
// mutation is no longer found (never, for a site made from m).
func (st site) apply(m *ast.Module) *ast.Module {
	cp := m.Copy()
	rule := cp.Rules[st.ruleIdx]
	n := 0
	done := false
	walkSites(rule, st.kind, func(target any) {
		if done {
			return
		}
		if n == st.n {
			done = st.mutate(target)
		}
		n++
	})
	if !done {
		return nil
	}
	return cp
}

// The kinds of mutant.
const (
	kindNegate   = "negate"
	kindDrop     = "drop"
	kindOperator = "operator"
	kindNumber   = "number"
	kindString   = "string"
)

// bodySite is a body and the index of one of its expressions.
type bodySite struct {
	body *ast.Body
	i    int
}

// elseSite is a rule whose else branch a mutant drops.
type elseSite struct{ rule *ast.Rule }

// walkSites calls fn with every place of the rule a mutant of the kind
// can change, in a fixed order: a bodySite for negate, drop and operator,
// a *ast.Term for number and string.
func walkSites(rule *ast.Rule, kind string, fn func(target any)) {
	switch kind {
	case kindNegate, kindDrop, kindOperator:
		walkBodies(rule, func(b *ast.Body) {
			for i := range *b {
				fn(bodySite{body: b, i: i})
			}
		})
		if kind == kindDrop {
			for node := rule; node != nil && node.Else != nil; node = node.Else {
				fn(elseSite{rule: node})
			}
		}
	case kindNumber, kindString:
		walkConstants(rule, fn)
	}
}

// walkBodies calls fn with a pointer to every body of the rule: its own,
// its else branches', and those of the comprehensions and every
// expressions in it, in the order they are written.
func walkBodies(rule *ast.Rule, fn func(*ast.Body)) {
	for node := rule; node != nil; node = node.Else {
		visit := func(x any) {
			ast.NewGenericVisitor(func(y any) bool {
				switch y := y.(type) {
				case *ast.ArrayComprehension:
					fn(&y.Body)
				case *ast.SetComprehension:
					fn(&y.Body)
				case *ast.ObjectComprehension:
					fn(&y.Body)
				case *ast.Every:
					fn(&y.Body)
				}
				return false
			}).Walk(x)
		}
		visit(node.Head)
		fn(&node.Body)
		visit(node.Body)
	}
}

// walkConstants calls fn with every number and string term of the rule,
// heads and else branches included, but not the steps of references
// (input.severity's "severity"; a number index such as risks[0] is
// visited).
func walkConstants(rule *ast.Rule, fn func(target any)) {
	for node := rule; node != nil; node = node.Else {
		var vis *ast.GenericVisitor
		vis = ast.NewGenericVisitor(func(x any) bool {
			switch x := x.(type) {
			case *ast.Rule:
				return x != node // the else branch: its own turn
			case ast.Ref:
				for _, t := range x[1:] {
					if _, ok := t.Value.(ast.String); !ok {
						vis.Walk(t)
					}
				}
				return true
			case *ast.Term:
				switch x.Value.(type) {
				case ast.Number, ast.String:
					fn(x)
				}
			}
			return false
		})
		vis.Walk(node)
	}
}

// swaps are the comparison operators a mutant swaps.
var swaps = map[string]string{
	ast.GreaterThanEq.Name: ast.GreaterThan.Name,
	ast.GreaterThan.Name:   ast.GreaterThanEq.Name,
	ast.LessThan.Name:      ast.LessThanEq.Name,
	ast.LessThanEq.Name:    ast.LessThan.Name,
	ast.Equal.Name:         ast.NotEqual.Name,
	ast.NotEqual.Name:      ast.Equal.Name,
}

// mutationSites lists the mutants of every rule of a policy module.
func mutationSites(file string, m *ast.Module) []site {
	as, _ := ast.BuildAnnotationSet([]*ast.Module{m})
	var sites []site
	for ri, rule := range m.Rules {
		name := ruleName(as, m, rule)
		add := func(kind string, n int, loc *ast.Location, change string, mutate func(any) bool) {
			if loc == nil {
				loc = rule.Location
			}
			sites = append(sites, site{file: file, rule: name, ruleNode: rule, ruleLine: rule.Location.Row, ruleIdx: ri,
				loc: loc, kind: kind, change: change, n: n, mutate: mutate})
		}
		n := 0
		walkSites(rule, kindNegate, func(target any) {
			bs := target.(bodySite)
			e := (*bs.body)[bs.i]
			if negatable(e) {
				text := exprText(e)
				change := "negate `" + text + "`"
				if e.Negated {
					change = "drop the not of `" + text + "`"
				}
				add(kindNegate, n, e.Location, change, func(t any) bool {
					b := t.(bodySite)
					(*b.body)[b.i].Negated = !(*b.body)[b.i].Negated
					return true
				})
			}
			n++
		})
		n = 0
		walkSites(rule, kindDrop, func(target any) {
			if es, ok := target.(elseSite); ok {
				add(kindDrop, n, es.rule.Else.Location, "drop `"+elseText(es.rule.Else)+"`", func(t any) bool {
					r := t.(elseSite).rule
					r.Else = r.Else.Else
					return true
				})
				n++
				return
			}
			bs := target.(bodySite)
			e := (*bs.body)[bs.i]
			if negatable(e) {
				add(kindDrop, n, e.Location, "drop `"+exprText(e)+"`", func(t any) bool {
					b := t.(bodySite)
					body := slices.Delete(slices.Clone(*b.body), b.i, b.i+1)
					if len(body) == 0 {
						body = ast.NewBody(ast.NewExpr(ast.BooleanTerm(true)))
					}
					for j, x := range body {
						x.Index = j
					}
					*b.body = body
					return true
				})
			}
			n++
		})
		n = 0
		walkSites(rule, kindOperator, func(target any) {
			bs := target.(bodySite)
			e := (*bs.body)[bs.i]
			if to, ok := swapOf(e); ok {
				add(kindOperator, n, e.Location, "`"+exprText(e)+"` → `"+infixText(e, to)+"`", func(t any) bool {
					b := t.(bodySite)
					x := (*b.body)[b.i]
					x.Terms.([]*ast.Term)[0] = ast.RefTerm(ast.VarTerm(to))
					return true
				})
			}
			n++
		})
		n = 0
		walkSites(rule, kindNumber, func(target any) {
			term := target.(*ast.Term)
			if num, ok := term.Value.(ast.Number); ok {
				for _, d := range []int{+1, -1} {
					shifted, ok := shift(num, d)
					if !ok {
						continue
					}
					add(kindNumber, n, term.Location, fmt.Sprintf("%v → %v", num, shifted), func(t any) bool {
						t.(*ast.Term).Value = shifted
						return true
					})
				}
			}
			n++
		})
		n = 0
		walkSites(rule, kindString, func(target any) {
			term := target.(*ast.Term)
			if str, ok := term.Value.(ast.String); ok {
				to := ast.String("")
				if str == "" {
					to = ast.String("fsar_mutant")
				}
				add(kindString, n, term.Location, fmt.Sprintf("%v → %v", briefString(str), to), func(t any) bool {
					t.(*ast.Term).Value = to
					return true
				})
			}
			n++
		})
	}
	return sites
}

// ruleName names a rule in the report: its custom.id, else package.name.
func ruleName(as *ast.AnnotationSet, m *ast.Module, rule *ast.Rule) string {
	if id := ruleID(as, rule); id != "" {
		return id
	}
	return packageName(m.Package.Path) + "." + rule.Head.Ref().String()
}

// negatable reports whether an expression is a condition that a mutant
// can negate or drop: not an assignment, a some declaration or an every
// (whose variables would be unsafe or that cannot be negated), nor the
// true that the parser makes the body of a rule written without one.
func negatable(e *ast.Expr) bool {
	if e.Generated {
		return false // the body of a rule written without one
	}
	switch e.Terms.(type) {
	case *ast.SomeDecl, *ast.Every:
		return false
	}
	return !e.IsAssignment()
}

// infix are the comparison operators as they are written.
var infix = map[string]string{
	ast.GreaterThanEq.Name: ">=", ast.GreaterThan.Name: ">", ast.LessThan.Name: "<",
	ast.LessThanEq.Name: "<=", ast.Equal.Name: "==", ast.NotEqual.Name: "!=",
}

// infixText renders a comparison with the operator op.
func infixText(e *ast.Expr, op string) string {
	ops := e.Operands()
	text := termText(ops[0]) + " " + infix[op] + " " + termText(ops[1])
	if e.Negated {
		text = "not " + text
	}
	return text
}

// termText renders a term as written, or as OPA prints it.
func termText(t *ast.Term) string {
	if t.Location != nil && len(t.Location.Text) > 0 {
		return oneLine(string(t.Location.Text))
	}
	return t.String()
}

// elseText renders an else branch as written: its first line.
func elseText(r *ast.Rule) string {
	if r.Location != nil && len(r.Location.Text) > 0 {
		text, _, _ := strings.Cut(string(r.Location.Text), "\n")
		return strings.TrimSpace(text)
	}
	return "else"
}

// swapOf returns the operator a comparison swaps to.
func swapOf(e *ast.Expr) (string, bool) {
	if !e.IsCall() {
		return "", false
	}
	to, ok := swaps[e.Operator().String()]
	return to, ok
}

// shift returns num moved by d, when num is an integer or a decimal.
func shift(num ast.Number, d int) (ast.Number, bool) {
	if i, ok := num.Int64(); ok {
		return ast.Number(fmt.Sprint(i + int64(d))), true
	}
	if f, ok := num.Float64(); ok {
		return ast.Number(fmt.Sprint(f + float64(d))), true
	}
	return "", false
}

// exprText renders an expression as written (its source text), or as OPA
// prints it.
func exprText(e *ast.Expr) string {
	text := e.String()
	if e.Location != nil && len(e.Location.Text) > 0 {
		text = string(e.Location.Text)
		if e.Negated && !strings.HasPrefix(text, "not ") {
			text = "not " + text
		}
	}
	return oneLine(text)
}

// briefString quotes a string constant for a change, cut to 60 characters.
func briefString(s ast.String) string {
	q := s.String()
	if r := []rune(q); len(r) > 62 {
		q = string(r[:60]) + `…"`
	}
	return q
}
