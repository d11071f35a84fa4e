package actions

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// actionsVariable is the name of a variable GitHub Actions sets for fsar.
var actionsVariable = regexp.MustCompile(`^(GITHUB_[A-Z_]+|GH_TOKEN)$`)

// TestOnlyThisPackageReadsActions: no production code outside this
// package names a GitHub Actions variable, and only the process's edges
// (cmd/, the command factory, the terminal streams) read the environment
// at all. internal/github/fakegh, a fake GitHub for tests, sets the
// variables for the scripts it starts and is allowed to name them.
func TestOnlyThisPackageReadsActions(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	envReaders := map[string]bool{"Getenv": true, "LookupEnv": true, "Environ": true}
	mayReadEnv := func(rel string) bool {
		return strings.HasPrefix(rel, "cmd/") || rel == "internal/cli/root.go" || strings.HasPrefix(rel, "internal/iostreams/") || strings.HasPrefix(rel, "internal/actions/")
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING || strings.HasPrefix(rel, "internal/actions/") || strings.HasPrefix(rel, "internal/github/fakegh/") {
					return true
				}
				if s, err := strconv.Unquote(n.Value); err == nil && actionsVariable.MatchString(s) {
					t.Errorf("%s names %s: read it through internal/actions", rel, s)
				}
			case *ast.SelectorExpr:
				pkg, ok := n.X.(*ast.Ident)
				if ok && (pkg.Name == "os" || pkg.Name == "syscall") && envReaders[n.Sel.Name] && !mayReadEnv(rel) {
					t.Errorf("%s calls %s.%s: take what it needs from the command's factory", rel, pkg.Name, n.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d Go files found under %s", files, root)
	}
}
