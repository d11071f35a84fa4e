package policy

import (
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Rule facts from METADATA, at no cost per report.
//
// A finding names its rule with rego.metadata.rule().custom.id, so that a
// rule's id, level and remediation are written once, in its METADATA. OPA
// compiles the call to a constant, but not for free: it puts an assignment
// of the whole annotation object at the start of the rule's body, which
// every evaluation that enters the rule runs, and copies it through a chain
// of local variables to where it is used. The bundled rules are entered for
// every report of a sweep, so foldMetadata, a compiler stage run right
// after OPA's rewriting of the call, finishes the job: the local variable
// that OPA's rewriting binds to the annotation, and those copied or read
// from it, are replaced by their values, and the assignments are dropped.
// Nothing else is folded: other constants, and rules that use the
// annotation inside every, are left as they are. What the
// evaluator sees is the finding object as if its id had been written by
// hand. (BenchmarkRuleCost/finding_metadata measures it.)
//
// The stage changes nothing a rule means: a variable bound, at its first
// occurrence, to a ground value has that value everywhere after. It folds a
// rule only when every use of such a variable can be replaced: a reference
// into it that names a key the annotation lacks (a custom.id removed from
// METADATA) is left to the evaluator, which finds it undefined as before,
// and so is every other use it cannot account for.

// foldMetadataStage is the name of the stage in the compiler's metrics.
const foldMetadataStage = "fsar_fold_metadata"

// foldMetadata is the compiler stage: it folds every rule of every module.
func foldMetadata(c *ast.Compiler) *ast.Error {
	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		for _, r := range c.Modules[name].Rules {
			for node := r; node != nil; node = node.Else {
				foldRule(node, r.Head.Args)
			}
		}
	}
	return nil
}

// foldRule folds the ground values that assignments in the rule's
// top-level body bind to local variables into the rest of the rule.
// A function's arguments (args, the first rule's of an else chain) are
// bound by its caller: they are never first occurrences.
func foldRule(r *ast.Rule, args ast.Args) {
	consts := map[ast.Var]*ast.Term{}
	var drop []int
	seen := ast.NewVarSet()
	for _, a := range append(slices.Clone(args), r.Head.Args...) {
		seen.Update(a.Vars())
	}
	for i, e := range r.Body {
		if v, t, ok := foldable(e, i, consts); ok && !seen.Contains(v) {
			consts[v] = t
			drop = append(drop, i)
			continue
		}
		seen.Update(e.Vars(ast.VarVisitorParams{}))
	}
	if len(consts) == 0 || inEvery(r, consts) {
		return
	}
	// Replace each folded variable, and each reference into one, by its
	// value. A reference that names a key the value lacks is undefined:
	// that is left to the evaluator, and with it the whole rule.
	failed := false
	replace := ast.NewGenericTransformer(func(x any) (any, error) {
		switch x := x.(type) {
		case ast.Var:
			if t := consts[x]; t != nil {
				return t.Copy().Value, nil
			}
		case ast.Ref:
			if v, ok := x[0].Value.(ast.Var); ok && consts[v] != nil {
				t, ok := lookup(consts[v], x[1:])
				if !ok {
					failed = true
					return x, nil
				}
				return t.Copy().Value, nil
			}
		}
		return x, nil
	})
	head := r.Head.Copy()
	if _, err := ast.Transform(replace, head); err != nil || failed {
		return
	}
	body := ast.NewBody()
	for i, e := range r.Body {
		if slices.Contains(drop, i) {
			continue
		}
		e = e.Copy()
		if _, err := ast.Transform(replace, e); err != nil || failed {
			return
		}
		body.Append(e)
	}
	if len(body) == 0 {
		body.Append(ast.NewExpr(ast.BooleanTerm(true)))
	}
	r.Head, r.Body = head, body
}

// isAnnotation reports whether t is a ground annotation object, as
// rego.metadata.rule() gives it (it always has a scope), or an array of
// them with their paths, as rego.metadata.chain() gives it.
func isAnnotation(t *ast.Term) bool {
	if !t.IsGround() {
		return false
	}
	switch v := t.Value.(type) {
	case ast.Object:
		return v.Get(ast.StringTerm("scope")) != nil
	case *ast.Array:
		ok := v.Len() > 0
		v.Foreach(func(x *ast.Term) {
			obj, isObj := x.Value.(ast.Object)
			ok = ok && isObj && obj.Get(ast.StringTerm("path")) != nil
		})
		return ok
	}
	return false
}

// inEvery reports whether a folded variable is used in an every
// expression of the rule: such rules are left as they are.
func inEvery(r *ast.Rule, consts map[ast.Var]*ast.Term) bool {
	found := false
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if ev, ok := e.Terms.(*ast.Every); ok {
			ast.WalkVars(ev, func(v ast.Var) bool {
				found = found || consts[v] != nil
				return found
			})
		}
		return found
	})
	return found
}

// lookup finds the value at path (ground keys) in t.
func lookup(t *ast.Term, path ast.Ref) (*ast.Term, bool) {
	for _, key := range path {
		if !key.IsGround() {
			return nil, false
		}
		next, err := t.Value.Find(ast.Ref{key})
		if err != nil {
			return nil, false
		}
		t = ast.NewTerm(next)
	}
	return t, true
}

// foldable reports whether e, the i-th expression of a body, assigns a
// ground value to a local variable (its first occurrence, which the caller
// checks): an annotation, as OPA's rewriting of rego.metadata.rule() and
// rego.metadata.chain() puts it first in the body, a variable already
// folded, or a reference into one that names keys it has. It returns the
// variable and its value.
func foldable(e *ast.Expr, i int, consts map[ast.Var]*ast.Term) (ast.Var, *ast.Term, bool) {
	if e.Negated || len(e.With) > 0 || !e.IsEquality() {
		return "", nil, false
	}
	ops := e.Operands()
	v, ok := ops[0].Value.(ast.Var)
	if !ok || !v.IsGenerated() || consts[v] != nil {
		return "", nil, false
	}
	switch x := ops[1].Value.(type) {
	case ast.Object, *ast.Array:
		if e.Generated && i < 2 && isAnnotation(ops[1]) {
			return v, ops[1], true
		}
	case ast.Var:
		if t := consts[x]; t != nil {
			return v, t, true
		}
	case ast.Ref:
		if head, ok := x[0].Value.(ast.Var); ok && consts[head] != nil {
			if t, ok := lookup(consts[head], x[1:]); ok {
				return v, t, true
			}
		}
	}
	return "", nil, false
}
