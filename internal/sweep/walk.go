package sweep

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/proposal"
)

// Shard is one part of a sweep split across machines: Index (1-based) of
// Count. The zero Shard is the whole sweep.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads "I/N" (1 <= I <= N).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	var rest string
	if n, err := fmt.Sscanf(s, "%d/%d%s", &sh.Index, &sh.Count, &rest); n < 2 || (err != nil && n != 2) || rest != "" {
		return Shard{}, fmt.Errorf("shard %q: expected I/N, such as 2/4", s)
	}
	if sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, fmt.Errorf("shard %q: expected 1 <= I <= N", s)
	}
	return sh, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// whole reports whether s is the whole sweep (no shard, or 1/1).
func (s Shard) whole() bool { return s.Count <= 1 }

// owns reports whether key (a path relative to the sweep root, in slash
// form) belongs to the shard: by an FNV-1a hash of the key, so that the
// split is the same on every machine and for every run.
func (s Shard) owns(key string) bool {
	if s.whole() {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64()%uint64(s.Count)) == s.Index-1
}

// walker walks the sweep's paths and sends the units to read, in a stable
// order: each folder's files (paired into units, sorted), then its
// subfolders. What it finds besides units it counts itself: out is closed
// after the last unit, and then ignored and problems are complete.
type walker struct {
	include, exclude []string
	shard            Shard
	out              chan<- proposal.Unit // nil: only count, for progress
	ctx              context.Context
	progress         *Progress // told of every unit found, when counting

	ignored  int             // files of other types
	problems []gate.Problem  // paths that could not be walked
	named    map[string]bool // units of files named or matched by a glob, sent once
}

// run expands and walks every path; it closes out at the end.
func (w *walker) run(paths []string) {
	if w.out == nil {
		defer w.progress.walked()
	} else {
		defer close(w.out)
	}
	for _, p := range paths {
		if w.ctx.Err() != nil {
			return
		}
		matches, globbed, err := expand(p)
		if err != nil {
			w.problem(p, p, err.Error())
			continue
		}
		for _, m := range matches {
			w.path(m, globbed)
		}
	}
}

// expand returns p itself when it exists, and otherwise the paths its glob
// pattern matches (sorted), and true: quoted globs work where no shell
// expands them.
func expand(p string) ([]string, bool, error) {
	if _, err := os.Lstat(p); err == nil || !hasMeta(p) {
		return []string{p}, false, nil
	}
	all, err := filepath.Glob(p)
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

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }

// path walks one argument: a folder, or a file named directly or matched
// by a glob. A file named is read whatever it is, as `fsar check` does; one
// a glob matched is treated as found in a folder: when it is not an FSAR
// report it is counted, not failed.
func (w *walker) path(p string, globbed bool) {
	key := filepath.ToSlash(filepath.Clean(p))
	if globbed {
		// A link that a glob matched is followed only to a file in the
		// folder of the match.
		if li, err := os.Lstat(p); err == nil && li.Mode()&fs.ModeSymlink != 0 {
			dir, _ := filepath.Abs(filepath.Dir(p))
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				dir = real
			}
			if msg := w.escapes(p, dir); msg != "" {
				w.problem(key, p, msg)
				return
			}
		}
	}
	info, err := os.Stat(p)
	if err != nil {
		w.problem(key, p, describe(err))
		return
	}
	if !info.IsDir() {
		// With its twin when there is one: naming either finds both, once.
		units, errs := proposal.Discover([]string{p})
		for _, e := range errs {
			if w.shard.owns(key) {
				w.problems = append(w.problems, gate.ProblemOf(e))
			}
		}
		for _, u := range units {
			if w.named == nil {
				w.named = map[string]bool{}
			}
			if w.named[u.Path] {
				continue
			}
			w.named[u.Path] = true
			if proposal.FormOf(u.Path) == "" && globbed {
				if w.shard.owns(filepath.ToSlash(u.Path)) {
					w.ignored++
				}
				continue
			}
			u.Walked = globbed
			w.send(filepath.ToSlash(u.Path), u)
		}
		return
	}
	rootAbs, err := filepath.Abs(p)
	if err == nil {
		if real, rerr := filepath.EvalSymlinks(rootAbs); rerr == nil {
			rootAbs = real
		}
	}
	w.dir(p, "", rootAbs)
}

