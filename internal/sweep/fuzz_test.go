package sweep

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
)

// FuzzDecodeResult: whatever a shard or baseline file holds, reading it
// does not panic, stays within its limit, and what it takes agrees with
// itself — every output renders, it reads back the same from its JSON,
// and as a baseline or merged it gives results that agree with themselves
// and can be written.
//
//	go test ./internal/sweep -run '^$' -fuzz FuzzDecodeResult -fuzztime 5m
func FuzzDecodeResult(f *testing.F) {
	dir := f.TempDir()
	mixedFolder(f, dir)
	trendFolder(f, dir)
	writeFiles(f, dir, map[string]string{"empty/README.md": "# nothing yet\n"})
	f.Chdir(dir)
	first := sweepIn(f, "", Options{Paths: []string{"r/fsar_proposal_jan-0*.md"}, DecidedBy: shapedBy})
	shard := jsonOf(f, sweepIn(f, "", Options{Paths: []string{"reports"}, Shard: Shard{Index: 1, Count: 2}, DecidedBy: shapedBy}))
	for _, r := range []*Result{
		first,
		sweepIn(f, "", Options{Paths: []string{"r/fsar_proposal_*-0[0-3].md"}, Baseline: first.AsBaseline(), MinReports: 2, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"reports"}, Period: PeriodWeek, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"empty"}, AllowEmpty: true, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"r/fsar_proposal_feb-00.md"}, Shard: Shard{Index: 1, Count: 1}, Period: PeriodDay, DecidedBy: shapedBy}),
	} {
		f.Add(jsonOf(f, r))
		if _, err := DecodeResult(bytes.NewReader(jsonOf(f, r)), 0); err != nil {
			f.Fatalf("a seed is refused: %v", err)
		}
	}
	f.Add(shard)
	// The reproductions of issue 12.
	f.Add(editJSON(f, shard, map[string]any{"shard.count": -5}))
	f.Add(editJSON(f, shard, map[string]any{"shard.count": 3_000_000_000}))
	f.Add(editJSON(f, shard, map[string]any{"blocking": []any{}}))
	f.Add(editJSON(f, jsonOf(f, first), map[string]any{"measures.0": map[string]any{"name": "block", "reports": -5, "of": 0, "percent": 1e308}}))
	f.Add([]byte(`{"schema":"fsar.sweep/v1"}`))

	const limit = 4 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeResult(bytes.NewReader(data), limit)
		if err != nil {
			return
		}
		if len(data) > limit {
			t.Fatalf("%d bytes taken, over the limit of %d", len(data), limit)
		}
		if err := validShapes(r); err != nil {
			t.Fatal(err)
		}
		if err := r.validate(); err != nil {
			t.Fatal(err)
		}
		for _, format := range Formats {
			if err := Write(io.Discard, format, r); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
		}
		again, err := DecodeResult(bytes.NewReader(jsonOf(t, r)), 0)
		if err != nil {
			t.Fatalf("a result taken once is refused when written again: %v", err)
		}
		if a, b := jsonOf(t, r), jsonOf(t, again); !bytes.Equal(a, b) {
			t.Fatalf("a result reads back differently:\n%s\n%s", a, b)
		}
		var derived *Result
		switch {
		case r.Shard == nil:
			// As the baseline of the same sweep: nothing moved.
			a := newAcc(r.Settings.Period)
			a.addResult(r)
			derived = a.result(r.Settings, r.DecidedBy, r.AsBaseline(), nil)
			for _, al := range derived.Alerts {
				if al.Against == "baseline" {
					t.Errorf("alert against itself: %s", al.Message)
				}
			}
		case r.Shard.Count == 1:
			if derived, err = Merge([]*Result{r}, nil); err != nil {
				t.Fatalf("its one shard does not merge: %v", err)
			}
		default:
			return
		}
		if err := derived.validate(); err != nil {
			t.Fatalf("derived result refused: %v", err)
		}
		if err := WriteJSON(io.Discard, derived); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDecodeLargeInputs: inputs of a few megabytes are refused or taken
// in bounded memory, whatever they hold.
func TestDecodeLargeInputs(t *testing.T) {
	for name, data := range map[string][]byte{
		"deep":        bytes.Repeat([]byte("["), 4<<20),
		"long string": []byte(`{"schema":"fsar.sweep/v1","settings":{"paths":["` + strings.Repeat("a", 4<<20) + `"]}}`),
		"many ids":    []byte(`{"schema":"fsar.sweep/v1","ids":{` + strings.Repeat(`"a":"b",`, 500_000) + `"c":"d"}}`),
		"many errors": []byte(`{"schema":"fsar.sweep/v1","errors":[` + strings.Repeat(`{"file":"a","message":"m"},`, 100_000) + `{"file":"a"}]}`),
		"over limit":  bytes.Repeat([]byte(" "), 4<<20+1),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if _, err := DecodeResult(bytes.NewReader(data), 4<<20); err == nil {
				t.Fatal("taken")
			}
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 40*uint64(len(data))+64<<20 {
				t.Errorf("%d bytes allocated for %d bytes of input", grew, len(data))
			}
		})
	}
}
