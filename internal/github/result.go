package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/ghref"
	"github.com/fsar-gate/fsar/internal/policy"
)

// DefaultResultBytes bounds a result file read by ReadResult.
const DefaultResultBytes = 16 << 20

// ReadResult reads a check result written earlier (fsar check --format
// json) as untrusted input: at most limit bytes (DefaultResultBytes when
// 0), one JSON object of schema fsar.check/v1 with no field fsar does not
// know, every verdict and count what its findings make it, and what
// decided it (versions, policy digest and revision) of the shapes fsar
// writes. A result that disagrees with itself is refused, not corrected.
func ReadResult(r io.Reader, limit int64) (*gate.Result, error) {
	if limit <= 0 {
		limit = DefaultResultBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("result: larger than %d bytes", limit)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var res gate.Result
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("result: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("result: more than one JSON value")
	}
	if res.Schema != gate.Schema {
		return nil, fmt.Errorf("result: schema %q, want %q", res.Schema, gate.Schema)
	}
	if err := consistent(&res); err != nil {
		return nil, fmt.Errorf("result: %w", err)
	}
	if err := res.DecidedBy.Validate(); err != nil {
		return nil, fmt.Errorf("result: %w", err)
	}
	return &res, nil
}

// ReadResultFile reads a result (ReadResult) from the file at path, or
// from stdin when path is "-"; errors name the path.
func ReadResultFile(path string, stdin io.Reader, limit int64) (*gate.Result, error) {
	in := stdin
	if path != "-" {
		file, err := os.Open(path)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %w", path, pe.Err)
		} else if err != nil {
			return nil, err
		}
		defer file.Close()
		in = file
	}
	res, err := ReadResult(in, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// consistent checks that every report's verdict is what its findings and
// errors make it, and that the run's verdict and counts are what its
// reports and errors make them.
func consistent(res *gate.Result) error {
	for i, r := range res.Reports {
		if r.File == "" {
			return fmt.Errorf("report %d has no file", i+1)
		}
		for _, d := range []string{r.SHA256, r.TwinSHA256} {
			if d != "" && !validDigest(d) {
				return fmt.Errorf("report %s: digest %q: expected 64 lowercase hex digits", escape.Terminal(r.File), escape.Terminal(d))
			}
		}
		want := gate.Pass
		for _, f := range r.Findings {
			if f.Waived != nil {
				continue // shown, not counted
			}
			switch f.Level {
			case policy.Deny:
				want = max(want, gate.Block)
			case policy.Review:
				want = max(want, gate.Review)
			case policy.Warn:
				want = max(want, gate.Warn)
			default:
				return fmt.Errorf("report %s: a finding without a level", r.File)
			}
		}
		if len(r.Errors) > 0 {
			want = gate.Error
		}
		// A report that could not be read has no findings and an error
		// verdict.
		if r.Verdict != want && (r.Verdict != gate.Error || len(r.Findings) > 0) {
			return fmt.Errorf("report %s: verdict %s, but its findings make it %s", r.File, r.Verdict, want)
		}
	}
	for _, file := range slices.Sorted(maps.Keys(res.OtherKinds)) {
		kind := res.OtherKinds[file]
		if !slices.Contains(res.Skipped, file) {
			return fmt.Errorf("other_kinds names %q, which is not among the skipped files", escape.Terminal(file))
		}
		if !validKind(kind) {
			return fmt.Errorf("other_kinds: kind %q of %s: expected lower-case words joined by _", escape.Terminal(kind), escape.Terminal(file))
		}
	}
	check := *res
	check.Reports = slices.Clone(res.Reports)
	check.Summarize()
	if check.Verdict != res.Verdict {
		return fmt.Errorf("verdict %s, but its reports make it %s", res.Verdict, check.Verdict)
	}
	if check.Count != res.Count {
		return fmt.Errorf("counts %+v, but its reports make them %+v", res.Count, check.Count)
	}
	if s := res.Subject; s != nil {
		if _, _, err := ghref.SplitRepository(s.Repository); err != nil {
			return fmt.Errorf("subject: %w", err)
		}
		if !ghref.ValidSHA(s.SHA) {
			return fmt.Errorf("subject: commit %q is not a full commit id", s.SHA)
		}
		if s.PR < 0 {
			return fmt.Errorf("subject: pull request %d", s.PR)
		}
	}
	res.Summarize() // nil lists become empty ones
	return nil
}

// validDigest reports whether d is a hex SHA-256 digest, as fsar writes it.
func validDigest(d string) bool {
	if len(d) != 64 {
		return false
	}
	for _, c := range d {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validKind reports whether k is the kind of another report as fsar
// writes it (see proposal.Result.Kind): lower-case words and digits
// joined by _, at most 64 characters.
func validKind(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
