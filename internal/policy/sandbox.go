package policy

import (
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// removedBuiltins are the built-in functions that fsar policies may not call,
// with the reason given in the compile error. Everything else that OPA ships
// is pure (or, like time.now_ns, reads the pinned evaluation time).
//
// Besides those that reach out or are random, the sandbox removes the
// built-ins whose result's size is set by an argument rather than by the
// size of the values passed in, so that a few characters of policy can ask
// for gigabytes: numbers.range(1, 1e8), net.cidr_expand("10.0.0.0/4"),
// bits.lsh(1, 1e12). The deadline and the memory limit (limits.go) would
// stop most of them, but late: some build their result in one Go call that
// does not look at the cancellation flag (bits.lsh, the Go templates of
// strings.render_template, graph.reachable_paths' enumeration of every
// path), and the others would fill the heap up to the limit on the way.
// Removing them costs little: the bundled policies use none, and a policy
// can iterate over the collections it has (some i, x in arr) instead of
// numbers.range over their indexes. Removed rather than bounded, because
// OPA looks its own built-ins up before any custom one of the same name, so
// a bounded version could only be had by replacing OPA's process-wide
// implementation. A policy that calls one is refused at compile time, with
// its file:line and the reason below.
//
// Kept, with the limits to stop them: sprintf (Go caps each width and
// precision at 10^6, so the output grows with the format, which must be
// built first), concat, replace, strings.replace_n and regex.replace
// (their output grows with their inputs, and they poll the cancellation
// flag as they write), json.marshal_with_options (its indent repeats per
// line of a value that must exist first), and comprehensions, which the
// evaluator polls at every expression.
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
	// Their result's size is set by an argument (see above).
	"numbers.range":           "its result's size is set by its arguments (numbers.range(1, 1e8) is 100 million numbers); iterate over a collection instead",
	"numbers.range_step":      "its result's size is set by its arguments; iterate over a collection instead",
	"net.cidr_expand":         "its result's size is set by its argument (a /4 holds 268 million addresses); use net.cidr_contains",
	"bits.lsh":                "its result's size is set by its argument (bits.lsh(1, n) is an n-bit number, built in one step that cannot be stopped)",
	"strings.render_template": "a Go template can loop and pad without limit, in one step that cannot be stopped; use sprintf or concat",
	"graph.reachable_paths":   "it enumerates every path, exponentially many, in one step that cannot be stopped; use graph.reachable",
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
// read a file at compile time); rule metadata folded into the rules that
// read it (metadata.go).
func newCompiler(printStatements bool) *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(sandboxCapabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithStrict(true).
		WithEnablePrintStatements(printStatements).
		WithUseTypeCheckAnnotations(false).
		WithStageAfterID(ast.StageRewriteRegoMetadataCalls, ast.CompilerStageDefinition{
			Name: foldMetadataStage, MetricName: "compile_stage_" + foldMetadataStage, Stage: foldMetadata,
		})
}

// parserOptions are the options every module is parsed with.
func parserOptions() ast.ParserOptions {
	return ast.ParserOptions{
		Capabilities:      sandboxCapabilities(),
		ProcessAnnotation: true,
		RegoVersion:       ast.RegoV1,
	}
}
