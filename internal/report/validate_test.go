package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fsar-gate/fsar/internal/gate"
	"github.com/fsar-gate/fsar/internal/policy"
)

// The official schemas, committed under testdata/schemas (see the README
// there): SARIF 2.1.0's JSON schema and Jenkins' junit-10.xsd.
func schemaPath(t testing.TB, name string) string {
	return filepath.Join(repoRoot(t), "testdata", "schemas", name)
}

var (
	sarifSchemaOnce sync.Once
	sarifSchemaC    *jsonschema.Schema
	sarifSchemaErr  error
)

// validateSARIF checks b against the SARIF 2.1.0 JSON schema, formats
// (uri, uri-reference, date-time) asserted.
func validateSARIF(t testing.TB, b []byte) {
	t.Helper()
	sarifSchemaOnce.Do(func() {
		path := schemaPath(t, "sarif-2.1.0-rtm.5.json")
		f, err := os.Open(path)
		if err != nil {
			sarifSchemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			sarifSchemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := "file://" + filepath.ToSlash(path)
		if err := c.AddResource(url, doc); err != nil {
			sarifSchemaErr = err
			return
		}
		sarifSchemaC, sarifSchemaErr = c.Compile(url)
	})
	if sarifSchemaErr != nil {
		t.Fatalf("SARIF schema: %v", sarifSchemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sarifSchemaC.Validate(inst); err != nil {
		t.Fatalf("SARIF output is not valid SARIF 2.1.0: %v", err)
	}
}

// xmllint finds xmllint. In CI (CI set) its absence fails the test; on a
// developer's machine the schema check is skipped with a message.
func xmllint(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatal("xmllint is not installed, and CI is set: install it (apt-get install -y libxml2-utils) so that JUnit output is checked against junit-10.xsd")
	}
	t.Skip("xmllint not found: JUnit output not checked against junit-10.xsd (apt-get install -y libxml2-utils)")
	return ""
}

// validateJUnit checks that b is well-formed XML and valid against
// Jenkins' junit-10.xsd (xmllint --schema).
func validateJUnit(t testing.TB, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("JUnit output is not well-formed XML: %v", err)
		}
	}
	lint := xmllint(t)
	file := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--noout", "--schema", schemaPath(t, "junit-10.xsd"), file).CombinedOutput()
	if err != nil {
		t.Fatalf("JUnit output is not valid against junit-10.xsd: %v\n%s", err, out)
	}
}

