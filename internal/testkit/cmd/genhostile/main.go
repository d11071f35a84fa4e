// Command genhostile writes the hostile inputs of .ci/limits into a
// folder: reports, policies and sweep files built to exhaust time or
// memory (fsar issue 12). Each must be refused or judged within the limits
// the README states.
//
//	go run ./internal/testkit/cmd/genhostile DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// report is a valid report whose proposal is body.
func report(body string) string {
	return "# FSAR Proposal Report\n- id: fsar_3730ef09-fe7e-4a38-aecb-e1e458130762\n- timestamp: 2026-01-02T00:18:13.191Z\n" +
		"- severity: 6\n- block_execution: false\n- proposal:\n\n" + body + "\n\n## Risks\n- Slow failure: drift\n\n## Mitigations\n- Review it"
}

const tenMiB = 10 << 20

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genhostile DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	files := map[string]string{}

	// YAML aliases: 100 KB whose extra keys expand to gigabytes, and a
	// risks list of 100,000 aliases to a 10 KB string.
	var b strings.Builder
	b.WriteString("proposal: \"idea_implementation: x\"\nbase: &s \"" + strings.Repeat("x", 10_000) + "\"\n")
	for i := 0; b.Len() < 100_000; i++ {
		fmt.Fprintf(&b, "k%d: [*s, *s, *s, *s, *s, *s, *s, *s]\n", i)
	}
	files["yaml-alias-extra/fsar_r.yaml"] = b.String()
	b.Reset()
	b.WriteString("proposal: \"idea_implementation: x\"\ns: &s \"" + strings.Repeat("x", 10_000) + "\"\nrisks: [")
	for i := range 100_000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("*s")
	}
	b.WriteString("]\n")
	files["yaml-alias-risks/fsar_r.yaml"] = b.String()

	// Lists: 10 MiB of bullets (2.6 million), and a JSON list of a million
	// items.
	head := report("x")
	files["md-bullets/fsar_r.md"] = head + "\n" + strings.Repeat("- r\n", (tenMiB-len(head))/4-16)
	files["json-items/fsar_r.json"] = `{"proposal": "x", "risks": [` + strings.Repeat(`"r", `, (tenMiB-64)/5) + `"r"]}`

	// Lines and markers: 10 MiB of line breaks in the proposal, and
	// 800,000 markers on one line.
	files["md-lines/fsar_r.md"] = report("x" + strings.Repeat("\n", tenMiB-1024) + "y")
	files["md-markers/fsar_r.md"] = report(strings.Repeat("[fsar_review]", (tenMiB-1024)/13))

	// A severity of a million digits; JSON nested 10 MiB deep in an
	// extra field.
	files["severity-digits/fsar_r.md"] = strings.Replace(report("x"), "- severity: 6", "- severity: 4"+strings.Repeat("9", 1_000_000), 1)
	files["json-deep/fsar_r.json"] = `{"proposal": "x", "owner": ` + strings.Repeat("[", tenMiB/2-64) + strings.Repeat("]", tenMiB/2-64) + `}`

	// Four 10 MiB bullet lists in one folder, for sweep.
	for i := range 4 {
		files[fmt.Sprintf("sweep-bullets/fsar_r%d.md", i)] = files["md-bullets/fsar_r.md"]
	}

	// Policies that never end or allocate without bound.
	files["policy-range/range.rego"] = "package fsar.bomb\n\nwarn contains {\"rule\": \"bomb\", \"msg\": sprintf(\"%d\", [count(numbers.range(1, 1e8))])} if true\n"
	files["policy-cidr/cidr.rego"] = "package fsar.bomb\n\nwarn contains {\"rule\": \"bomb\", \"msg\": sprintf(\"%d\", [count(net.cidr_expand(\"10.0.0.0/4\"))])} if true\n"
	// Without numbers.range (refused at compile time): a literal list.
	var xs strings.Builder
	for i := range 2000 {
		if i > 0 {
			xs.WriteString(", ")
		}
		fmt.Fprint(&xs, i)
	}
	files["policy-loop/loop.rego"] = "package fsar.bomb\n\nxs := [" + xs.String() + "]\n\n" +
		"warn contains {\"rule\": \"bomb\", \"msg\": \"never\"} if {\n\tsome a in xs\n\tsome b in xs\n\tsome c in xs\n\ta + b + c < 0\n}\n"
	files["policy-memory/memory.rego"] = "package fsar.bomb\n\nxs := [" + xs.String() + "]\n\n" +
		"warn contains {\"rule\": \"bomb\", \"msg\": sprintf(\"%d\", [count([[a, b, c] | some a in xs; some b in xs; some c in xs])])} if input.proposal\n"
	for _, p := range []string{"policy-loop", "policy-memory"} {
		files[p+"/bomb_test.rego"] = "package fsar.bomb\n\ntest_bomb if {\n\tcount(warn) == 0 with input as {\"proposal\": \"x\"}\n}\n"
	}
	files["report/fsar_r.md"] = report("idea_implementation: x")

	// Sweep results that lie about themselves.
	files["shard-negative.json"] = `{"schema": "fsar.sweep/v2", "shard": {"index": 1, "count": -5}}`
	files["shard-huge.json"] = `{"schema": "fsar.sweep/v2", "shard": {"index": 1, "count": 3000000000}}`
	files["baseline-bad.json"] = `{"schema": "fsar.sweep/v2", "decided_by": {"now": "2026-01-01T00:00:00Z"}, "count": {"reports": -5}, "measures": {"blocked": {"reports": -5, "of": 0, "percent": 1e308}}}`

	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
