package proposal

import (
	"errors"
	"fmt"
)

// ErrNotReport is wrapped by the error for a file that is readable but is
// not an FSAR proposal report at all (a drift report, a README). A sweep
// counts such files; a check fails on them.
var ErrNotReport = errors.New("not an FSAR proposal report")

// Error is a read error with the place it was found.
type Error struct {
	File string
	Pos  Pos // zero when the error is about the whole file
	Msg  string
	// Err is a wrapped cause: ErrNotReport, or an I/O error.
	Err error
	// Kind is, for a document that is a report of another kind
	// (ErrNotReport), that kind: "drift", "quality_regression"; "" when
	// the document does not say.
	Kind string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Pos.IsValid() {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Column)
	}
	return loc + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(file string, pos Pos, format string, args ...any) *Error {
	return &Error{File: file, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func notReport(file string, pos Pos, format string, args ...any) *Error {
	e := errAt(file, pos, format, args...)
	e.Err = ErrNotReport
	return e
}
