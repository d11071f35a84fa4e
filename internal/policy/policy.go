// Package policy is fsar's OPA policy engine: it loads Rego v1 modules,
// checks them against the policy contract (policies/README.md), compiles
// them once in a sandbox, and evaluates reports against them.
//
// Policies are packages under fsar. that declare sets named deny, review and
// warn. The engine knows nothing of the report model: the caller builds the
// input as an ast.Value, and findings come back as plain structs. Nothing
// here prints, reads the environment or exits; the evaluation time is pinned
// by the caller.
//
// The sandbox: modules are compiled and evaluated with this OPA's
// capabilities less the built-ins that reach the network, the environment or
// files, that are random, or whose result's size is set by an argument (see
// RemovedBuiltins), with no host allowed for the network and with strict
// built-in errors, so a built-in error fails the evaluation instead of
// making a rule silently undefined. Every evaluation runs under a deadline
// and a memory limit (see Limits), so that a policy that loops or builds
// without end fails, fast, with an error that names the limit.
package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/fsar-gate/fsar/internal/config"
)

// Options configure Load.
type Options struct {
	// Sources hold the modules: every *.rego file under each, recursively.
	// *_test.rego files are skipped for evaluation (see Test).
	Sources []Source
	// Data holds extra documents merged at the data root (from --data
	// files; MergeData merges several). Defining data.fsar.config, or a
	// path that a policy package also defines, is an error.
	Data map[string]any
	// Config becomes data.fsar.config ({} when nil).
	Config map[string]any
	// Now is the evaluation time: time.now_ns() returns it in every
	// evaluation. It must be set.
	Now time.Time
	// Limits bound every evaluation: EvalTimeout (default 5s) each
	// report's, and that of the input-independent rules Load computes
	// once; MemoryLimit (default 160 MiB) the heap while evaluations run.
	// Exceeding one is an error naming it (see LimitError and limits.go).
	Limits
	// Bundles are OPA bundles read (and verified) beforehand
	// (Selected.Load reads them): their modules are loaded beside the
	// Sources', their data merged at the data root, and their roots
	// checked (see bundle.go).
	Bundles []*Bundle
}

// Engine evaluates inputs against compiled policies. It is safe for
// concurrent use.
type Engine struct {
	query     rego.PreparedEvalQuery
	constants topdown.VirtualCache // the input-independent rules' values, or nil
	now       time.Time
	limits    Limits
	sets      []*policySet // in the order of the query's result array
	rules     []Rule       // sorted by ID
	byID      map[string]*Rule
	declaring map[string]bool // the packages whose METADATA declares a rule id
	digest    string
	keys      []config.Key // the configuration keys the packages declare
	config    *config.File // the configuration read, when Selected.Load made the engine
	bundles   []BundleInfo
	// The compiled modules and the store, for Document.
	compiler *ast.Compiler
	store    storage.Store
}

// policySet is one deny, review or warn set of one package.
type policySet struct {
	pkg       string        // "fsar.severity"
	name      string        // "deny"
	level     Level         // from name
	ref       ast.Ref       // data.fsar.severity.deny
	defaultID string        // the custom.id shared by every rule of the set, or ""
	loc       *ast.Location // the first rule of the set
	ids       map[string]bool
	unnamed   int  // rules without a custom.id
	partial   bool // every rule is a multi-value rule (deny contains ...): the set is always defined
}

// setNames maps the names of the policy sets to their levels.
var setNames = map[string]Level{"deny": Deny, "review": Review, "warn": Warn}

// resultVar is the variable the query binds the sets to.
const resultVar = "fsar_sets__"

