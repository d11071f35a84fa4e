package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsar-gate/fsar/internal/gitfs"
)

// repoFiles keeps the policy, data and configuration files a run reads
// from the working tree to what the repository holds. A pull request
// controls the files in the repository, links included: a link it adds,
// named .fsar.yaml, could make a rule echo any file of the runner into a
// comment. So a path inside the repository must stay inside it once its
// links are followed, and be a regular file (a named pipe would block the
// run) or a folder. A path outside the repository is taken as it is: only
// the workflow's author can name one, with a flag.
type repoFiles struct {
	root, realRoot string // the repository's top level, and its real path
}

// newRepoFiles finds the repository that holds the working folder (git's
// top level; the working folder itself outside git).
func newRepoFiles(ctx context.Context) (repoFiles, error) {
	root, err := gitfs.TopLevel(ctx, ".")
	if err != nil {
		if root, err = os.Getwd(); err != nil {
			return repoFiles{}, err
		}
	}
	r := repoFiles{root: filepath.Clean(root), realRoot: filepath.Clean(root)}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		r.realRoot = real
	}
	return r, nil
}

// check refuses path when it is in the repository but leads out of it, or
// is neither a regular file nor a folder.
func (r repoFiles) check(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if !within(r.root, abs) && !within(r.realRoot, abs) {
		return nil // named outside the repository by the workflow's author
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	if !within(r.realRoot, real) {
		return fmt.Errorf("a symbolic link out of the repository, to %s: policies, data and configuration must be files in it", real)
	}
	info, err := os.Stat(real)
	if err != nil {
		return err
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		return errors.New("not a regular file (a named pipe, a device or a socket)")
	}
	return nil
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// readFile reads the file at path after check.
func (r repoFiles) readFile(path string) ([]byte, error) {
	if err := r.check(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// dirFS is os.DirFS(dir) with every file and folder it opens checked.
func (r repoFiles) dirFS(dir string) fs.FS { return checkedFS{fsys: os.DirFS(dir), dir: dir, files: r} }

type checkedFS struct {
	fsys  fs.FS
	dir   string
	files repoFiles
}

func (c checkedFS) Open(name string) (fs.File, error) {
	if err := c.files.check(filepath.Join(c.dir, filepath.FromSlash(name))); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return c.fsys.Open(name)
}
