package proposal

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
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
	// FS is the snapshot the unit's files are in (WalkOptions.FS); nil
	// for the process's file system.
	FS fs.FS
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
// A walked file that is not an FSAR report at all is skipped, unless its
// name says it is one (fsar*): then it is an error.
func (u Unit) Read(lim Limits, stdin io.Reader) Result {
	res := Result{Unit: u}
	var r *Report
	var err error
	if u.Path == Stdin {
		r, err = ReadAll(Stdin, stdin, lim)
	} else {
		r, err = filesOf(u.FS).readFile(u.Path, lim)
	}
	if err != nil {
		if u.Walked && u.Twin == "" && errors.Is(err, ErrNotReport) && !strings.HasPrefix(filepath.Base(u.Path), "fsar") {
			res.Skipped = true
			return res
		}
		res.Errs = append(res.Errs, err)
	}
	if u.Twin != "" {
		t, terr := filesOf(u.FS).readFile(u.Twin, lim)
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
