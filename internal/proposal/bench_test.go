package proposal

import (
	"os"
	"path/filepath"
	"testing"
)

// benchReports returns realistic markdown reports: the real corpus when it
// is there, else the project's own.
func benchReports(b *testing.B) [][]byte {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "lumin-lifeos")
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	if len(files) == 0 {
		return seeds(b)
	}
	out := make([][]byte, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// BenchmarkReadMarkdown reads every report once per iteration; MB/s is the
// reader's throughput, allocs/op and B/op are per report.
func BenchmarkReadMarkdown(b *testing.B) {
	reports := benchReports(b)
	total := 0
	for _, r := range reports {
		total += len(r)
	}
	b.SetBytes(int64(total / len(reports)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse("r.md", reports[i%len(reports)], Markdown); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadJSON is the same for the JSON twins: as Parse reads them
// (the fast reader), and with the decoder it falls back on.
func BenchmarkReadJSON(b *testing.B) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "lumin-lifeos")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		b.Skip("real report corpus not found")
	}
	var reports [][]byte
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		reports = append(reports, data)
		total += len(data)
	}
	for _, bench := range []struct {
		name string
		read func(string, []byte) (*Report, error)
	}{
		{"parse", func(f string, d []byte) (*Report, error) { return Parse(f, d, JSON) }},
		{"decoder", func(f string, d []byte) (*Report, error) { return readJSONDecoder(f, d, Limits{}) }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.SetBytes(int64(total / len(reports)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := bench.read("r.json", reports[i%len(reports)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