// Load reads, parses, checks and compiles the policies once, and prepares
// the single query that Eval runs. Problems with the policies come back as
// a *LoadError naming file:line:column.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("policy: the evaluation time (Options.Now) is not set")
	}
	files, err := readSources(opts.Sources)
	if err != nil {
		return nil, err
	}
	if files, err = bundleFiles(files, opts.Bundles); err != nil {
		return nil, err
	}
	var policyFiles []file
	for _, f := range files {
		if !f.test {
			policyFiles = append(policyFiles, f)
		}
	}
	data, err := bundleData(opts.Data, opts.Bundles)
	if err != nil {
		return nil, err
	}
	c, store, canonical, err := compileFiles(ctx, policyFiles, data, opts.Config, false, opts.Bundles)
	if err != nil {
		return nil, err
	}
	sets, rules, err := inspect(c, true)
	if err != nil {
		return nil, err
	}
	keys, err := declaredConfig(c)
	if err != nil {
		return nil, err
	}

	query, err := buildQuery(sets)
	if err != nil {
		return nil, err
	}
	pq, err := rego.New(regoOptions(c, store, query)...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: prepare query: %w", err)
	}

	constants, err := constantDocs(ctx, c, store, opts.Now, opts.Limits, sets)
	if err != nil {
		return nil, err
	}

	e := &Engine{
		query:     pq,
		constants: constants,
		now:       opts.Now,
		limits:    opts.Limits,
		sets:      sets,
		rules:     rules,
		byID:      make(map[string]*Rule, len(rules)),
		declaring: map[string]bool{},
		digest:    digest(policyFiles, canonical),
		keys:      keys,
		compiler:  c,
		store:     store,
	}
	for _, b := range opts.Bundles {
		e.bundles = append(e.bundles, b.Info)
	}
	for i := range e.rules {
		e.byID[e.rules[i].ID] = &e.rules[i]
		e.declaring[e.rules[i].Package] = true
	}
	for _, s := range sets {
		// e.rules holds one rule per id: a package whose ids all repeat
		// another package's declares them too.
		if len(s.ids) > 0 {
			e.declaring[s.pkg] = true
		}
	}
	return e, nil
}

// compileFiles parses the files, checks their packages (and the roots of
// the bundles some of them come from), builds the store with data and
// config, and compiles the modules in the sandbox. It returns the
// compiler, the store and the canonical JSON of the data.
func compileFiles(ctx context.Context, files []file, data, config map[string]any, printStatements bool, bundles []*Bundle) (*ast.Compiler, storage.Store, []byte, error) {
	modules, err := parseFiles(files)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(bundles) > 0 {
		if err := checkBundleRoots(bundles, modules); err != nil {
			return nil, nil, nil, err
		}
	}
	root, canonical, err := buildData(data, config)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("policy: %w", err)
	}
	store := newStore(root)
	c, err := compileModules(ctx, store, modules, printStatements)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, store, canonical, nil
}

// newStore returns an in-memory store holding root, which it takes over.
// Reads return AST values, so evaluation does not convert the data again.
func newStore(root map[string]any) storage.Store {
	return inmem.NewFromObjectWithOpts(root,
		inmem.OptRoundTripOnWrite(false),
		inmem.OptReturnASTValuesOnRead(true))
}

// compileModules compiles the modules in the sandbox, refusing a package
// that overlaps the base documents in the store.
func compileModules(ctx context.Context, store storage.Store, modules map[string]*ast.Module, printStatements bool) (*ast.Compiler, error) {
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer store.Abort(ctx, txn)
	c := newCompiler(printStatements).WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn))
	if c.Compile(modules); c.Failed() {
		return nil, &LoadError{Problems: astProblems(c.Errors)}
	}
	return c, nil
}

// parseFiles parses the files as Rego v1 with annotations, and checks that
// their packages follow the contract: a policy module's package is under
// fsar., and no module declares fsar.config.
func parseFiles(files []file) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(files))
	var problems []Problem
	popts := parserOptions()
	for _, f := range files {
		m, err := ast.ParseModuleWithOpts(f.name, string(f.src), popts)
		if err != nil {
			problems = append(problems, astProblems(err)...)
			continue
		}
		if m == nil {
			problems = append(problems, Problem{File: f.name, Msg: "empty module: a policy file needs a package"})
			continue
		}
		problems = append(problems, checkPackage(m, f.test)...)
		modules[f.name] = m
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return modules, nil
}

