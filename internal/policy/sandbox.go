package policy

import (
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// removedBuiltins are the built-in functions that fsar policies may not call,
// with the reason given in the compile error. Everything else that OPA ships
// is pure (or, like time.now_ns, reads the pinned evaluation time).
var removedBuiltins = map[string]string{
	"http.send":              "it reaches the network",
	"net.lookup_ip_addr":     "it reaches the network (DNS)",
	"opa.runtime":            "it reads the environment and the OPA configuration",
	"rand.intn":              "it is random",
	"uuid.rfc4122":           "it is random",
	"io.jwt.encode_sign":     "it is random (signing draws random numbers)",
	"io.jwt.encode_sign_raw": "it is random (signing draws random numbers)",
	"json.match_schema":      "a schema $ref can read files or reach the network",
	"json.verify_schema":     "a schema $ref can read files or reach the network",
	"providers.aws.sign_req": "it signs cloud requests with credentials",
	// Both verify against the wall clock, not the pinned evaluation time.
	"crypto.x509.parse_and_verify_certificates":              "it reads the wall clock",
	"crypto.x509.parse_and_verify_certificates_with_options": "it reads the wall clock",
}

// RemovedBuiltins returns the names of the OPA built-in functions that the
// sandbox takes away from policies, sorted.
func RemovedBuiltins() []string {
	names := make([]string, 0, len(removedBuiltins))
	for name := range removedBuiltins {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// sandboxCapabilities returns the capabilities every module is compiled and
// evaluated with: this OPA's, less the removed built-ins, with no host
// allowed for network access. The value is shared and must not be modified.
var sandboxCapabilities = sync.OnceValue(func() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(caps.Builtins))
	for _, b := range caps.Builtins {
		if _, removed := removedBuiltins[b.Name]; !removed {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{} // empty, not nil: nil would allow every host
	return caps
})

// newCompiler returns a compiler set up for the sandbox: Rego v1, strict,
// the sandbox capabilities, and no schema annotations (a schema $ref could
// read a file at compile time).
func newCompiler(printStatements bool) *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(sandboxCapabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithStrict(true).
		WithEnablePrintStatements(printStatements).
		WithUseTypeCheckAnnotations(false)
}

// parserOptions are the options every module is parsed with.
func parserOptions() ast.ParserOptions {
	return ast.ParserOptions{
		Capabilities:      sandboxCapabilities(),
		ProcessAnnotation: true,
		RegoVersion:       ast.RegoV1,
	}
}
