package policy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Constant documents.
//
// OPA evaluates a rule at most once per evaluation, but again in every
// evaluation: a rule that reads only the configuration, the data or the
// (pinned) time, such as the default bundle's merged thresholds, today's
// date or the canned texts, is computed again for every report of a sweep.
// Load finds the complete rules whose value cannot depend on the input and
// evaluates them once; every evaluation then starts with their values in
// its virtual-document cache, as if it had computed them itself.
//
// A rule is input-independent when neither it nor any rule or function it
// depends on (by OPA's dependency graph, which counts every rule a dynamic
// reference could select) refers to input or uses the with keyword. The
// built-ins a policy can call are pure, and time.now_ns reads the pinned
// evaluation time, so such a rule has the same value in every evaluation.
// A rule whose evaluation fails or is undefined is not precomputed: it is
// evaluated, and fails, in every evaluation as before.
//
// Except when it exceeds a limit (Options.Limits): computing the constant
// documents gets the deadline and the memory limit of one evaluation, and
// exceeding one fails Load. Leaving such a rule to every evaluation would
// make each report that reaches it run into the same limit, a full
// deadline per report; failing once, at once, is what a gate wants.

// constantDocs evaluates once the input-independent complete rules that
// the policy sets use (directly or through other rules), and returns a
// cache of their values; nil when there are none. Rules no set uses are
// left alone: an expensive helper that only tests call costs Load nothing.
// The error is a *LoadError, when evaluating them exceeded a limit.
func constantDocs(ctx context.Context, c *ast.Compiler, store storage.Store, now time.Time, lim Limits, sets []*policySet) (topdown.VirtualCache, error) {
	used := usedRules(c, sets)
	var paths []ast.Ref
	for _, p := range constantPaths(c) {
		for _, r := range c.GetRulesExact(p) {
			if used[r] {
				paths = append(paths, p)
				break
			}
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	values, err := evalDocs(ctx, c, store, now, lim, paths)
	if lerr := (*LimitError)(nil); errors.As(err, &lerr) {
		return nil, constantsLimitError(c, paths, lerr)
	}
	if err != nil {
		// One of them fails: evaluate them one by one and keep the others.
		values = make([]*ast.Term, len(paths))
		for i := range paths {
			v, err := evalDocs(ctx, c, store, now, lim, paths[i:i+1])
			if lerr := (*LimitError)(nil); errors.As(err, &lerr) {
				return nil, constantsLimitError(c, paths[i:i+1], lerr)
			}
			if err == nil {
				values[i] = v[0]
			}
		}
	}
	cache := topdown.NewVirtualCache()
	n := 0
	for i, p := range paths {
		if values[i] != nil {
			cache.Put(p, values[i])
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	return cache, nil
}

// constantsLimitError reports that computing the constant documents at
// paths exceeded a limit, located at the first one's rule when there is
// only one.
func constantsLimitError(c *ast.Compiler, paths []ast.Ref, lerr *LimitError) error {
	names := make([]string, 0, 3)
	for i, p := range paths {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(paths)-i))
			break
		}
		names = append(names, packageName(p))
	}
	msg := fmt.Sprintf("%v, computing %s (rules that do not depend on the input, computed once at load)",
		lerr, strings.Join(names, ", "))
	p := Problem{Msg: msg}
	if len(paths) == 1 {
		if rules := c.GetRulesExact(paths[0]); len(rules) > 0 {
			p = locProblem(rules[0].Location, msg)
		}
	}
	return &LoadError{Problems: []Problem{p}, err: lerr}
}

// evalDocs evaluates the documents at paths in one query, under the
// limits, and returns their values (nil for an undefined one). An exceeded
// limit is a *LimitError.
func evalDocs(ctx context.Context, c *ast.Compiler, store storage.Store, now time.Time, lim Limits, paths []ast.Ref) ([]*ast.Term, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// [[value] or [] when undefined, ...]
	terms := make([]*ast.Term, len(paths))
	for i, p := range paths {
		v := ast.VarTerm("x")
		terms[i] = ast.ArrayComprehensionTerm(v, ast.NewBody(ast.Assign.Expr(v, ast.NewTerm(p))))
	}
	body := ast.NewBody(ast.Equality.Expr(ast.VarTerm(constantsVar), ast.ArrayTerm(terms...)))
	pq, err := rego.New(regoOptions(c, store, body)...).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	opts := []rego.EvalOption{rego.EvalTime(now), rego.EvalGenerateJSON(keepAST)}
	var run *evalRun
	if lim.active() {
		run = evalGuard.start(ctx, lim, nil)
		opts = append(opts, rego.EvalExternalCancel(run))
	}
	rs, err := pq.Eval(ctx, opts...)
	if run != nil {
		evalGuard.end(run)
	}
	if err != nil {
		if run != nil {
			if lerr := run.limitError(); lerr != nil {
				return nil, lerr
			}
		}
		return nil, err
	}
	if len(rs) != 1 {
		return nil, errors.New("no result")
	}
	arr, ok := rs[0].Bindings[constantsVar].(*ast.Array)
	if !ok || arr.Len() != len(paths) {
		return nil, errors.New("unexpected result")
	}
	values := make([]*ast.Term, len(paths))
	for i := range paths {
		if wrapped, ok := arr.Elem(i).Value.(*ast.Array); ok && wrapped.Len() == 1 {
			values[i] = wrapped.Elem(0)
		}
	}
	return values, nil
}

const constantsVar = "fsar_constants__"

// constantPaths lists, sorted, the paths of the complete (single-value,
// non-function) rules with a ground path of which every definition is
// input-independent.
func constantPaths(c *ast.Compiler) []ast.Ref {
	dependent := inputDependence(c)
	seen := map[string]bool{}
	var paths []ast.Ref
	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		for _, r := range c.Modules[name].Rules {
			if len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.SingleValue || !r.Head.Ref().IsGround() {
				continue
			}
			path := r.Ref()
			key := path.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			// Every rule that could define the path: its own definitions (the
			// default too), rules with variables in their head above it
			// (a[k] := v can define a.c, and a conflict between them is an
			// evaluation error that must still happen), and rules below it.
			defs := c.GetRules(path)
			constant := len(defs) > 0
			for _, def := range defs {
				for node := def; node != nil; node = node.Else {
					if dependent(node) {
						constant = false
					}
				}
			}
			if constant {
				paths = append(paths, path)
			}
		}
	}
	slices.SortFunc(paths, func(a, b ast.Ref) int { return strings.Compare(a.String(), b.String()) })
	return paths
}