// multitool runs Microsoft's SARIF Multitool, when FSAR_SARIF_MULTITOOL
// names it, with the rules GitHub code scanning applies (Gh) and SARIF's
// own, failing on any error. Otherwise the check is skipped.
func multitool(t testing.TB, b []byte) {
	t.Helper()
	tool := os.Getenv("FSAR_SARIF_MULTITOOL")
	if tool == "" {
		t.Skip("FSAR_SARIF_MULTITOOL not set: Microsoft's SARIF Multitool not run (npm package @microsoft/sarif-multitool-linux; see testdata/schemas/README.md)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "fsar.sarif")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "validate", "--rule-kind", "Gh;Sarif", "--level", "Error", "--output", filepath.Join(dir, "validation.sarif"), in)
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
	out, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(out, []byte(": error ")) {
		t.Fatalf("Sarif.Multitool validate: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Analysis completed successfully") {
		t.Fatalf("Sarif.Multitool validate did not complete:\n%s", out)
	}
}

func TestSARIFValidAgainstSchema(t *testing.T) {
	res, rules := proposalsResult(t)
	validateSARIF(t, render(t, "sarif", githubOptions(rules), res))
	validateSARIF(t, render(t, "sarif", Options{}, res))
	waived, _ := waivedResult(t)
	sarif := render(t, "sarif", githubOptions(rules), waived)
	if !bytes.Contains(sarif, []byte(`"suppressions"`)) {
		t.Fatal("no suppressions in the SARIF of waived findings")
	}
	validateSARIF(t, sarif)
}

func TestSARIFMultitool(t *testing.T) {
	res, rules := proposalsResult(t)
	sarif := render(t, "sarif", githubOptions(rules), res)
	multitool(t, sarif)
	waived, _ := waivedResult(t)
	multitool(t, render(t, "sarif", githubOptions(rules), waived))
	// And it does fail SARIF that GitHub would refuse: a rule without a
	// full description.
	bad := bytes.ReplaceAll(sarif, []byte(`"fullDescription"`), []byte(`"fullDescriptionX"`))
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		multitool(ft, bad)
	}()
	if !ft.failed {
		t.Error("the multitool accepted rules without a fullDescription")
	}
}

func TestJUnitValidAgainstSchema(t *testing.T) {
	res, rules := proposalsResult(t)
	validateJUnit(t, render(t, "junit", githubOptions(rules), res))
	waived, _ := waivedResult(t)
	validateJUnit(t, render(t, "junit", githubOptions(rules), waived))
	validateJUnit(t, render(t, "junit", Options{}, res))
}

// TestSchemasCatchMistakes: the validators do reject what is not SARIF or
// JUnit, so a pass means something.
func TestSchemasCatchMistakes(t *testing.T) {
	res, rules := proposalsResult(t)
	sarif := render(t, "sarif", githubOptions(rules), res)
	bad := bytes.Replace(sarif, []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		validateSARIF(ft, bad)
	}()
	if !ft.failed {
		t.Error("the SARIF schema accepted a result level of fatal")
	}
	if _, err := exec.LookPath("xmllint"); err == nil {
		junit := render(t, "junit", githubOptions(rules), res)
		bad := bytes.Replace(junit, []byte(`<testcase name=`), []byte(`<testcase nom=`), 1)
		ft := &fakeT{TB: t}
		func() {
			defer func() { _ = recover() }()
			validateJUnit(ft, bad)
		}()
		if !ft.failed {
			t.Error("junit-10.xsd accepted a testcase without a name")
		}
	}
}

// fakeT records a failure instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	panic("fatal")
}
func (f *fakeT) Fatal(args ...any) {
	f.failed = true
	panic("fatal")
}

func TestHostileSARIFMultitool(t *testing.T) {
	res, rules := hostileResult(t)
	multitool(t, render(t, "sarif", githubOptions(rules), res))
}

// sarifFingerprints returns the fsar partial fingerprint of every result.
func sarifFingerprints(t *testing.T, doc []byte) []string {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(doc, &log); err != nil {
		t.Fatal(err)
	}
	var fps []string
	for _, r := range log.Runs[0].Results {
		fps = append(fps, r.PartialFingerprints[FingerprintKey])
	}
	return fps
}

// TestSARIFFingerprintsStable: the fingerprints do not change when the
// numbers in the messages do (a stale report is a day older tomorrow) or
// when findings move to other lines, and no two results of a run share one.
func TestSARIFFingerprintsStable(t *testing.T) {
	res, rules := proposalsResult(t)
	opts := Options{Rules: rules}
	before := sarifFingerprints(t, render(t, "sarif", opts, res))

	var moved gate.Result
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &moved); err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i := range moved.Reports {
		for j := range moved.Reports[i].Findings {
			f := &moved.Reports[i].Findings[j]
			if m := digitsRE.ReplaceAllString(f.Message, "1$0"); m != f.Message {
				f.Message = m
				changed++
			}
			f.Location.Line += 3
		}
	}
	if changed < 5 {
		t.Fatalf("only %d messages hold numbers: the test needs more", changed)
	}
	after := sarifFingerprints(t, render(t, "sarif", opts, &moved))
	if !slices.Equal(before, after) {
		t.Errorf("fingerprints changed with the numbers and lines:\nbefore %q\nafter  %q", before, after)
	}
	seen := map[string]bool{}
	for _, fp := range before {
		if fp == "" || seen[fp] {
			t.Errorf("fingerprint %q empty or given twice", fp)
		}
		seen[fp] = true
	}
}

// TestSARIFFingerprintsKeepToTheirFinding: when one of two findings of a
// rule and field goes, the other keeps its fingerprint (code scanning
// closes the alert that was fixed, not the one still there).
func TestSARIFFingerprintsKeepToTheirFinding(t *testing.T) {
	secret := func(kind string, line int) gate.Finding {
		return gate.Finding{Level: policy.Deny, Rule: "secret", Field: "proposal", Package: "fsar.secrets",
			Message:  fmt.Sprintf("proposal contains %s at its line %d, column 1", kind, line),
			Location: gate.Location{File: "fsar_a.json", Line: 3}}
	}
	token, key := secret("a GitHub token (ghp_****)", 1), secret("an AWS access key id (AKIA****)", 2)
	sameKind := secret("a GitHub token (ghp_****)", 4)
	result := func(fs ...gate.Finding) *gate.Result {
		return &gate.Result{Reports: []gate.Report{{ID: "a", Findings: fs}}}
	}
	both := sarifFingerprints(t, render(t, "sarif", Options{}, result(token, key)))
	onlyKey := sarifFingerprints(t, render(t, "sarif", Options{}, result(key)))
	if onlyKey[0] != both[1] {
		t.Error("the AWS key's fingerprint changed when the GitHub token was removed")
	}
	twoTokens := sarifFingerprints(t, render(t, "sarif", Options{}, result(token, sameKind)))
	if twoTokens[0] == twoTokens[1] {
		t.Error("two tokens of one kind share a fingerprint")
	}
}
