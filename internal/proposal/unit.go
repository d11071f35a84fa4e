package proposal

import (
	"cmp"
	"errors"
	"io"
	"io/fs"
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
	// Skipped is set for a walked unit that is not an FSAR report: a
	// report of another kind, or a document of none. Kind names the kind
	// ("drift", "quality_regression"; see kind.go), "" when the document
	// does not say.
	Skipped bool
	Kind    string
}

// Read reads the unit's files and pairs twins. stdin is read for "-".
// A walked unit whose files are readable but none of them an FSAR report
// (a drift report in markdown and JSON, a README) is skipped, unless its
// name says it is one (fsar*): then it is an error, as is a file named
// directly that is not a report.
func (u Unit) Read(lim Limits, stdin io.Reader) Result {
	res := Result{Unit: u}
	var r, t *Report
	var err, terr error
	if u.Path == Stdin {
		r, err = ReadAll(Stdin, stdin, lim)
	} else {
		r, err = filesOf(u.FS).readFile(u.Path, lim)
	}
	if u.Twin != "" {
		t, terr = filesOf(u.FS).readFile(u.Twin, lim)
	}
	if kind, ok := u.other(err, terr); ok {
		res.Skipped, res.Kind = true, kind
		return res
	}
	if err != nil {
		res.Errs = append(res.Errs, err)
	}
	if u.Twin != "" {
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

// other tells whether a unit whose files gave these errors is a document
// of another kind, and which: it was found by a walk, its name does not
// say it is an FSAR report, and every one of its files is readable but
// not an FSAR report. (X.md and X.json are one report seen twice: when
// one of them is an FSAR report, the other one is read as its twin.)
func (u Unit) other(err, twinErr error) (string, bool) {
	if !u.Walked || FSARName(u.Path) || !errors.Is(err, ErrNotReport) {
		return "", false
	}
	kind := KindOf(err)
	if u.Twin != "" {
		if !errors.Is(twinErr, ErrNotReport) {
			return "", false
		}
		kind = cmp.Or(kind, KindOf(twinErr))
	}
	return kind, true
}
