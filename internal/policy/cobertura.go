package policy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
)

// Cobertura coverage reports, as coverage tools read them (GitLab's
// coverage visualisation, Jenkins' Coverage plugin, the GitHub actions that
// comment coverage): coverage-04.dtd of Cobertura. A Rego package is a
// package, each of its files a class with no methods, and each line that
// counts a line with 1 hit or 0. Rego has no branches: the branch rates
// are 0 of 0. The timestamp is 0, so that the same tests give the same file.

// CoberturaDTD is the system identifier of the document type.
const CoberturaDTD = "http://cobertura.sourceforge.net/xml/coverage-04.dtd"

type (
	cobCoverage struct {
		XMLName         xml.Name     `xml:"coverage"`
		LineRate        string       `xml:"line-rate,attr"`
		BranchRate      string       `xml:"branch-rate,attr"`
		LinesCovered    int          `xml:"lines-covered,attr"`
		LinesValid      int          `xml:"lines-valid,attr"`
		BranchesCovered int          `xml:"branches-covered,attr"`
		BranchesValid   int          `xml:"branches-valid,attr"`
		Complexity      string       `xml:"complexity,attr"`
		Version         string       `xml:"version,attr"`
		Timestamp       string       `xml:"timestamp,attr"`
		Sources         []string     `xml:"sources>source"`
		Packages        []cobPackage `xml:"packages>package"`
	}
	cobPackage struct {
		Name       string     `xml:"name,attr"`
		LineRate   string     `xml:"line-rate,attr"`
		BranchRate string     `xml:"branch-rate,attr"`
		Complexity string     `xml:"complexity,attr"`
		Classes    []cobClass `xml:"classes>class"`
	}
	cobClass struct {
		Name       string    `xml:"name,attr"`
		Filename   string    `xml:"filename,attr"`
		LineRate   string    `xml:"line-rate,attr"`
		BranchRate string    `xml:"branch-rate,attr"`
		Complexity string    `xml:"complexity,attr"`
		Methods    struct{}  `xml:"methods"`
		Lines      []cobLine `xml:"lines>line"`
	}
	cobLine struct {
		Number int    `xml:"number,attr"`
		Hits   int    `xml:"hits,attr"`
		Branch string `xml:"branch,attr"`
	}
)

// CoverageReportFormats are the formats of --coverage-report.
var CoverageReportFormats = []string{"cobertura"}

// WriteCoverageReport writes the coverage to the file at path in a
// coverage report format (CoverageReportFormats); version is fsar's.
func (s TestSummary) WriteCoverageReport(format, path, version string) error {
	if format != "cobertura" {
		return fmt.Errorf("unknown coverage report format %q", format)
	}
	if s.Report.Coverage == nil {
		return errors.New("no coverage was measured")
	}
	var b bytes.Buffer
	if err := WriteCobertura(&b, s.Report.Coverage, version); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--coverage-report: %w", err)
	}
	return nil
}

// rate renders covered/valid as Cobertura does, from 0 to 1.
func rate(covered, valid int) string {
	if valid == 0 {
		return "1"
	}
	return strconv.FormatFloat(float64(covered)/float64(valid), 'f', 4, 64)
}

// WriteCobertura writes the coverage as a Cobertura XML report; version
// is the tool's, written in the coverage element.
func WriteCobertura(w io.Writer, c *Coverage, version string) error {
	doc := cobCoverage{BranchRate: "0", Complexity: "0", Version: version, Timestamp: "0", Sources: []string{"."}}
	byPackage := map[string]*cobPackage{}
	counts := map[string][2]int{}
	var names []string
	for _, f := range c.Files {
		p := byPackage[f.Package]
		if p == nil {
			p = &cobPackage{Name: f.Package, BranchRate: "0", Complexity: "0"}
			byPackage[f.Package] = p
			names = append(names, f.Package)
		}
		hits := map[int]int{}
		for _, r := range f.NotCovered {
			for n := r.Start; n <= r.End; n++ {
				hits[n] = 0
			}
		}
		for _, r := range f.Covered {
			for n := r.Start; n <= r.End; n++ {
				hits[n] = 1
			}
		}
		class := cobClass{Name: path.Base(f.File), Filename: f.File, BranchRate: "0", Complexity: "0"}
		covered := 0
		for _, n := range slices.Sorted(maps.Keys(hits)) {
			class.Lines = append(class.Lines, cobLine{Number: n, Hits: hits[n], Branch: "false"})
			covered += hits[n]
		}
		class.LineRate = rate(covered, len(hits))
		p.Classes = append(p.Classes, class)
		n := counts[f.Package]
		counts[f.Package] = [2]int{n[0] + covered, n[1] + len(hits)}
		doc.LinesCovered += covered
		doc.LinesValid += len(hits)
	}
	doc.LineRate = rate(doc.LinesCovered, doc.LinesValid)
	slices.Sort(names)
	for _, name := range names {
		p := byPackage[name]
		p.LineRate = rate(counts[name][0], counts[name][1])
		doc.Packages = append(doc.Packages, *p)
	}
	if _, err := io.WriteString(w, xml.Header+`<!DOCTYPE coverage SYSTEM "`+CoberturaDTD+`">`+"\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