// checkPackage checks a module's package against the contract.
func checkPackage(m *ast.Module, test bool) []Problem {
	path := m.Package.Path // data.<...>
	name := packageName(path)
	under := len(path) >= 3 && termIs(path[1], "fsar")
	switch {
	case len(path) >= 3 && termIs(path[1], "fsar") && termIs(path[2], "config"):
		return []Problem{locProblem(m.Package.Location, fmt.Sprintf(
			"package %s: data.fsar.config is reserved for the configuration and no package may be named fsar.config", name))}
	case !under && !test:
		return []Problem{locProblem(m.Package.Location, fmt.Sprintf(
			"package %s: policies must be in a package under fsar. (for example fsar.severity)", name))}
	}
	return nil
}

// packageName renders a package path without "data.".
func packageName(path ast.Ref) string {
	return strings.TrimPrefix(path.String(), "data.")
}

// termIs reports whether a ref term is the string s.
func termIs(t *ast.Term, s string) bool {
	v, ok := t.Value.(ast.String)
	return ok && string(v) == s
}

// inspect finds the policy sets and the annotated rules of the compiled
// (non-test) modules and checks them against the contract. When needSets is
// true, finding no set at all is an error.
func inspect(c *ast.Compiler, needSets bool) ([]*policySet, []Rule, error) {
	var problems []Problem
	as := c.GetAnnotationSet()
	byKey := map[string]*policySet{}
	var sets []*policySet

	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		m := c.Modules[name]
		if isTestFile(name) {
			continue
		}
		path := m.Package.Path
		if len(path) < 3 || !termIs(path[1], "fsar") {
			continue
		}
		lib := termIs(path[2], "lib")
		for _, rule := range m.Rules {
			head := rule.Head.Ref()
			v, ok := head[0].Value.(ast.Var)
			if !ok {
				continue
			}
			level, isSet := setNames[string(v)]
			if !isSet {
				continue
			}
			where := fmt.Sprintf("%s in package %s", v, packageName(path))
			switch {
			case lib:
				problems = append(problems, locProblem(rule.Location, fmt.Sprintf(
					"%s: packages under fsar.lib hold helpers and declare no deny, review or warn", where)))
				continue
			case len(rule.Head.Args) > 0:
				problems = append(problems, locProblem(rule.Location, fmt.Sprintf(
					"%s is a function: it must be a set (%s contains {...} if ...)", where, v)))
				continue
			case len(head) > 1:
				problems = append(problems, locProblem(rule.Location, fmt.Sprintf(
					"%s must be a set of objects, not an object: write %s contains {...} if ...", where, v)))
				continue
			}
			key := path.String() + "." + string(v)
			s := byKey[key]
			if s == nil {
				s = &policySet{
					pkg:     packageName(path),
					name:    string(v),
					level:   level,
					ref:     path.Append(ast.StringTerm(string(v))),
					loc:     rule.Location,
					ids:     map[string]bool{},
					partial: true,
				}
				byKey[key] = s
				sets = append(sets, s)
			}
			if rule.Head.RuleKind() != ast.MultiValue {
				s.partial = false
			}
			if id := ruleID(as, rule); id != "" {
				s.ids[id] = true
			} else {
				s.unnamed++
			}
		}
	}
	for _, s := range sets {
		if s.unnamed == 0 && len(s.ids) == 1 {
			for id := range s.ids {
				s.defaultID = id
			}
		}
	}

	rules, ruleProblems := annotatedRules(c, as)
	problems = append(problems, ruleProblems...)
	for _, ref := range as.Flatten() {
		if _, err := parseEquivalences(ref.Annotations); err != nil {
			problems = append(problems, locProblem(ref.Annotations.Location, err.Error()))
		}
	}
	if len(problems) > 0 {
		return nil, nil, &LoadError{Problems: problems}
	}
	if needSets && len(sets) == 0 {
		return nil, nil, &LoadError{Problems: []Problem{{Msg: "no policy declares deny, review or warn under package fsar.*"}}}
	}
	slices.SortFunc(sets, func(a, b *policySet) int {
		return strings.Compare(a.pkg+"\x00"+a.name, b.pkg+"\x00"+b.name)
	})
	return sets, rules, nil
}

