package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fsar-gate/fsar/internal/gate"
)

// Exit statuses. Every command maps its outcome onto these, here and
// nowhere else.
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

// exitError ends a command with a status. Err, when not nil, is printed;
// when nil, the command has already said what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode ends a command with status code after its messages were printed.
func withCode(code int) error { return &exitError{code: code} }

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitCode maps a command's error onto an exit status: nil is 0, an
// exitError its own code, anything else — usage, read, policy, evaluation,
// cancellation — 2. No error ever maps to 0.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.code != ExitOK {
		return ee.code
	}
	return ExitError
}

// verdictStatus maps a run's verdict onto the exit status: an error 2, a
// verdict that fails the gate 1.
func verdictStatus(v gate.Verdict, fails bool) error {
	switch {
	case v == gate.Error:
		return withCode(ExitError)
	case fails:
		return withCode(ExitFail)
	}
	return nil
}

// parseNow reads --now, or takes the clock.
func parseNow(clock func() time.Time, s string) (time.Time, error) {
	if s == "" {
		return clock().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, usagef("--now %q: expected an RFC 3339 time such as 2026-11-25T00:00:00Z", s)
	}
	return t.UTC(), nil
}

// oneOf checks that a flag's value is one of values.
func oneOf(flag, value string, values ...string) error {
	if slices.Contains(values, value) {
		return nil
	}
	want := values[len(values)-1]
	if len(values) > 1 {
		want = strings.Join(values[:len(values)-1], ", ") + " or " + want
	}
	return usagef("%s %q: expected %s", flag, value, want)
}
