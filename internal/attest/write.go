package attest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	intoto "github.com/in-toto/attestation/go/v1"

	"github.com/fsar-gate/fsar/internal/gate"
)

// The output formats of fsar check that attest: the whole run's statement
// to a file, and one statement per report into a folder.
const (
	FormatRun       = "vsa"
	FormatPerReport = "vsa-per-report"
)

// Attester writes a result's attestations: statements, or DSSE envelopes
// when Key is set, each one line of JSON.
type Attester struct {
	Options
	Key *Key
}

// Run is the attestation of the whole result.
func (a Attester) Run(ctx context.Context, res *gate.Result) ([]byte, error) {
	st, err := Statement(res, a.Options)
	if err != nil {
		return nil, err
	}
	return a.encode(ctx, st)
}

// Out is one attestation to write: its path under the folder, and bytes.
type Out struct {
	Path string
	Data []byte
}

// Each are the attestations of each report, to write under a folder: the
// attestation of the report named N (its subject name, a repository path)
// is N.intoto.jsonl.
func (a Attester) Each(ctx context.Context, res *gate.Result) ([]Out, error) {
	all, err := PerReport(res, a.Options)
	if err != nil {
		return nil, err
	}
	files := make([]Out, 0, len(all))
	by := make(map[string]string, len(all))
	for _, n := range all {
		b, err := a.encode(ctx, n.Statement)
		if err != nil {
			return nil, err
		}
		name := FileName(n.Name)
		if other, dup := by[name]; dup {
			return nil, fmt.Errorf("the attestations of %s and %s would both be %s: judge them from one folder", other, n.Name, name)
		}
		by[name] = n.Name
		files = append(files, Out{Path: name, Data: b})
	}
	return files, nil
}

func (a Attester) encode(ctx context.Context, st *intoto.Statement) ([]byte, error) {
	b, err := Marshal(st)
	if err != nil {
		return nil, err
	}
	if a.Key != nil {
		if b, err = Sign(ctx, b, a.Key); err != nil {
			return nil, err
		}
	}
	return append(b, '\n'), nil
}

// FileName is where the attestation of the report with this subject name
// goes, relative to the folder: the name, kept inside the folder, with
// .intoto.jsonl added (a name no walk takes for a report).
func FileName(subject string) string {
	if subject == "-" {
		return "stdin.intoto.jsonl"
	}
	p := path.Clean("/" + filepath.ToSlash(subject)) // no way out of the folder
	return strings.TrimPrefix(p, "/") + ".intoto.jsonl"
}

// ReadKey reads a PEM key given as a file path, env:NAME (an environment
// variable holding it) or fd:N (an open file descriptor), so that the key
// never has to be on the command line or on disk.
func ReadKey(spec string, getenv func(string) string) ([]byte, error) {
	switch {
	case strings.HasPrefix(spec, "env:"):
		name := strings.TrimPrefix(spec, "env:")
		v := getenv(name)
		if v == "" {
			return nil, fmt.Errorf("environment variable %s is empty or not set", name)
		}
		return []byte(v), nil
	case strings.HasPrefix(spec, "fd:"):
		n, err := strconv.Atoi(strings.TrimPrefix(spec, "fd:"))
		if err != nil || n < 3 {
			return nil, fmt.Errorf("%q: expected fd:N, an open file descriptor other than standard input, output or error", spec)
		}
		f := os.NewFile(uintptr(n), spec)
		if f == nil {
			return nil, fmt.Errorf("%s: not an open file descriptor", spec)
		}
		defer f.Close()
		return readSmall(f, spec)
	}
	if info, err := os.Stat(spec); err != nil {
		return nil, err
	} else if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (use fd:N for a pipe)", spec)
	}
	f, err := os.Open(spec)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSmall(f, spec)
}

// readSmall reads a key: a few hundred bytes, never more than 64 KiB.
func readSmall(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > 64<<10 {
		return nil, fmt.Errorf("%s: larger than 64 KiB: expected a PEM key", name)
	}
	return b, nil
}
