package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Problem is one thing wrong with the policies, located where it is known.
type Problem struct {
	File   string // module file name as given by its Source ("policies/x.rego"); empty when unknown
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Msg    string
}

// String renders the problem as "file:line:column: msg", leaving out the
// parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Line))
			if p.Column > 0 {
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(p.Column))
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// LoadError reports policies that could not be read, parsed or compiled, or
// that break the policy contract. Each problem is on its own line.
type LoadError struct {
	Problems []Problem
	err      error // the cause, when there is one error behind the problems
}

// Unwrap returns the cause of the problems, when there is one: a
// *LimitError when computing the input-independent rules at load exceeded
// a limit.
func (e *LoadError) Unwrap() error { return e.err }

// Error returns the problems, one "file:line:column: message" per line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// EvalError reports a failed evaluation: a built-in error, a conflict, a
// cancelled context, or a set that breaks the policy contract. Evaluation
// fails closed: no finding is returned with it.
type EvalError struct {
	Problem
	Err error // the underlying OPA error, when there is one
}

// Error returns the problem as "file:line:column: message".
func (e *EvalError) Error() string { return e.String() }

// Unwrap returns the underlying OPA error.
func (e *EvalError) Unwrap() error { return e.Err }

// locProblem makes a problem, located's position from an AST location.
func locProblem(loc *ast.Location, msg string) Problem {
	p := Problem{Msg: msg}
	if loc != nil {
		p.File, p.Line, p.Column = loc.File, loc.Row, loc.Col
	}
	return p
}

// astProblems converts OPA's parse or compile errors into problems, with a
// note on built-ins that the sandbox removed.
func astProblems(err error) []Problem {
	var astErrs ast.Errors
	if !errors.As(err, &astErrs) {
		var one *ast.Error
		if errors.As(err, &one) {
			astErrs = ast.Errors{one}
		} else {
			return []Problem{{Msg: err.Error()}}
		}
	}
	out := make([]Problem, 0, len(astErrs))
	for _, e := range astErrs {
		p := locProblem(e.Location, explainRemoved(e.Message))
		// The parser may report one mistake twice at the same place, the
		// second time with more detail: keep the detailed one.
		if n := len(out); n > 0 && samePlace(out[n-1], p) && strings.HasPrefix(p.Msg, out[n-1].Msg) {
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

func samePlace(a, b Problem) bool {
	return a.File == b.File && a.Line == b.Line && a.Column == b.Column
}

// explainRemoved adds the reason to OPA's "undefined function X" when X is a
// built-in the sandbox removed, so the author learns it is not a typo.
func explainRemoved(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined function ")
	if !ok {
		return msg
	}
	if why, removed := removedBuiltins[name]; removed {
		return fmt.Sprintf("%s (not available to fsar policies: %s)", msg, why)
	}
	return msg
}

// evalError converts an error from OPA's evaluator into an EvalError.
func evalError(err error) error {
	var te *topdown.Error
	if errors.As(err, &te) {
		p := locProblem(te.Location, te.Message)
		if te.Code == topdown.CancelErr {
			p.Msg = "evaluation cancelled"
		}
		return &EvalError{Problem: p, Err: err}
	}
	var astErrs ast.Errors
	if errors.As(err, &astErrs) && len(astErrs) > 0 {
		return &EvalError{Problem: locProblem(astErrs[0].Location, astErrs[0].Message), Err: err}
	}
	return &EvalError{Problem: Problem{Msg: err.Error()}, Err: err}
}
