package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// Format formats a Rego v1 module as `opa fmt` does. The name is used in
// errors. A module that does not parse is a *LoadError.
func Format(name string, src []byte) ([]byte, error) {
	popts := parserOptions()
	out, err := format.SourceWithOpts(name, src, format.Opts{
		RegoVersion:   ast.RegoV1,
		ParserOptions: &popts,
	})
	if err != nil {
		return nil, &LoadError{Problems: astProblems(err)}
	}
	return out, nil
}
