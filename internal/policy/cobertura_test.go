package policy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// coberturaDTD is Cobertura's coverage-04.dtd
// (http://cobertura.sourceforge.net/xml/coverage-04.dtd), element by
// element: the content model as a regular expression over the names of the
// children (each followed by a space), the required attributes and the
// optional ones. TestCobertura checks reports against it in Go, and with
// xmllint against the DTD it makes of it.
var coberturaDTD = []struct {
	name, content, model string // model: the DTD's content model
	required, optional   []string
}{
	{"coverage", `^(sources )?packages $`, "(sources?,packages)",
		[]string{"line-rate", "branch-rate", "lines-covered", "lines-valid", "branches-covered", "branches-valid", "complexity", "version", "timestamp"}, nil},
	{"sources", `^(source )*$`, "(source*)", nil, nil},
	{"source", `^$`, "(#PCDATA)", nil, nil},
	{"packages", `^(package )*$`, "(package*)", nil, nil},
	{"package", `^classes $`, "(classes)", []string{"name", "line-rate", "branch-rate", "complexity"}, nil},
	{"classes", `^(class )*$`, "(class*)", nil, nil},
	{"class", `^methods lines $`, "(methods,lines)", []string{"name", "filename", "line-rate", "branch-rate", "complexity"}, nil},
	{"methods", `^(method )*$`, "(method*)", nil, nil},
	{"method", `^lines $`, "(lines)", []string{"name", "signature", "line-rate", "branch-rate"}, nil},
	{"lines", `^(line )*$`, "(line*)", nil, nil},
	{"line", `^(conditions )*$`, "(conditions*)", []string{"number", "hits"}, []string{"branch", "condition-coverage"}},
	{"conditions", `^(condition )*$`, "(condition*)", nil, nil},
	{"condition", `^$`, "EMPTY", []string{"number", "type", "coverage"}, nil},
}

// dtdText writes coberturaDTD as a DTD, for xmllint.
func dtdText() string {
	var b strings.Builder
	for _, e := range coberturaDTD {
		fmt.Fprintf(&b, "<!ELEMENT %s %s>\n", e.name, e.model)
		for _, a := range e.required {
			fmt.Fprintf(&b, "<!ATTLIST %s %s CDATA #REQUIRED>\n", e.name, a)
		}
		for _, a := range e.optional {
			fmt.Fprintf(&b, "<!ATTLIST %s %s CDATA #IMPLIED>\n", e.name, a)
		}
	}
	return b.String()
}

// validateCobertura checks a report against coberturaDTD.
func validateCobertura(t *testing.T, doc []byte) {
	t.Helper()
	for _, p := range coberturaProblems(doc) {
		t.Error(p)
	}
}

// coberturaProblems checks a report against coberturaDTD: its document
// type, and every element's children and attributes.
func coberturaProblems(doc []byte) []string {
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !bytes.Contains(doc, []byte(`<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">`)) {
		errorf("no coverage-04.dtd document type")
	}
	type open struct {
		name     string
		children []string
	}
	var stack []*open
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			errorf("not well-formed: %v", err)
			return problems
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			i := slices.IndexFunc(coberturaDTD, func(e struct {
				name, content, model string
				required, optional   []string
			}) bool {
				return e.name == name
			})
			if i < 0 {
				errorf("element %s is not in coverage-04.dtd", name)
				continue
			}
			e := coberturaDTD[i]
			var have []string
			for _, a := range tok.Attr {
				have = append(have, a.Name.Local)
				if !slices.Contains(e.required, a.Name.Local) && !slices.Contains(e.optional, a.Name.Local) {
					errorf("%s: attribute %s is not in coverage-04.dtd", name, a.Name.Local)
				}
			}
			for _, a := range e.required {
				if !slices.Contains(have, a) {
					errorf("%s: no required attribute %s", name, a)
				}
			}
			if n := len(stack); n > 0 {
				stack[n-1].children = append(stack[n-1].children, name)
			} else if name != "coverage" {
				errorf("root element %s, want coverage", name)
			}
			stack = append(stack, &open{name: name})
		case xml.EndElement:
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range coberturaDTD {
				if e.name == top.name {
					seq := strings.Join(top.children, " ")
					if seq != "" {
						seq += " "
					}
					if !regexp.MustCompile(e.content).MatchString(seq) {
						errorf("%s holds %q, not %s", top.name, seq, e.model)
					}
				}
			}
		}
	}
	return problems
}

