package proposal

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// files is the file system a walk and its reads see: the process's own,
// or a snapshot (fs.FS) such as the objects of a git commit, read without
// a checkout. Names are the walk's, in the host's form. A snapshot's
// symbolic links are never followed.
type files interface {
	lstat(name string) (fs.FileInfo, error)
	stat(name string) (fs.FileInfo, error)
	// readDir calls fn with the entries of the folder name, in batches.
	readDir(name string, fn func([]fs.DirEntry)) error
	glob(pattern string) ([]string, error)
	// real is the absolute path of name with its links resolved.
	real(name string) (string, error)
	readFile(name string, lim Limits) (*Report, error)
}

// filesOf is the file system of a walk or unit: fsys, or the process's
// own when nil.
func filesOf(fsys fs.FS) files {
	if fsys == nil {
		return osFiles{}
	}
	return fsFiles{fsys}
}

type osFiles struct{}

func (osFiles) lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }
func (osFiles) stat(name string) (fs.FileInfo, error)  { return os.Stat(name) }
func (osFiles) glob(pattern string) ([]string, error)  { return filepath.Glob(pattern) }
func (osFiles) readFile(name string, lim Limits) (*Report, error) {
	return ReadFile(name, lim)
}

func (osFiles) readDir(name string, fn func([]fs.DirEntry)) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		entries, err := f.ReadDir(1024)
		fn(entries)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (osFiles) real(name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// fsFiles is a snapshot: names are taken relative to its root.
type fsFiles struct{ fsys fs.FS }

// name is a walk's name as the snapshot names it.
func (fsFiles) name(n string) string {
	n = path.Clean(filepath.ToSlash(n))
	if n == "" || n == "/" {
		return "."
	}
	return strings.TrimPrefix(n, "/")
}

func (f fsFiles) lstat(name string) (fs.FileInfo, error) {
	if err := f.noLinkAbove(name); err != nil {
		return nil, err
	}
	return snapshotErr(fs.Lstat(f.fsys, f.name(name)))
}

// stat is lstat: a snapshot's links are never followed, so stat refuses
// a link (errSnapshotLink) where the process's would follow it.
func (f fsFiles) stat(name string) (fs.FileInfo, error) {
	info, err := f.lstat(name)
	if err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errSnapshotLink}
	}
	return info, err
}

// noLinkAbove refuses a name reached through a link: no folder above it
// in the snapshot may be one.
func (f fsFiles) noLinkAbove(name string) error {
	n := f.name(name)
	for dir := path.Dir(n); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if info, err := fs.Lstat(f.fsys, dir); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return &fs.PathError{Op: "read", Path: name, Err: errSnapshotLink}
		}
	}
	return nil
}

// snapshotErr says where a file was missing from: a snapshot's paths are
// not the working tree's.
func snapshotErr(info fs.FileInfo, err error) (fs.FileInfo, error) {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist) {
		pe.Op = "at the git revision"
	}
	return info, err
}
func (f fsFiles) glob(pattern string) ([]string, error) {
	return fs.Glob(f.fsys, f.name(pattern))
}

// errSnapshotLink is why a snapshot's symbolic link is not followed: what
// it points to is not part of what was read.
var errSnapshotLink = errors.New("a symbolic link at a git revision is not followed")

func (f fsFiles) real(name string) (string, error) {
	if _, err := f.stat(name); errors.Is(err, errSnapshotLink) {
		return "", errSnapshotLink
	}
	return "/" + f.name(name), nil
}

func (f fsFiles) readDir(name string, fn func([]fs.DirEntry)) error {
	if _, err := f.stat(name); err != nil {
		return err
	}
	entries, err := fs.ReadDir(f.fsys, f.name(name))
	fn(entries)
	return err
}

func (f fsFiles) readFile(name string, lim Limits) (*Report, error) {
	if _, err := f.stat(name); err != nil {
		return nil, &Error{File: name, Msg: describeIO(err), Err: err}
	}
	file, err := f.fsys.Open(f.name(name))
	if err != nil {
		return nil, &Error{File: name, Msg: describeIO(err), Err: err}
	}
	defer file.Close()
	if info, err := file.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, notRegular(name)
	}
	data, err := readLimited(name, file, lim.bytes())
	if err != nil {
		return nil, err
	}
	return ParseLimited(name, data, "", lim)
}

// Footprint is what a walk of paths may read, as files and folders to take
// into a snapshot (see WalkOptions.FS): each path, the twin of each file
// named, and for a glob pattern the folder above its first wildcard.
func Footprint(paths []string) []string {
	var out []string
	for _, p := range paths {
		if i := strings.IndexAny(p, `*?[`); i >= 0 {
			p = filepath.Dir(p[:i+1])
		}
		out = append(out, p)
		if md, js := twinNames(p); md != "" {
			out = append(out, md, js)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