// ruleID returns the custom.id of a rule: from its own METADATA, else from
// a document-scope annotation of its name.
func ruleID(as *ast.AnnotationSet, rule *ast.Rule) string {
	for _, ref := range as.Chain(rule) {
		a := ref.Annotations
		if a == nil || (a.Scope != "rule" && a.Scope != "document") {
			continue
		}
		if id, ok := a.Custom["id"].(string); ok && id != "" {
			return id
		}
	}
	return ""
}

// annotatedRules collects the rules of the non-test modules that carry a
// custom.id in a rule- or document-scope annotation, one per ID, sorted by
// ID, and checks their custom fields.
func annotatedRules(c *ast.Compiler, as *ast.AnnotationSet) ([]Rule, []Problem) {
	var problems []Problem
	byID := map[string]int{} // index into rules
	var rules []Rule
	for _, an := range withCustom(as, "id", "rule", "document") {
		ref, a, file, rawID := an.ref, an.ref.Annotations, an.file, an.value
		m := c.Modules[file]
		id, ok := rawID.(string)
		if !ok || id == "" || strings.TrimSpace(id) != id {
			problems = append(problems, locProblem(a.Location, "custom.id must be a non-empty string without surrounding spaces"))
			continue
		}
		r := Rule{
			ID:          id,
			Title:       a.Title,
			Description: a.Description,
			File:        file,
			Waivable:    true,
		}
		if w, has := a.Custom["waivable"]; has {
			b, ok := w.(bool)
			if !ok {
				problems = append(problems, locProblem(a.Location, fmt.Sprintf("rule %s: custom.waivable must be true or false", id)))
				continue
			}
			r.Waivable = b
		}
		if m != nil {
			r.Package = packageName(m.Package.Path)
		}
		if ref.Location != nil {
			r.Line = ref.Location.Row
		} else if a.Location != nil {
			r.Line = a.Location.Row
		}
		if rem, has := a.Custom["remediation"]; has {
			s, ok := rem.(string)
			if !ok {
				problems = append(problems, locProblem(a.Location, fmt.Sprintf("rule %s: custom.remediation must be a string", id)))
				continue
			}
			r.Remediation = s
		}
		if sh, has := a.Custom["share"]; has {
			s, _ := sh.(string)
			if !ValidShareName(s) {
				problems = append(problems, locProblem(a.Location, fmt.Sprintf(
					"rule %s: custom.share must be a share's name: lower-case letters, digits and _, starting with a letter, at most %d characters", id, maxShareName)))
				continue
			}
			r.Share = s
		}
		var setLevel Level
		if len(ref.Path) > 0 {
			if v, ok := ref.Path[len(ref.Path)-1].Value.(ast.String); ok {
				setLevel = setNames[string(v)]
			}
		}
		if lv, has := a.Custom["level"]; has {
			s, _ := lv.(string)
			l, err := ParseLevel(s)
			if err != nil {
				problems = append(problems, locProblem(a.Location, fmt.Sprintf("rule %s: custom.level: %v", id, err)))
				continue
			}
			if setLevel != 0 && l != setLevel {
				problems = append(problems, locProblem(a.Location, fmt.Sprintf(
					"rule %s: custom.level is %s but the rule is in the %s set", id, l, setLevel)))
				continue
			}
			r.Level = l
		} else {
			r.Level = setLevel
		}
		if r.Level == 0 {
			problems = append(problems, locProblem(a.Location, fmt.Sprintf(
				"rule %s: custom.level is missing and the rule is not in a deny, review or warn set", id)))
			continue
		}
		if i, dup := byID[id]; dup {
			switch prev := rules[i]; {
			case prev.Level != r.Level:
				problems = append(problems, locProblem(a.Location, fmt.Sprintf(
					"rule %s: level %s here but %s at %s:%d", id, r.Level, prev.Level, prev.File, prev.Line)))
			case prev.Waivable != r.Waivable:
				problems = append(problems, locProblem(a.Location, fmt.Sprintf(
					"rule %s: custom.waivable %v here but %v at %s:%d", id, r.Waivable, prev.Waivable, prev.File, prev.Line)))
			case prev.Share != r.Share:
				problems = append(problems, locProblem(a.Location, fmt.Sprintf(
					"rule %s: share %q here but %q at %s:%d", id, r.Share, prev.Share, prev.File, prev.Line)))
			}
			continue
		}
		byID[id] = len(rules)
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b Rule) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return rules, problems
}