// TestCobertura: the coverage of a suite with lines not covered, as a
// Cobertura report that coverage-04.dtd accepts (in Go, and with xmllint
// when it is installed: in CI it must be), counting what the coverage
// counts.
func TestCobertura(t *testing.T) {
	files := map[string]string{
		"a/x.rego": regoSrc(
			"package fsar.x",
			"",
			"deny contains {\"msg\": \"big\"} if {",
			"\tinput.n > 10",
			"}",
			"",
			"warn contains {\"msg\": \"odd <&>\"} if {",
			"\tinput.n % 2 == 1",
			"}",
		),
		"b/y.rego":      "package fsar.lib.y\n\nsmall(n) if n < 3\n",
		"a/x_test.rego": "package fsar.x_test\n\nimport data.fsar.x\n\ntest_big if count(x.deny) == 1 with input as {\"n\": 12}\n",
	}
	rep, err := Test(t.Context(), TestOptions{Sources: []Source{{Name: "p", FS: memFS(files)}}, Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCobertura(&b, rep.Coverage, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	doc := b.Bytes()
	validateCobertura(t, doc)
	for _, want := range []string{
		`<coverage line-rate="0.4000" branch-rate="0" lines-covered="2" lines-valid="5" branches-covered="0" branches-valid="0" complexity="0" version="v1.2.3" timestamp="0">`,
		`<package name="fsar.x" line-rate="0.5000" branch-rate="0" complexity="0">`,
		`<class name="x.rego" filename="p/a/x.rego" line-rate="0.5000" branch-rate="0" complexity="0">`,
		`<line number="4" hits="1" branch="false"></line>`,
		`<line number="8" hits="0" branch="false"></line>`,
		`<package name="fsar.lib.y" line-rate="0.0000"`,
	} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("no %s in:\n%s", want, doc)
		}
	}
	if c := rep.Coverage; c.CoveredLines != 2 || c.CoveredLines+c.NotCoveredLines != 5 {
		t.Errorf("coverage counts %d of %d lines; the report counts 2 of 5", c.CoveredLines, c.CoveredLines+c.NotCoveredLines)
	}

	lint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is not installed, and CI is set: install it (apt-get install -y libxml2-utils)")
		}
		t.Skip("xmllint not found: the Cobertura report is checked in Go only")
	}
	dir := t.TempDir()
	dtd, xmlFile := filepath.Join(dir, "coverage-04.dtd"), filepath.Join(dir, "coverage.xml")
	if err := os.WriteFile(dtd, []byte(dtdText()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xmlFile, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, "--noout", "--nonet", "--dtdvalid", dtd, xmlFile).CombinedOutput(); err != nil {
		t.Errorf("xmllint --dtdvalid coverage-04.dtd: %v\n%s", err, out)
	}
}

// TestCoberturaCheckCatches: the Go check refuses what the DTD refuses.
func TestCoberturaCheckCatches(t *testing.T) {
	bad := `<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="1"><packages><package name="p"><classes><class name="c"><lines></lines></class></classes></package></packages></coverage>`
	got := coberturaProblems([]byte(bad))
	for _, want := range []string{"coverage: no required attribute timestamp", "class: no required attribute filename", `class holds "lines ", not (methods,lines)`} {
		if !slices.Contains(got, want) {
			t.Errorf("no problem %q in %q", want, got)
		}
	}
}
