package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/internal/config"
)

// declaredConfig reads the configuration keys the policy packages declare
// in a package-scope METADATA annotation:
//
//	# METADATA
//	# scope: package
//	# custom:
//	#   config:
//	#     owner_team:
//	#       type: string
//	#       default: ops
//	#       description: the team that owns a report without an owner
//
// type is one of number, integer, string, boolean, array, object. A key
// may not be one of fsar's own, nor be declared twice with two types.
func declaredConfig(c *ast.Compiler) ([]config.Key, error) {
	var keys []config.Key
	var problems []Problem
	for _, an := range withCustom(c.GetAnnotationSet(), "config", "package") {
		a, file, raw := an.ref.Annotations, an.file, an.value
		decl, ok := raw.(map[string]any)
		if !ok {
			problems = append(problems, locProblem(a.Location, "custom.config must map key names to {type, default, description}"))
			continue
		}
		pkg := ""
		if m := c.Modules[file]; m != nil {
			pkg = packageName(m.Package.Path)
		}
		for _, name := range sortedKeys(decl) {
			k, err := declaredKey(name, decl[name], pkg)
			if err == nil {
				err = checkDeclared(k, keys)
			}
			if err != nil {
				problems = append(problems, locProblem(a.Location, fmt.Sprintf("custom.config.%s: %v", name, err)))
				continue
			}
			if !slices.ContainsFunc(keys, func(x config.Key) bool { return x.Name == name }) {
				keys = append(keys, k)
			}
		}
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	slices.SortFunc(keys, func(a, b config.Key) int { return strings.Compare(a.Name, b.Name) })
	return keys, nil
}

var declarableTypes = []config.Type{config.Number, config.Integer, config.String, config.Boolean, config.List, config.Object}

func declaredKey(name string, raw any, pkg string) (config.Key, error) {
	k := config.Key{Name: name, Package: pkg}
	spec, ok := raw.(map[string]any)
	if !ok {
		return k, fmt.Errorf("expected {type, default, description}")
	}
	t, _ := spec["type"].(string)
	if !slices.Contains(declarableTypes, config.Type(t)) {
		return k, fmt.Errorf("type %q: expected one of number, integer, string, boolean, array, object", t)
	}
	k.Type = config.Type(t)
	k.Default = spec["default"]
	k.Description, _ = spec["description"].(string)
	return k, nil
}

func checkDeclared(k config.Key, keys []config.Key) error {
	if slices.ContainsFunc(config.Core, func(c config.Key) bool { return c.Name == k.Name }) {
		return fmt.Errorf("%s is one of fsar's own keys", k.Name)
	}
	for _, x := range keys {
		if x.Name == k.Name && x.Type != k.Type {
			return fmt.Errorf("declared as %s in %s and as %s in %s", x.Type, x.Package, k.Type, k.Package)
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// annotated is an annotation of a non-test module with a custom key.
type annotated struct {
	ref   *ast.AnnotationsRef
	file  string
	value any
}

// withCustom are the annotations of the given scopes, in non-test
// modules, that set custom.key, with its value.
func withCustom(as *ast.AnnotationSet, key string, scopes ...string) []annotated {
	var out []annotated
	for _, ref := range as.Flatten() {
		a := ref.Annotations
		if a == nil || !slices.Contains(scopes, a.Scope) || a.Custom == nil {
			continue
		}
		v, has := a.Custom[key]
		if !has {
			continue
		}
		file := ""
		if a.Location != nil {
			file = a.Location.File
		}
		if isTestFile(file) {
			continue
		}
		out = append(out, annotated{ref: ref, file: file, value: v})
	}
	return out
}
