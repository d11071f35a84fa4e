package sweep

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A baseline is an earlier sweep's summary: its shares and its blocking
// reports. It comes from the earlier sweep's JSON result (--baseline FILE,
// LoadBaseline), or from the tracking issue, where each sweep that keeps
// one leaves its own in a hidden block (IssueBody, BaselineFromIssue), so
// that a scheduled sweep needs no cache to remember the last one.

// LoadBaseline reads an earlier sweep's JSON result (ReadResult) as a
// baseline. A file that does not exist is an error for which
// errors.Is(err, fs.ErrNotExist) holds: the first sweep, for a caller
// that allows it.
func LoadBaseline(path string) (*Baseline, error) {
	r, err := ReadResult(path)
	if err != nil {
		return nil, err
	}
	if r.Shard != nil {
		return nil, fmt.Errorf("%s is the result of shard %s only: merge the shards first (fsar sweep merge)", path, r.Shard)
	}
	return r.AsBaseline(), nil
}

// AsBaseline summarises the result for comparison by a later sweep.
func (r *Result) AsBaseline() *Baseline {
	files := make([]string, len(r.Blocking))
	for i, b := range r.Blocking {
		files[i] = b.File
	}
	slices.Sort(files)
	return &Baseline{
		Now:      r.DecidedBy.Now.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"),
		Digest:   r.DecidedBy.PolicyDigest,
		Paths:    slices.Clone(nonNil(r.Settings.Paths)),
		Reports:  r.Count.Reports,
		Measures: slices.Clone(r.Measures),
		Blocking: slices.Compact(files),
	}
}

// Share returns the baseline's measure of that name.
func (b *Baseline) Share(name string) Measure {
	m, _ := measureByName(b.Measures, name)
	return m
}

// The hidden block that keeps a baseline in a tracking issue's body: an
// HTML comment (never shown) holding the baseline's JSON, gzipped and in
// base64 lines (an alphabet without "-", so that nothing in it can end
// the comment).
const (
	baselineBlockHead = "<!-- fsar-sweep-baseline v1: the next sweep's baseline, gzipped JSON in base64"
	baselineBlockTail = "-->"
	baselineSchema    = "fsar.sweep-baseline/v1"
	// issueBodyRoom is what a tracking issue's body may hold: GitHub's
	// 65,536 characters, less the marker line and a margin.
	issueBodyRoom = 65536 - 512
	// maxBaselineBlock bounds the block: the summary keeps the rest.
	maxBaselineBlock = 40000
	// maxBaselineJSON bounds a baseline's JSON once decompressed.
	maxBaselineJSON = 4 << 20
	lineWidth       = 100
)

type storedBaseline struct {
	Schema string `json:"schema"`
	Baseline
}

// baselineBlock encodes b as the hidden block.
func baselineBlock(b *Baseline) (string, error) {
	raw, err := json.Marshal(storedBaseline{Schema: baselineSchema, Baseline: *b})
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(raw); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	enc := base64.StdEncoding.EncodeToString(z.Bytes())
	var out strings.Builder
	out.WriteString(baselineBlockHead + "\n")
	for len(enc) > lineWidth {
		out.WriteString(enc[:lineWidth] + "\n")
		enc = enc[lineWidth:]
	}
	out.WriteString(enc + "\n" + baselineBlockTail + "\n")
	return out.String(), nil
}

// IssueBody is the tracking issue's body for r: its markdown summary,
// then its baseline in the hidden block, whole — the summary is cut to
// the room the block leaves. A baseline whose blocking reports' files do
// not fit is kept without them (Baseline.BlockingOmitted): the next sweep
// then says so and counts every blocking report as new.
func IssueBody(r *Result) (string, error) {
	var md strings.Builder
	if err := WriteMarkdown(&md, r); err != nil {
		return "", err
	}
	b := r.AsBaseline()
	block, err := baselineBlock(b)
	if err != nil {
		return "", err
	}
	if len(block) > maxBaselineBlock {
		b.BlockingOmitted, b.Blocking = len(b.Blocking), []string{}
		if block, err = baselineBlock(b); err != nil {
			return "", err
		}
	}
	summary := md.String()
	if room := issueBodyRoom - len(block) - 1; len(summary) > room {
		const note = "\n*(cut: the summary is longer than a tracking issue may hold; the JSON and HTML reports have all of it)*\n"
		cut := strings.LastIndexByte(summary[:room-len(note)], '\n')
		summary = summary[:cut+1] + note
	}
	return summary + "\n" + block, nil
}

// BaselineFromIssue reads the baseline a tracking issue's body keeps (see
// IssueBody), as untrusted input: at most 40,000 characters of base64,
// at most 4 MiB once decompressed, strictly the schema's JSON, every
// share a percentage its counts make. ok is false when the body holds no
// block: an issue of an earlier fsar, or no issue.
func BaselineFromIssue(body string) (b *Baseline, ok bool, err error) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	i := strings.Index(body, "\n"+baselineBlockHead+"\n")
	if i < 0 {
		return nil, false, nil
	}
	rest := body[i+len(baselineBlockHead)+2:]
	end := strings.Index(rest, "\n"+baselineBlockTail)
	if end < 0 || end > maxBaselineBlock {
		return nil, true, errors.New("the baseline block is not closed, or longer than a tracking issue's block may be")
	}
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(rest[:end], "\n", ""))
	if err != nil {
		return nil, true, fmt.Errorf("the baseline block is not base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, true, fmt.Errorf("the baseline block is not gzipped: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxBaselineJSON+1))
	if err != nil {
		return nil, true, fmt.Errorf("the baseline block: %w", err)
	}
	if len(raw) > maxBaselineJSON {
		return nil, true, fmt.Errorf("the baseline block holds more than %d bytes", maxBaselineJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var sb storedBaseline
	if err := dec.Decode(&sb); err != nil {
		return nil, true, fmt.Errorf("the baseline block: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, true, errors.New("the baseline block holds more than one JSON value")
	}
	if sb.Schema != baselineSchema {
		return nil, true, fmt.Errorf("the baseline block's schema is %s, expected %q", quote(sb.Schema), baselineSchema)
	}
	base := sb.Baseline
	if err := cmp.Or(base.validShapes(), base.validate()); err != nil {
		return nil, true, fmt.Errorf("the baseline block: %w", err)
	}
	return &base, true, nil
}