// regoOptions are the options of every query: the compiled modules, the
// store, the sandbox's capabilities, strict built-in errors, Rego v1.
func regoOptions(c *ast.Compiler, store storage.Store, query ast.Body) []func(*rego.Rego) {
	return []func(*rego.Rego){
		rego.Compiler(c),
		rego.Store(store),
		rego.ParsedQuery(query),
		rego.Capabilities(sandboxCapabilities()),
		rego.StrictBuiltinErrors(true),
		rego.SetRegoVersion(ast.RegoV1),
	}
}

// buildQuery builds the one query that collects every set: an array with,
// for each set, [value] or [] when the set is undefined (a complete rule
// whose body failed). Only existing rules are referenced, and a set that
// could be undefined is read through a comprehension, so the query itself
// is never undefined.
func buildQuery(sets []*policySet) (ast.Body, error) {
	var b strings.Builder
	b.WriteString(resultVar + " := [")
	for i, s := range sets {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.partial {
			fmt.Fprintf(&b, "[%s]", s.ref) // multi-value rules: never undefined
		} else {
			fmt.Fprintf(&b, "[x | x := %s]", s.ref)
		}
	}
	b.WriteString("]")
	q, err := ast.ParseBodyWithOpts(b.String(), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, fmt.Errorf("policy: build query: %w", err)
	}
	return q, nil
}

