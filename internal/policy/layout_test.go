package policy

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/fsar-gate/fsar/policies"
)

// TestBundleLayout holds the bundled policies to two of Regal's rules
// (Regal itself is not run here): directory-package-mismatch, a package
// lives in the folder its name gives (fsar.severity in fsar/severity/; a
// test package's _test suffix aside), and line-length, no line longer
// than 120 characters unless a word in it is longer than 100.
func TestBundleLayout(t *testing.T) {
	n := 0
	err := fs.WalkDir(policies.FS, "fsar", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		n++
		src, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), parserOptions())
		if err != nil {
			return err
		}
		pkg := strings.TrimSuffix(packageName(m.Package.Path), "_test")
		if want := strings.ReplaceAll(pkg, ".", "/"); path.Dir(p) != want {
			t.Errorf("%s: package %s belongs in %s/", p, packageName(m.Package.Path), want)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if utf8.RuneCountInString(line) <= 120 {
				continue
			}
			long := false
			for _, w := range strings.Fields(line) {
				long = long || utf8.RuneCountInString(w) > 100
			}
			if !long {
				t.Errorf("%s:%d: %d characters, more than Regal's 120", p, i+1, utf8.RuneCountInString(line))
			}
		}
		return nil
	})
	if err != nil || n < 20 {
		t.Fatalf("%d files: %v", n, err)
	}
}
