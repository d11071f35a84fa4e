package policy

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Source is a tree of .rego files.
type Source struct {
	// Name prefixes the file names in errors, positions and rules:
	// "policies" for the embedded default bundle, or the --policy directory
	// as the user gave it. Empty means the names are relative to Root.
	Name string
	// FS holds the files.
	FS fs.FS
	// Root is the directory of FS to read, recursively, or a single .rego
	// file; "" means ".". File names are taken relative to Root (a single
	// file keeps its base name).
	Root string
}

// file is one .rego file read from a source.
type file struct {
	name string // Source.Name joined with the path under Root
	src  []byte
	test bool // a *_test.rego file
}

// isTestFile reports whether a file name is a Rego test file.
func isTestFile(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// walkRego calls fn with the path of every .rego file under root in fsys
// (root itself when it names one), skipping folders whose names start with
// "." (".git").
func walkRego(fsys fs.FS, root string, fn func(p string) error) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != root && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case d.IsDir() || !strings.HasSuffix(p, ".rego"):
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			// At a git revision (gitfs), links are never followed.
			return fmt.Errorf("%s: a symbolic link; policies must be files", p)
		}
		return fn(p)
	})
}

// readSources reads every .rego file under every source, sorted by name.
// Directories whose names start with "." (".git") are skipped. Two files
// with the same name are an error.
func readSources(sources []Source) ([]file, error) {
	var files []file
	var problems []Problem
	seen := map[string]bool{}
	for _, src := range sources {
		if src.FS == nil {
			problems = append(problems, Problem{File: src.Name, Msg: "policy source has no file system"})
			continue
		}
		root := src.Root
		if root == "" {
			root = "."
		}
		err := walkRego(src.FS, root, func(p string) error {
			rel := p
			switch {
			case p == root: // Root names a single file
				rel = path.Base(p)
			case root != ".":
				rel = strings.TrimPrefix(p, root+"/")
			}
			name := rel
			if src.Name != "" {
				name = path.Join(src.Name, rel)
			}
			if seen[name] {
				problems = append(problems, Problem{File: name, Msg: "two policy files have this name"})
				return nil
			}
			seen[name] = true
			b, err := fs.ReadFile(src.FS, p)
			if err != nil {
				return err
			}
			files = append(files, file{name: name, src: b, test: isTestFile(p)})
			return nil
		})
		if err != nil {
			problems = append(problems, Problem{File: src.Name, Msg: fmt.Sprintf("read policies: %v", err)})
		}
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.name, b.name) })
	return files, nil
}
