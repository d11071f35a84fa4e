package sweep

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fuzzResults are results of real sweeps, for the fuzz targets to start
// from: with a baseline and alerts, with errors, twin conflicts and
// reused ids, by week and by day, empty, and shards.
func fuzzResults(f testing.TB) [][]byte {
	f.Helper()
	dir := f.TempDir()
	mixedFolder(f, dir)
	trendFolder(f, dir)
	writeFiles(f, dir, map[string]string{"empty/README.md": "# nothing yet\n"})
	// Back in the package's folder before f.Fuzz: Go reads the seed
	// corpus and writes crashers under testdata/fuzz, relative to the
	// working directory.
	wd, err := os.Getwd()
	if err != nil {
		f.Fatal(err)
	}
	f.Chdir(dir)
	defer func() {
		if err := os.Chdir(wd); err != nil {
			f.Fatal(err)
		}
	}()
	first := sweepIn(f, "", Options{Paths: []string{"r/fsar_proposal_jan-0*.md"}, DecidedBy: shapedBy})
	var out [][]byte
	for _, r := range []*Result{
		first,
		sweepIn(f, "", Options{Paths: []string{"r/fsar_proposal_*-0[0-3].md"}, Baseline: first.AsBaseline(), MinReports: 2, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"reports"}, Period: PeriodWeek, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"empty"}, AllowEmpty: true, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"r/fsar_proposal_feb-00.md"}, Shard: Shard{Index: 1, Count: 1}, Period: PeriodDay, DecidedBy: shapedBy}),
		sweepIn(f, "", Options{Paths: []string{"reports"}, Shard: Shard{Index: 1, Count: 2}, DecidedBy: shapedBy}),
	} {
		b := jsonOf(f, r)
		if _, err := DecodeResult(bytes.NewReader(b), 0); err != nil {
			f.Fatalf("a seed is refused: %v", err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzDecodeResult: whatever a shard or baseline file holds, reading it
// does not panic, stays within its limit, and what it takes agrees with
// itself (checkTaken).
//
//	go test ./internal/sweep -run '^$' -fuzz FuzzDecodeResult -fuzztime 5m
func FuzzDecodeResult(f *testing.F) {
	results := fuzzResults(f)
	for _, b := range results {
		f.Add(b)
	}
	// The reproductions of issue 12.
	shard, first := results[len(results)-1], results[0]
	f.Add(editJSON(f, shard, map[string]any{"shard.count": -5}))
	f.Add(editJSON(f, shard, map[string]any{"shard.count": 3_000_000_000}))
	f.Add(editJSON(f, shard, map[string]any{"blocking": []any{}}))
	f.Add(editJSON(f, first, map[string]any{"measures.0": map[string]any{"name": "block", "reports": -5, "of": 0, "percent": 1e308}}))
	f.Add([]byte(`{"schema":"fsar.sweep/v1"}`))
	f.Fuzz(checkTaken)
}

// FuzzDecodeEdited is FuzzDecodeResult on real results with one or two
// of their values replaced — a number, a string, an empty list, or
// nothing — which reaches the checks past the JSON decoder far more often
// than edits of bytes do.
//
//	go test ./internal/sweep -run '^$' -fuzz FuzzDecodeEdited -fuzztime 5m
func FuzzDecodeEdited(f *testing.F) {
	results := fuzzResults(f)
	f.Add(uint8(0), uint16(3), uint8(0), int64(-5), 0.0, "", uint16(0), uint8(5))
	f.Add(uint8(5), uint16(40), uint8(1), int64(0), 1e308, "", uint16(0), uint8(5))
	f.Add(uint8(1), uint16(7), uint8(2), int64(0), 0.0, "[x](https://evil.example)", uint16(9), uint8(3))
	f.Fuzz(func(t *testing.T, which uint8, at uint16, kind uint8, n int64, x float64, s string, at2 uint16, kind2 uint8) {
		var tree any
		if err := json.Unmarshal(results[int(which)%len(results)], &tree); err != nil {
			t.Fatal(err)
		}
		value := func(kind uint8) (any, bool) {
			switch kind % 6 {
			case 0:
				return n, true
			case 1:
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, false
				}
				return x, true
			case 2:
				return s, true
			case 3:
				return []any{}, true
			case 4:
				return nil, true // removed
			}
			return nil, false // no edit
		}
		for _, e := range []struct {
			at   uint16
			kind uint8
		}{{at, kind}, {at2, kind2}} {
			v, ok := value(e.kind)
			if !ok {
				continue
			}
			var slots []func(any)
			collectSlots(tree, &slots)
			slots[int(e.at)%len(slots)](v)
		}
		data, err := json.Marshal(tree)
		if err != nil {
			t.Fatal(err)
		}
		checkTaken(t, data)
	})
}

// collectSlots lists a setter for every value under v, in a fixed order
// (object keys sorted): a nil value removes an object's key.
func collectSlots(v any, slots *[]func(any)) {
	switch c := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(c)) {
			*slots = append(*slots, func(x any) {
				if x == nil {
					delete(c, k)
				} else {
					c[k] = x
				}
			})
			collectSlots(c[k], slots)
		}
	case []any:
		for i := range c {
			*slots = append(*slots, func(x any) { c[i] = x })
			collectSlots(c[i], slots)
		}
	}
}

// fuzzLimit bounds the fuzzed inputs as MaxResultBytes bounds files.
const fuzzLimit = 4 << 20

// checkTaken reads data as a sweep result; when it is taken, it must be
// within the limit, agree with itself as the reader checks it, render in
// every format, read back the same from its JSON, and give results that
// agree with themselves and can be written as a baseline or merged.
func checkTaken(t *testing.T, data []byte) {
	r, err := DecodeResult(bytes.NewReader(data), fuzzLimit)
	if err != nil {
		return
	}
	if len(data) > fuzzLimit {
		t.Fatalf("%d bytes taken, over the limit of %d", len(data), fuzzLimit)
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
		a := newAcc(r.Settings.Period, r.Facts)
		a.addResult(r)
		derived = a.result(r.Settings, r.DecidedBy, r.AsBaseline(), nil)
		for _, al := range derived.Alerts {
			if al.Rule == ruleBaseline {
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