// dir walks the folder at path, rel being its path relative to the root
// ("" for the root itself). Only the names of the folder's report files
// are kept while it is swept, so that a flat folder of 200,000 files costs
// a few megabytes.
func (w *walker) dir(dirPath, rel, rootAbs string) {
	if w.ctx.Err() != nil {
		return
	}
	f, err := os.Open(dirPath)
	if err != nil {
		w.problem(keyOf(rel, "."), dirPath, describe(err))
		return
	}
	var names, subdirs []string
	for {
		entries, err := f.ReadDir(1024)
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
			if proposal.FormOf(name) == "" {
				if e.Type().IsRegular() && w.shard.owns(relName) {
					w.ignored++
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
				continue
			}
			names = append(names, name)
		}
		if err != nil {
			if err != io.EOF {
				w.problem(keyOf(rel, "."), dirPath, describe(err))
			}
			break
		}
	}
	f.Close()
	slices.Sort(names)
	slices.Sort(subdirs)
	// Pair X.md with X.json in this folder; the unit takes the markdown
	// file's place in the order.
	has := func(name string) bool { _, ok := slices.BinarySearch(names, name); return ok }
	for _, name := range names {
		ext := filepath.Ext(name)
		stem := strings.TrimSuffix(name, ext)
		u := proposal.Unit{Path: filepath.Join(dirPath, name), Walked: true}
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
		w.send(joinRel(rel, name), u)
	}
	for _, name := range subdirs {
		w.dir(filepath.Join(dirPath, name), joinRel(rel, name), rootAbs)
	}
}

// escapes returns why a symbolic link is not followed, or "" when its
// target is a file inside the root.
func (w *walker) escapes(link, rootAbs string) string {
	target, err := filepath.EvalSymlinks(link)
	if err == nil {
		target, err = filepath.Abs(target)
	}
	if err != nil {
		return "symbolic link: " + describe(err)
	}
	rel, err := filepath.Rel(rootAbs, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symbolic link points outside the folder being swept; not followed"
	}
	info, err := os.Stat(target)
	if err != nil || !info.Mode().IsRegular() {
		return "symbolic link does not point to a regular file; not followed"
	}
	return ""
}

func (w *walker) problem(key, file, msg string) {
	if w.shard.owns(key) {
		w.problems = append(w.problems, gate.Problem{Location: gate.Location{File: file}, Message: msg})
	}
}

// send passes a unit on when the shard owns its key (its path relative to
// the folder swept).
func (w *walker) send(key string, u proposal.Unit) {
	if !w.shard.owns(key) {
		return
	}
	if w.out == nil {
		w.progress.found()
		return
	}
	select {
	case w.out <- u:
	case <-w.ctx.Done():
	}
}

func joinRel(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

func keyOf(rel, def string) string {
	if rel == "" {
		return def
	}
	return rel
}

// excluded reports whether a path relative to the root matches an
// --exclude pattern.
func (w *walker) excluded(rel string) bool {
	return slices.ContainsFunc(w.exclude, func(p string) bool { return matchGlob(p, rel) })
}

// included reports whether a file passes the --include patterns (every
// file does when there are none).
func (w *walker) included(rel string) bool {
	return len(w.include) == 0 || slices.ContainsFunc(w.include, func(p string) bool { return matchGlob(p, rel) })
}

// matchGlob matches a path relative to the sweep root (slash-separated)
// against a pattern: a pattern without a slash matches the last element
// (the name: "drift_*.md"); one with slashes matches the whole path, "**"
// standing for any number of folders ("archive/**", "**/2025-*/*.md").
func matchGlob(pattern, rel string) bool {
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

// ValidGlob checks an --include or --exclude pattern.
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

func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}
