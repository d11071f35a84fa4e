package proposal

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"iter"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Shard is one part of a walk split across machines: Index (1-based) of
// Count. The zero Shard is the whole walk.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// MaxShards is the most shards a walk may be split into.
const MaxShards = 1024

// ParseShard reads "I/N" (1 <= I <= N <= MaxShards).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	var rest string
	if n, err := fmt.Sscanf(s, "%d/%d%s", &sh.Index, &sh.Count, &rest); n < 2 || (err != nil && n != 2) || rest != "" {
		return Shard{}, fmt.Errorf("shard %q: expected I/N, such as 2/4", s)
	}
	if sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count || sh.Count > MaxShards {
		return Shard{}, fmt.Errorf("shard %q: expected 1 <= I <= N <= %d", s, MaxShards)
	}
	return sh, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Owns reports whether key (a path relative to the folder walked, in
// slash form) belongs to the shard: by an FNV-1a hash of the key, so that
// the split is the same on every machine and for every run.
func (s Shard) Owns(key string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64()%uint64(s.Count)) == s.Index-1
}

// WalkOptions choose what a walk finds.
type WalkOptions struct {
	// Include and Exclude are glob patterns on paths relative to the folder
	// walked: a pattern without a slash matches a name, one with slashes
	// the whole path ("**" for any folders). Exclude applies to folders
	// too; files named directly are not filtered.
	Include, Exclude []string
	// Shard, when set, keeps only the shard's part of what is found.
	Shard Shard
	// FS, when set, is the file system walked instead of the process's:
	// a snapshot, such as a commit's objects (see gitfs). The units found
	// carry it, and are read from it.
	FS fs.FS
}

// Found is one thing a walk finds: a unit to read, a path that could not
// be walked (Err), or a file of another type (Other: a name without a
// report extension, found in a folder), which is only counted.
type Found struct {
	Unit  Unit
	Err   *Error
	Other string
}

// Walk expands paths — files, folders, quoted glob patterns, "-" for
// standard input — into the units to read, as it finds them, each unit
// once. Folders are walked in the order of the paths of what they hold
// (files paired, subfolders where their names sort), skipping hidden
// folders (.git): a folder's units come in the order of their paths. A
// symbolic link is followed only to a regular file inside the folder
// being read; X.md and X.json in one folder are one unit, also when only
// one of them is named. A file named directly is read whatever it is; one
// found in a folder or by a glob that turns out not to be an FSAR report
// is skipped (Unit.Walked). Only the file names of the folders on the way
// to the one being walked are held, so memory stays small however many
// files there are.
func Walk(ctx context.Context, paths []string, o WalkOptions) iter.Seq[Found] {
	return func(yield func(Found) bool) {
		w := &walker{WalkOptions: o, files: filesOf(o.FS), ctx: ctx, yield: yield, named: map[string]bool{}}
		// A file named directly is read as named, also when a folder
		// given with it holds it; the folder's walk leaves it out.
		for _, p := range paths {
			if info, err := w.files.stat(p); err == nil && !info.IsDir() {
				w.named[filepath.Clean(p)] = true
			}
		}
		if len(paths) > 1 {
			w.seen = map[string]bool{}
		}
		for _, p := range paths {
			if w.stopped() {
				return
			}
			if p == Stdin {
				w.send(Stdin, Unit{Path: Stdin})
				continue
			}
			matches, globbed, err := w.expand(p)
			if err != nil {
				w.problem(p, p, err.Error())
				continue
			}
			for _, m := range matches {
				w.path(m, globbed)
			}
		}
	}
}

