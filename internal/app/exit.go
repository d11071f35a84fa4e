package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
)

// Exit statuses. Every run maps its outcome onto these, and ExitCode maps
// its error onto one of them.
const (
	// ExitOK: everything was read and evaluated, and nothing fails the gate.
	ExitOK = 0
	// ExitFail: everything was read and evaluated, and a report fails the gate.
	ExitFail = 1
	// ExitError: a usage, read, policy or evaluation error. Never a pass.
	ExitError = 2
	// ExitPublish: --publish-required, and the verdict could not be
	// published.
	ExitPublish = 3
)

// StatusError ends a command with a status. Err, when not nil, is
// printed; when nil, the command has already said what went wrong.
type StatusError struct {
	Code int
	Err  error
}

func (e *StatusError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *StatusError) Unwrap() error { return e.Err }

// WithCode ends a command with status code after its messages were printed.
func WithCode(code int) error { return &StatusError{Code: code} }

// UsageError is a mistake in the command line.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef is a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode maps a command's error onto an exit status: nil is 0, a
// StatusError its own code, anything else — usage, read, policy,
// evaluation, cancellation — 2. No error ever maps to 0.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var se *StatusError
	if errors.As(err, &se) && se.Code != ExitOK {
		return se.Code
	}
	return ExitError
}

// VerdictStatus maps a run's verdict onto the exit status: an error 2, a
// verdict that fails the gate 1.
func VerdictStatus(v gate.Verdict, fails bool) error {
	switch {
	case v == gate.Error:
		return WithCode(ExitError)
	case fails:
		return WithCode(ExitFail)
	}
	return nil
}

// ParseNow reads --now, or takes the clock.
func ParseNow(clock func() time.Time, s string) (time.Time, error) {
	if s == "" {
		return clock().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, Usagef("--now %q: expected an RFC 3339 time such as 2026-11-25T00:00:00Z", s)
	}
	return t.UTC(), nil
}

// OneOf checks that a flag's value is one of values.
func OneOf(flag, value string, values ...string) error {
	if slices.Contains(values, value) {
		return nil
	}
	want := values[len(values)-1]
	if len(values) > 1 {
		want = strings.Join(values[:len(values)-1], ", ") + " or " + want
	}
	return Usagef("%s %q: expected %s", flag, value, want)
}
