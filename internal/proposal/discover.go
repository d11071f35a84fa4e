package proposal

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Stdin is the argument that names standard input.
const Stdin = "-"

// Unit is one report to read: a file, or a pair of twin files.
type Unit struct {
	Path string // the primary file: the markdown one of a pair; "-" for stdin
	Twin string // the JSON twin, or ""
	// Walked is set when the unit was found by walking a folder rather than
	// named: such a file that turns out not to be an FSAR report at all is
	// skipped instead of failing, unless its name says it is one (fsar_*).
	Walked bool
}

// Discover expands paths (files, folders, "-") into the units to read,
// sorted by path, each report once. A folder is walked for .md, .json,
// .yaml and .yml files, skipping hidden folders (.git) and never leaving
// the folder through a symbolic link. X.md and X.json in one folder are one
// unit, also when only one of them is named. Errors name the paths that
// could not be walked; the units found elsewhere are still returned.
func Discover(paths []string) ([]Unit, []error) {
	var errs []error
	files := map[string]bool{} // clean path -> walked
	stdin := false
	for _, p := range paths {
		if p == Stdin {
			stdin = true
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: describeIO(err), Err: err})
			continue
		}
		if !info.IsDir() {
			files[filepath.Clean(p)] = false
			continue
		}
		errs = append(errs, walk(p, files)...)
	}
	units := pairUnits(files)
	if stdin {
		units = append([]Unit{{Path: Stdin}}, units...)
	}
	return units, errs
}

func walk(root string, files map[string]bool) []error {
	var errs []error
	rootAbs, _ := filepath.Abs(root)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, &Error{File: path, Msg: describeIO(err), Err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if FormOf(path) == "" {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if err := insideRoot(rootAbs, path); err != nil {
				errs = append(errs, err)
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		clean := filepath.Clean(path)
		if _, named := files[clean]; !named {
			files[clean] = true
		}
		return nil
	})
	if err != nil {
		errs = append(errs, &Error{File: root, Msg: err.Error(), Err: err})
	}
	return errs
}

// insideRoot refuses a symbolic link whose target lies outside root.
func insideRoot(rootAbs, path string) error {
	target, err := filepath.EvalSymlinks(path)
	if err == nil {
		target, err = filepath.Abs(target)
	}
	if err != nil {
		return &Error{File: path, Msg: "symbolic link: " + describeIO(err), Err: err}
	}
	realRoot, err := filepath.EvalSymlinks(rootAbs)
	if err != nil {
		realRoot = rootAbs
	}
	rel, err := filepath.Rel(realRoot, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return &Error{File: path, Msg: "symbolic link points outside the folder being read; not followed"}
	}
	return nil
}

// pairUnits groups X.md with X.json; a file named on the command line finds
// its twin on disk too.
func pairUnits(files map[string]bool) []Unit {
	byPrimary := map[string]*Unit{}
	for path, walked := range files {
		md, js := twinNames(path)
		if md == "" {
			byPrimary[path] = &Unit{Path: path, Walked: walked}
			continue
		}
		_, mdListed := files[md]
		_, jsListed := files[js]
		mdThere := mdListed || (!walked && exists(md))
		jsThere := jsListed || (!walked && exists(js))
		if !mdThere || !jsThere {
			byPrimary[path] = &Unit{Path: path, Walked: walked}
			continue
		}
		u := byPrimary[md]
		if u == nil {
			u = &Unit{Path: md, Twin: js, Walked: true}
			byPrimary[md] = u
		}
		u.Walked = u.Walked && walked
	}
	units := make([]Unit, 0, len(byPrimary))
	for _, u := range byPrimary {
		units = append(units, *u)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Path < units[j].Path })
	return units
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

func exists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// Result is what reading one unit gave.
type Result struct {
	Unit   Unit
	Report *Report // nil when nothing could be read
	Errs   []error
	// Skipped is set for a walked file that is not an FSAR report.
	Skipped bool
}

// Read reads the unit's files and pairs twins. stdin is read for "-".
func (u Unit) Read(maxBytes int64, stdin io.Reader) Result {
	return u.ReadWith(maxBytes, stdin, nil)
}

// ReadWith is Read with the files read by readFile (ReadFile when nil):
// a caller that reads many files may read them its own way.
func (u Unit) ReadWith(maxBytes int64, stdin io.Reader, readFile func(path string, maxBytes int64) (*Report, error)) Result {
	if readFile == nil {
		readFile = ReadFile
	}
	res := Result{Unit: u}
	var r *Report
	var err error
	if u.Path == Stdin {
		r, err = ReadAll(Stdin, stdin, maxBytes)
	} else {
		r, err = readFile(u.Path, maxBytes)
	}
	if err != nil {
		if u.Walked && u.Twin == "" && errors.Is(err, ErrNotReport) && !strings.HasPrefix(filepath.Base(u.Path), "fsar") {
			res.Skipped = true
			return res
		}
		res.Errs = append(res.Errs, err)
	}
	if u.Twin != "" {
		t, terr := readFile(u.Twin, maxBytes)
		switch {
		case terr != nil:
			res.Errs = append(res.Errs, terr)
		case r == nil:
			r = t
		default:
			Pair(r, t)
		}
	}
	res.Report = r
	return res
}
