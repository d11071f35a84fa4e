package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/fsar-gate/fsar/internal/escape"
	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// JUnit writes JUnit XML, as Jenkins' junit-10.xsd describes it and the
// test-report readers of GitLab, Jenkins and GitHub Actions read it: a
// testsuite per report file and a testcase per rule evaluated on it.
// deny and review findings fail their testcase; warn findings are shown in
// the testcase's system-out and do not fail it; a report that could not be
// read or judged has a testcase in error. Problems not tied to a report,
// skipped files and notices make a last testsuite named "fsar".
type JUnit struct {
	Options
}

// ReportErrorRule names the testcase (JUnit) and the rule (SARIF) that
// stand for a report that could not be read or judged.
const ReportErrorRule = "report-error"

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	File       string           `xml:"file,attr,omitempty"`
	URL        string           `xml:"url,attr,omitempty"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	Time      string       `xml:"time,attr"`
	Skipped   *junitResult `xml:"skipped,omitempty"`
	Error     *junitResult `xml:"error,omitempty"`
	Failure   *junitResult `xml:"failure,omitempty"`
	SystemOut string       `xml:"system-out,omitempty"`
}

type junitResult struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// junitMessageRunes cuts the message attribute; the element's text has
// everything.
const junitMessageRunes = 1000

// Format implements Formatter.
func (j *JUnit) Format(w io.Writer, res *gate.Result) error {
	res = canonical(res)
	doc := junitSuites{Name: "fsar", Time: "0"}
	stamp := res.DecidedBy.Now.UTC().Format("2006-01-02T15:04:05")
	decided := decidedProps(res.DecidedBy)
	for _, r := range res.Reports {
		s := j.suite(r)
		s.Timestamp = stamp
		s.Properties.Property = append(s.Properties.Property, decided...)
		doc.Suites = append(doc.Suites, s)
	}
	if len(res.Errors) > 0 || len(res.Skipped) > 0 || len(res.Notices) > 0 {
		s := junitSuite{Name: "fsar", Time: "0", Timestamp: stamp, Properties: &junitProperties{Property: decided}}
		var notes []string
		for _, n := range res.Notices {
			notes = append(notes, "notice: "+escape.Terminal(n))
		}
		s.SystemOut = strings.Join(notes, "\n")
		for i, p := range res.Errors {
			s.Cases = append(s.Cases, junitCase{
				Name: "run-error-" + strconv.Itoa(i+1), Classname: "fsar", Time: "0",
				Error: &junitResult{Type: "error", Message: escape.Truncate(escape.Terminal(p.Message), junitMessageRunes), Text: escape.Terminal(p.String())},
			})
			s.Errors++
		}
		for _, f := range res.Skipped {
			s.Cases = append(s.Cases, junitCase{
				Name: escape.Terminal(f), Classname: "fsar.skipped", Time: "0",
				Skipped: &junitResult{Message: "not an FSAR report"},
			})
			s.Skipped++
		}
		s.Tests = len(s.Cases)
		doc.Suites = append(doc.Suites, s)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(xmlSafeLog(buf.Bytes()))
	return err
}

// decidedProps name what judged the run, in every testsuite: JUnit has
// no place for them on <testsuites>. They come from the result, which
// may have been read from a file, so they are escaped like report text.
func decidedProps(db gate.DecidedBy) []junitProperty {
	props := []junitProperty{{"fsar_version", escape.Terminal(db.FSARVersion)}}
	if db.FSARCommit != "" {
		props = append(props, junitProperty{"fsar_commit", escape.Terminal(db.FSARCommit)})
	}
	return append(props, junitProperty{"opa_version", escape.Terminal(db.OPAVersion)})
}

// suite is one report's testsuite.
func (j *JUnit) suite(r gate.Report) junitSuite {
	path := j.repoPath(r.File)
	class := escape.Terminal(r.File)
	if path != "" {
		class = escape.Terminal(path)
	}
	s := junitSuite{Name: class, Time: "0", File: escape.Terminal(path), URL: j.blobURL(r.File, 0)}
	props := []junitProperty{{"verdict", r.Verdict.String()}}
	if r.ID != "" {
		props = append(props, junitProperty{"id", escape.Terminal(r.ID)})
	}
	if r.Severity != nil {
		props = append(props, junitProperty{"severity", severity(r)})
	}
	for _, p := range []junitProperty{{"form", r.Form}, {"kind", r.Kind}, {"twin", r.Twin}} {
		if p.Value != "" {
			props = append(props, junitProperty{p.Name, escape.Terminal(p.Value)})
		}
	}
	s.Properties = &junitProperties{Property: props}

	byRule := map[string][]gate.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	var ids []string
	if len(r.Errors) > 0 {
		// Not judged, or not wholly: only the rules that did fire.
		var msgs []string
		for _, p := range r.Errors {
			msgs = append(msgs, escape.Terminal(p.String()))
		}
		s.Cases = append(s.Cases, junitCase{
			Name: ReportErrorRule, Classname: class, Time: "0",
			Error: &junitResult{Type: "error", Message: escape.Truncate(escape.Terminal(r.Errors[0].Message), junitMessageRunes), Text: strings.Join(msgs, "\n")},
		})
		s.Errors++
	} else {
		for _, rule := range j.Rules {
			ids = append(ids, rule.ID)
		}
	}
	for id := range byRule {
		if !j.hasRule(id) || len(r.Errors) > 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := junitCase{Name: escape.Terminal(id), Classname: class, Time: "0"}
		fs := byRule[id]
		if len(fs) > 0 {
			// Waived findings are shown, but only the others count.
			var counted []gate.Finding
			var worst policy.Level
			var text []string
			for _, f := range fs {
				if f.Waived == nil {
					counted = append(counted, f)
					worst = max(worst, f.Level)
				}
				text = append(text, junitFinding(f))
			}
			body := strings.Join(text, "\n\n")
			switch {
			case len(counted) == 0:
				c.Skipped = &junitResult{Message: escape.Truncate(escape.Terminal(WaivedText(fs[0].Waived)), junitMessageRunes), Text: body}
				s.Skipped++
			case worst >= policy.Review:
				msg := escape.Truncate(escape.Terminal(counted[0].Message), junitMessageRunes)
				if len(counted) > 1 {
					msg += fmt.Sprintf(" (and %d more)", len(counted)-1)
				}
				c.Failure = &junitResult{Type: worst.String(), Message: msg, Text: body}
				s.Failures++
			default:
				c.SystemOut = body
			}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	return s
}

func (j *JUnit) hasRule(id string) bool {
	for _, r := range j.Rules {
		if r.ID == id {
			return true
		}
	}
	return false
}

// junitFinding describes one finding in a testcase's text.
func junitFinding(f gate.Finding) string {
	loc := escape.Terminal(f.Location.File)
	if f.Location.Line > 0 {
		loc += ":" + strconv.Itoa(f.Location.Line)
	}
	s := f.Level.String() + " " + escape.Terminal(f.Rule) + " at " + loc
	if f.Field != "" {
		s += " (field " + escape.Terminal(f.Field) + ")"
	}
	s += "\n" + escape.Terminal(f.Message)
	if f.Remediation != "" {
		s += "\nFix: " + escape.Terminal(f.Remediation)
	}
	if f.Waived != nil {
		s += "\nWaived: " + escape.Terminal(WaivedText(f.Waived))
	}
	return s
}

// xmlSafeLog keeps XML inert in a GitHub Actions log: "##[" can only be in
// attribute values or text, where "[" may be written as a character
// reference. No line can start with "::": encoding/xml writes line breaks
// in text and attributes as character references, so every line of the
// file starts with markup.
func xmlSafeLog(b []byte) []byte {
	return escape.XMLLog(b)
}