// digest hashes the policy modules (sorted by name) and the canonical JSON
// of the base documents.
func digest(files []file, canonicalData []byte) string {
	h := sha256.New()
	h.Write([]byte("fsar policy digest v1\n"))
	for _, f := range files {
		h.Write([]byte("module " + strconv.Quote(f.name) + " " + strconv.Itoa(len(f.src)) + "\n"))
		h.Write(f.src)
		h.Write([]byte("\n"))
	}
	h.Write([]byte("data " + strconv.Itoa(len(canonicalData)) + "\n"))
	h.Write(canonicalData)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Rules returns the annotated rules (those with a custom.id), sorted by ID.
func (e *Engine) Rules() []Rule { return slices.Clone(e.rules) }

// ConfigKeys are the configuration keys the policy packages declare in
// their METADATA (custom.config), beside fsar's own (config.Core).
func (e *Engine) ConfigKeys() []config.Key { return slices.Clone(e.keys) }

// Config is the configuration the engine was loaded with: checked, its
// waivers included; an empty one when none was read.
func (e *Engine) Config() *config.File {
	if e.config == nil {
		return config.Empty()
	}
	return e.config
}

// RuleInfo tells whether a policy declares the rule id, and whether its
// findings may be waived.
func (e *Engine) RuleInfo(id string) (known, waivable bool) {
	r, ok := e.byID[id]
	return ok, ok && r.Waivable
}

// Bundles returns what was loaded of each bundle: location, manifest
// revision and roots, in the order they were given.
func (e *Engine) Bundles() []BundleInfo { return slices.Clone(e.bundles) }

// Digest returns "sha256:<hex>" over the policy modules, sorted by name,
// and the canonical JSON of the data and configuration they are evaluated
// with. Test files are not part of it.
func (e *Engine) Digest() string { return e.digest }

// Document evaluates the data document at path (a reference such as
// "data.fsar.lib.sweep"), without input, at the pinned evaluation time and
// within the engine's limits, and returns its value in encoding/json's Go
// types (numbers as json.Number); ok is false when it is undefined. It is
// how what the policies know beside their rules (the severity scale a
// sweep cuts into bands, say) is read: from Rego, not from Go.
func (e *Engine) Document(ctx context.Context, path string) (value any, ok bool, err error) {
	ref, err := ast.ParseRef(path)
	if err != nil || !ref.HasPrefix(ast.DefaultRootRef) || !ref.IsGround() {
		return nil, false, fmt.Errorf("policy: document %q: expected a reference such as data.fsar.lib.sweep", path)
	}
	values, err := evalDocs(ctx, e.compiler, e.store, e.now, e.limits, []ast.Ref{ref})
	if err != nil {
		return nil, false, fmt.Errorf("policy: evaluating %s: %w", path, err)
	}
	if values[0] == nil {
		return nil, false, nil
	}
	v, err := ast.JSON(values[0].Value)
	if err != nil {
		return nil, false, fmt.Errorf("policy: %s: %w", path, err)
	}
	return v, true, nil
}

// Now returns the pinned evaluation time.
func (e *Engine) Now() time.Time { return e.now }

// keepAST makes the result set hold AST values rather than converting them
// to Go values: sets stay sets, and nothing is copied.
func keepAST(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil }

// Eval evaluates the input against every policy set and returns the
// findings, sorted (deny first, then rule, field, message). It fails
// closed: any built-in error, conflict, exceeded limit (Options.Limits:
// the EvalTimeout deadline, the MemoryLimit), or set element that breaks
// the contract is an *EvalError and no findings are returned. For an
// exceeded limit the EvalError wraps a *LimitError that names it.
func (e *Engine) Eval(ctx context.Context, input ast.Value) ([]Finding, error) {
	if input == nil {
		return nil, errors.New("policy: no input to evaluate")
	}
	if err := ctx.Err(); err != nil {
		return nil, &EvalError{Problem: Problem{Msg: "evaluation cancelled"}, Err: err}
	}
	opts := []rego.EvalOption{
		rego.EvalParsedInput(input),
		rego.EvalTime(e.now),
		rego.EvalGenerateJSON(keepAST),
	}
	if e.constants != nil {
		opts = append(opts, rego.EvalVirtualCache(newSeededCache(e.constants)))
	}
	var run *evalRun
	if e.limits.active() {
		run = evalGuard.start(ctx, e.limits, nil)
		opts = append(opts, rego.EvalExternalCancel(run))
	}
	rs, err := e.query.Eval(ctx, opts...)
	if run != nil {
		evalGuard.end(run)
	}
	if err != nil {
		if run != nil {
			if lerr := run.limitError(); lerr != nil {
				return nil, &EvalError{Problem: Problem{Msg: lerr.Error()}, Err: lerr}
			}
		}
		return nil, evalError(err)
	}
	if len(rs) == 0 {
		return nil, &EvalError{Problem: Problem{Msg: "policy query gave no result"}}
	}
	arr, ok := rs[0].Bindings[resultVar].(*ast.Array)
	if !ok || arr.Len() != len(e.sets) {
		return nil, &EvalError{Problem: Problem{Msg: "policy query gave an unexpected result"}}
	}
	var findings []Finding
	for i, s := range e.sets {
		wrapped, ok := arr.Elem(i).Value.(*ast.Array)
		if !ok {
			return nil, &EvalError{Problem: Problem{Msg: "policy query gave an unexpected result"}}
		}
		if wrapped.Len() == 0 {
			continue // a complete rule that is undefined: no findings
		}
		set, ok := wrapped.Elem(0).Value.(ast.Set)
		if !ok {
			return nil, s.errorf("%s must be a set of objects, got %s", s.ref, ast.ValueName(wrapped.Elem(0).Value))
		}
		var elemErr error
		set.Until(func(t *ast.Term) bool {
			f, err := e.finding(s, t)
			if err != nil {
				elemErr = err
				return true
			}
			findings = append(findings, f)
			return false
		})
		if elemErr != nil {
			return nil, elemErr
		}
	}
	SortFindings(findings)
	return findings, nil
}

// errorf returns an EvalError located at the set's first rule.
func (s *policySet) errorf(format string, args ...any) error {
	return &EvalError{Problem: locProblem(s.loc, fmt.Sprintf(format, args...))}
}

// finding converts one element of a set. An object needs a non-empty
// string msg; rule, field and remediation, when present, must be strings;
// other keys are ignored. A plain non-empty string is taken as the msg.
func (e *Engine) finding(s *policySet, t *ast.Term) (Finding, error) {
	f := Finding{Level: s.level, Package: s.pkg}
	switch v := t.Value.(type) {
	case ast.String:
		f.Msg = string(v)
	case ast.Object:
		var msg ast.String
		ok := false
		if x := v.Get(ast.InternedTerm("msg")); x != nil {
			msg, ok = x.Value.(ast.String)
		}
		if !ok {
			return f, s.errorf("%s: element has no string msg: %s", s.ref, brief(t))
		}
		f.Msg = string(msg)
		for _, kv := range []struct {
			key string
			dst *string
		}{{"rule", &f.Rule}, {"field", &f.Field}, {"remediation", &f.Remediation}} {
			x := v.Get(ast.InternedTerm(kv.key))
			if x == nil {
				continue
			}
			str, ok := x.Value.(ast.String)
			if !ok {
				return f, s.errorf("%s: element's %s must be a string: %s", s.ref, kv.key, brief(t))
			}
			*kv.dst = string(str)
		}
	default:
		return f, s.errorf("%s: element must be an object with a msg, got %s: %s", s.ref, ast.ValueName(t.Value), brief(t))
	}
	if strings.TrimSpace(f.Msg) == "" {
		return f, s.errorf("%s: element has an empty msg: %s", s.ref, brief(t))
	}
	if f.Rule != "" {
		// In a package that declares its rules in METADATA, a rule named
		// by the element is one declared at this set's level: its facts
		// have one source, and a misspelt id is an error. A package that
		// declares none (a conftest-style policy) names its rules freely.
		r := e.byID[f.Rule]
		switch {
		case r == nil && e.declaring[s.pkg]:
			return f, s.errorf("%s: element names rule %q, which no METADATA declares (custom.id): %s", s.ref, f.Rule, brief(t))
		case r != nil && r.Level != s.level:
			return f, s.errorf("%s: element names rule %q, which METADATA declares at level %s (%s:%d), not %s: %s",
				s.ref, f.Rule, r.Level, r.File, r.Line, s.level, brief(t))
		}
	}
	if f.Rule == "" {
		f.Rule = s.defaultID
	}
	if f.Rule == "" {
		f.Rule = s.pkg + "." + s.name
	}
	if r := e.byID[f.Rule]; r != nil {
		f.Title = r.Title
		if f.Remediation == "" {
			f.Remediation = r.Remediation
		}
	}
	return f, nil
}

// brief renders a term for an error message, cut to a readable length.
func brief(t *ast.Term) string {
	const limit = 200
	s := t.String()
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
