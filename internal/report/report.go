// Package report writes check results in the formats people and tools
// read. Each format is one Formatter; none of them changes the result.
//
// Report text (file names, ids, messages that quote reports, rule ids from
// custom policies) is untrusted: every format escapes it for its target,
// so that it can neither break the output's structure nor act in the
// place the output is read (a terminal, a pull-request comment, the GitHub
// Actions log, a test-report viewer). Every format writes the same bytes
// for the same result, whatever order the reports were judged in.
package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/fsar-gate/fsar/internal/actions"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// Formatter writes a check result.
type Formatter interface {
	Format(w io.Writer, res *gate.Result) error
}

// Options tune how formatters write. Nothing here comes from the
// environment by itself: the command fills it in.
type Options struct {
	// Color allows ANSI colour (text only, and only on a terminal).
	Color bool
	// Quiet writes in the text format only the reports at or above FailOn
	// (warn at least), the errors and the summary (see Text).
	Quiet  bool
	FailOn gate.Verdict

	// Rules are the policy rules the run evaluated (the engine's Rules):
	// junit makes a testcase of each for every report, sarif a
	// reportingDescriptor. Findings of rules not listed here (custom
	// policies without a METADATA custom.id) are described from the
	// findings themselves.
	Rules []policy.Rule

	// ServerURL, Repository ("OWNER/REPO") and SHA locate the reports on
	// GitHub: when all three are set and well formed, markdown links each
	// finding to its line ($GITHUB_SERVER_URL/OWNER/REPO/blob/SHA/PATH#L12).
	ServerURL  string
	Repository string
	SHA        string
	// RunURL is the page of the workflow run that produced the result;
	// markdown points to it for the full result.
	RunURL string

	// WorkDir is the absolute folder that relative report paths are
	// relative to, and RepoRoot the absolute root of the repository that
	// holds the reports. Links, SARIF locations and annotations use paths
	// relative to RepoRoot; when either is empty, relative report paths are
	// taken as relative to the repository root already.
	WorkDir  string
	RepoRoot string

	// ResultFiles are other outputs of the same run that hold the full
	// result (the JSON or SARIF file); markdown names them when it has to
	// leave findings out.
	ResultFiles []string

	// MaxBytes bounds the markdown output; DefaultMarkdownBytes when 0.
	MaxBytes int
}

// Locate sets where the reports are on GitHub from the Actions
// environment: its server, repository and run, the commit links point at
// (actions.Env.LinkSHA), and the checkout's root; workDir is the folder
// relative report paths start from.
func (o *Options) Locate(env *actions.Env, workDir string) {
	o.ServerURL, o.Repository, o.SHA, o.RunURL = env.ServerURL, env.Repository, env.LinkSHA(), env.RunURL()
	o.WorkDir, o.RepoRoot = workDir, env.Workspace
}

// Summary renders the markdown verdict for a job summary (see
// actions.AppendSummary): cut to the room the file has left, and never
// more than DefaultMarkdownBytes; nothing when even the shortest verdict
// would not fit.
func (o Options) Summary(res *gate.Result) func(room int64) ([]byte, error) {
	return func(room int64) ([]byte, error) {
		if room < MinMarkdownBytes {
			return nil, nil
		}
		o.MaxBytes = int(min(room, DefaultMarkdownBytes))
		var buf bytes.Buffer
		err := (&Markdown{Options: o}).Format(&buf, res)
		return buf.Bytes(), err
	}
}

// Names lists the formats New knows, sorted.
func Names() []string {
	names := make([]string, 0, len(formatters))
	for n := range formatters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var formatters = map[string]func(Options) Formatter{
	"text":     func(o Options) Formatter { return &Text{Color: o.Color, Quiet: o.Quiet, FailOn: o.FailOn} },
	"json":     func(Options) Formatter { return JSON{} },
	"markdown": func(o Options) Formatter { return &Markdown{Options: o} },
	"junit":    func(o Options) Formatter { return &JUnit{Options: o} },
	"sarif":    func(o Options) Formatter { return &SARIF{Options: o} },
	"github":   func(o Options) Formatter { return &GitHub{Options: o} },
}

// Renderer writes res in any format with these options; color says
// whether a writer may carry colour (the text format only uses it).
func (o Options) Renderer(res *gate.Result, color func(io.Writer) bool) func(io.Writer, string) error {
	return func(w io.Writer, format string) error {
		fo := o
		fo.Color = format == "text" && color(w)
		f, err := New(format, fo)
		if err != nil {
			return err
		}
		return f.Format(w, res)
	}
}

// Valid tells whether New knows the format name.
func Valid(name string) error {
	_, err := New(name, Options{})
	return err
}

// New returns the formatter named name.
func New(name string, opts Options) (Formatter, error) {
	f, ok := formatters[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %v)", name, Names())
	}
	return f(opts), nil
}