// Discover is Walk collected: every unit (standard input first, then by
// path) and every path that could not be walked.
func Discover(paths []string) ([]Unit, []error) {
	var units []Unit
	var errs []error
	for f := range Walk(context.Background(), paths, WalkOptions{}) {
		switch {
		case f.Err != nil:
			errs = append(errs, f.Err)
		case f.Other == "":
			units = append(units, f.Unit)
		}
	}
	slices.SortStableFunc(units, func(a, b Unit) int {
		switch {
		case a.Path == b.Path:
			return 0
		case a.Path == Stdin:
			return -1
		case b.Path == Stdin:
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return units, errs
}

type walker struct {
	WalkOptions
	files files
	ctx   context.Context
	yield func(Found) bool
	done  bool
	// named holds the files named directly; seen, when several paths are
	// walked, the units already sent.
	named, seen map[string]bool
}

func (w *walker) stopped() bool { return w.done || w.ctx.Err() != nil }

func (w *walker) emit(f Found) {
	if !w.done && !w.yield(f) {
		w.done = true
	}
}

// send passes a unit on when it was not found before and the shard owns
// its key (its path relative to the folder walked). A unit is first
// deduplicated, then sharded, so that where two paths find it, every shard
// keys it by the path that found it first, and exactly one shard has it.
func (w *walker) send(key string, u Unit) {
	if w.seen != nil || u.Path == Stdin {
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		if w.seen[u.Path] {
			return
		}
		w.seen[u.Path] = true
	}
	if w.Shard.Owns(key) {
		u.FS = w.FS
		w.emit(Found{Unit: u})
	}
}

func (w *walker) problem(key, file, msg string) {
	if w.Shard.Owns(key) {
		w.emit(Found{Err: &Error{File: file, Msg: msg}})
	}
}

// expand returns p itself when it exists, and otherwise the paths its glob
// pattern matches (sorted), and true: quoted globs work where no shell
// expands them.
func (w *walker) expand(p string) ([]string, bool, error) {
	if _, err := w.files.lstat(p); err == nil || !strings.ContainsAny(p, `*?[`) {
		return []string{p}, false, nil
	}
	all, err := w.files.glob(p)
	if err != nil {
		return nil, true, fmt.Errorf("bad pattern: %w", err)
	}
	// As in a shell, * does not match a leading dot: .git stays out.
	var matches []string
	for _, m := range all {
		if !strings.HasPrefix(filepath.Base(m), ".") || strings.HasPrefix(filepath.Base(p), ".") {
			matches = append(matches, m)
		}
	}
	if len(matches) == 0 {
		return nil, true, errors.New("no file matches the pattern")
	}
	return matches, true, nil
}

// path walks one argument: a folder, or a file named directly or matched
// by a glob. A file a glob matched is treated as found in a folder.
func (w *walker) path(p string, globbed bool) {
	key := filepath.ToSlash(filepath.Clean(p))
	if globbed {
		// A link that a glob matched is followed only to a file in the
		// folder of the match.
		if li, err := w.files.lstat(p); err == nil && li.Mode()&fs.ModeSymlink != 0 {
			if msg := w.escapes(p, w.realAbs(filepath.Dir(p))); msg != "" {
				w.problem(key, p, msg)
				return
			}
		}
	}
	info, err := w.files.stat(p)
	if err != nil {
		w.problem(key, p, describeIO(err))
		return
	}
	if info.IsDir() {
		w.dir(p, "", w.realAbs(p))
		return
	}
	if globbed && FormOf(p) == "" {
		if w.Shard.Owns(key) {
			w.emit(Found{Other: p})
		}
		return
	}
	// With its twin when there is one: naming either finds both, keyed
	// by the unit's own path, whichever was named.
	u := Unit{Path: filepath.Clean(p), Walked: globbed}
	md, js := twinNames(u.Path)
	if md != "" && w.FS != nil {
		// In a snapshot a twin that is a link is refused, not left out:
		// on disk it would be followed and paired.
		for _, t := range []string{md, js} {
			if li, err := w.files.lstat(t); t != u.Path && err == nil && li.Mode()&fs.ModeSymlink != 0 {
				w.problem(key, t, "symbolic link: "+errSnapshotLink.Error())
				return
			}
		}
	}
	if md != "" && w.isRegular(md) && w.isRegular(js) {
		u.Path, u.Twin = md, js
	}
	if w.seen == nil && globbed {
		w.seen = map[string]bool{} // two matches may be one pair of twins
	}
	w.send(filepath.ToSlash(u.Path), u)
}

// dir walks the folder at dirPath, rel being its path relative to the
// root ("" for the root itself) and rootAbs the root's real absolute path.
func (w *walker) dir(dirPath, rel, rootAbs string) {
	if w.stopped() {
		return
	}
	var names, subdirs []string
	err := w.files.readDir(dirPath, func(entries []fs.DirEntry) {
		for _, e := range entries {
			name := e.Name()
			relName := joinRel(rel, name)
			if e.IsDir() {
				if !strings.HasPrefix(name, ".") && !w.excluded(relName) {
					subdirs = append(subdirs, name)
				}
				continue
			}
			if w.excluded(relName) || !w.included(relName) {
				continue
			}
			if FormOf(name) == "" {
				if e.Type()&fs.ModeSymlink != 0 {
					// A link to a folder could hold reports: refused, not
					// skipped. A link to another file is just another file.
					if info, err := w.files.stat(filepath.Join(dirPath, name)); err != nil || info.IsDir() {
						msg := "symbolic link to a folder; not followed (name the folder itself)"
						if err != nil {
							msg = "symbolic link: " + describeIO(err)
						}
						w.problem(relName, filepath.Join(dirPath, name), msg)
						continue
					}
				}
				if (e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0) && w.Shard.Owns(relName) {
					w.emit(Found{Other: filepath.Join(dirPath, name)})
				}
				continue
			}
			switch {
			case e.Type()&fs.ModeSymlink != 0:
				if msg := w.escapes(filepath.Join(dirPath, name), rootAbs); msg != "" {
					w.problem(relName, filepath.Join(dirPath, name), msg)
					continue
				}
			case !e.Type().IsRegular():
				w.problem(relName, filepath.Join(dirPath, name), "not a regular file (a named pipe, a device or a socket); not read")
				continue
			}
			names = append(names, name)
		}
	})
	if err != nil {
		w.problem(keyOf(rel), dirPath, describeIO(err))
	}
	slices.Sort(names)
	slices.Sort(subdirs)
	// Pair X.md with X.json in this folder; the unit takes the markdown
	// file's place in the order. Files and subfolders are taken in the
	// order of the paths they lead to (a folder's name sorts as if it
	// ended with the separator), so that a folder's units come in the
	// order of their paths, as a sorted list of them has them.
	has := func(name string) bool { _, ok := slices.BinarySearch(names, name); return ok }
	sep := string(filepath.Separator)
	for _, name := range names {
		for len(subdirs) > 0 && subdirs[0]+sep < name {
			w.dir(filepath.Join(dirPath, subdirs[0]), joinRel(rel, subdirs[0]), rootAbs)
			subdirs = subdirs[1:]
		}
		if w.stopped() {
			return
		}
		ext := filepath.Ext(name)
		stem := strings.TrimSuffix(name, ext)
		u := Unit{Path: filepath.Join(dirPath, name), Walked: true}
		switch ext {
		case ".json":
			if has(stem + ".md") {
				continue // read with its markdown twin
			}
		case ".md":
			if has(stem + ".json") {
				u.Twin = filepath.Join(dirPath, stem+".json")
			}
		}
		if w.named[u.Path] || (u.Twin != "" && w.named[u.Twin]) {
			continue // read as named
		}
		w.send(joinRel(rel, name), u)
	}
	for _, name := range subdirs {
		w.dir(filepath.Join(dirPath, name), joinRel(rel, name), rootAbs)
	}
}

// escapes returns why a symbolic link is not followed, or "" when its
// target is a regular file inside rootAbs.
func (w *walker) escapes(link, rootAbs string) string {
	target, err := w.files.real(link)
	if err != nil {
		return "symbolic link: " + describeIO(err)
	}
	rel, err := filepath.Rel(rootAbs, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symbolic link points outside the folder being read; not followed"
	}
	if !w.isRegular(target) {
		return "symbolic link does not point to a regular file; not followed"
	}
	return ""
}

// realAbs is the absolute path of dir with its symbolic links resolved,
// as far as they can be.
func (w *walker) realAbs(dir string) string {
	if real, err := w.files.real(dir); err == nil {
		return real
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

func (w *walker) isRegular(path string) bool {
	info, err := w.files.stat(path)
	return err == nil && info.Mode().IsRegular()
}

// twinNames returns the markdown and JSON names of path's pair, or "" when
// path is neither.
func twinNames(path string) (md, js string) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	switch ext {
	case ".md":
		return path, stem + ".json"
	case ".json":
		return stem + ".md", path
	}
	return "", ""
}

func joinRel(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

func keyOf(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// excluded reports whether a path relative to the root matches an
// Exclude pattern.
func (w *walker) excluded(rel string) bool {
	return slices.ContainsFunc(w.Exclude, func(p string) bool { return MatchGlob(p, rel) })
}

// included reports whether a file passes the Include patterns (every file
// does when there are none).
func (w *walker) included(rel string) bool {
	return len(w.Include) == 0 || slices.ContainsFunc(w.Include, func(p string) bool { return MatchGlob(p, rel) })
}

// MatchGlob matches a path relative to the folder walked (slash-separated)
// against a pattern: a pattern without a slash matches the last element
// (the name: "drift_*.md"); one with slashes matches the whole path, "**"
// standing for any number of folders ("archive/**", "**/2025-*/*.md").
func MatchGlob(pattern, rel string) bool {
	pattern = strings.TrimPrefix(filepath.ToSlash(pattern), "./")
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(rel))
		return ok
	}
	return matchParts(strings.Split(pattern, "/"), strings.Split(rel, "/"))
}

func matchParts(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(parts); i++ {
				if matchParts(rest, parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], parts[0]); !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}

// ValidGlob checks an Include or Exclude pattern.
func ValidGlob(pattern string) error {
	for _, part := range strings.Split(filepath.ToSlash(pattern), "/") {
		if part == "**" {
			continue
		}
		if _, err := path.Match(part, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", pattern, err)
		}
	}
	return nil
}