// usedRules are the rules the sets' rules depend on, directly or through
// other rules (by OPA's dependency graph), and the sets' rules.
func usedRules(c *ast.Compiler, sets []*policySet) map[*ast.Rule]bool {
	used := map[*ast.Rule]bool{}
	var visit func(r *ast.Rule)
	visit = func(r *ast.Rule) {
		for node := r; node != nil; node = node.Else {
			if used[node] {
				continue
			}
			used[node] = true
			for d := range c.Graph.Dependencies(node) {
				if dr, ok := d.(*ast.Rule); ok {
					visit(dr)
				}
			}
		}
	}
	for _, s := range sets {
		for _, r := range c.GetRulesExact(s.ref) {
			visit(r)
		}
	}
	return used
}

// inputDependence returns a function that reports whether a rule depends,
// directly or through the rules and functions it refers to, on the input
// (or uses with, which can replace anything). Cycles count as dependent.
func inputDependence(c *ast.Compiler) func(*ast.Rule) bool {
	const (
		unknown = iota
		visiting
		independent
		dependent
	)
	state := map[*ast.Rule]int{}
	var visit func(r *ast.Rule) bool
	visit = func(r *ast.Rule) bool {
		switch state[r] {
		case visiting, dependent:
			return true
		case independent:
			return false
		}
		state[r] = visiting
		dep := refersToInput(r)
		if !dep {
			for d := range c.Graph.Dependencies(r) {
				if dr, ok := d.(*ast.Rule); !ok || visit(dr) {
					dep = true
					break
				}
			}
		}
		if dep {
			state[r] = dependent
		} else {
			state[r] = independent
		}
		return dep
	}
	return visit
}

// refersToInput reports whether the rule itself (head, body, else chain)
// mentions input or uses with.
func refersToInput(r *ast.Rule) bool {
	found := false
	ast.WalkRefs(r, func(ref ast.Ref) bool {
		if ref.HasPrefix(ast.InputRootRef) {
			found = true
		}
		return found
	})
	if found {
		return true
	}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if len(e.With) > 0 {
			found = true
		}
		return found
	})
	if found {
		return true
	}
	ast.WalkVars(r, func(v ast.Var) bool {
		if v.Equal(ast.InputRootDocument.Value) {
			found = true
		}
		return found
	})
	return found
}

// seededCache is one evaluation's virtual-document cache: the constant
// documents, then what the evaluation computes. Inside a with (a pushed
// frame) the constants are not used, since with can replace what they were
// computed from.
type seededCache struct {
	constants topdown.VirtualCache // shared, read only
	own       topdown.VirtualCache
	depth     int
}

func newSeededCache(constants topdown.VirtualCache) *seededCache {
	return &seededCache{constants: constants, own: topdown.NewVirtualCache()}
}

func (s *seededCache) Push() { s.depth++; s.own.Push() }

func (s *seededCache) Pop() { s.depth--; s.own.Pop() }

func (s *seededCache) Get(ref ast.Ref) (*ast.Term, bool) {
	if s.depth == 0 {
		if v, _ := s.constants.Get(ref); v != nil {
			return v, false
		}
	}
	return s.own.Get(ref)
}

func (s *seededCache) Put(ref ast.Ref, value *ast.Term) { s.own.Put(ref, value) }

func (s *seededCache) Keys() []ast.Ref { return s.own.Keys() }
