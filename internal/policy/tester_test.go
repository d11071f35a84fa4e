package policy

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTest(t *testing.T) {
	policy := regoSrc(
		"package fsar.sev",
		"",
		"deny contains {\"msg\": \"too high\"} if {",
		"\tinput.severity >= data.fsar.config.block",
		"}",
		"",
		"warn contains {\"msg\": \"odd\"} if {",
		"\tinput.severity % 2 == 1",
		"\tinput.never_set",
		"}",
	)
	tests := regoSrc(
		"package fsar.sev_test",
		"",
		"import data.fsar.sev",
		"",
		"test_deny if {",
		"\tcount(sev.deny) == 1 with input as {\"severity\": 50}",
		"}",
		"",
		"test_fails if {",
		"\tprint(\"checking\")",
		"\tcount(sev.deny) == 0 with input as {\"severity\": 50}",
		"}",
		"",
		"test_errors if {",
		"\tto_number(\"x\") == 1",
		"}",
		"",
		"todo_test_later if false",
	)
	files := map[string]string{"sev.rego": policy, "sev_test.rego": tests}
	opts := TestOptions{
		Sources:  []Source{{Name: "policies", FS: memFS(files)}},
		Config:   map[string]any{"block": 45},
		Coverage: true,
	}
	rep, err := Test(t.Context(), opts)
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	want := []TestResult{
		{Package: "fsar.sev_test", Name: "test_deny", File: "policies/sev_test.rego", Line: 5, Outcome: TestPass},
		{Package: "fsar.sev_test", Name: "test_fails", File: "policies/sev_test.rego", Line: 9, Outcome: TestFail,
			Output: "checking\n"},
		{Package: "fsar.sev_test", Name: "test_errors", File: "policies/sev_test.rego", Line: 14, Outcome: TestError,
			Err: "policies/sev_test.rego:15:2: to_number: strconv.ParseFloat: parsing \"x\": invalid syntax"},
		{Package: "fsar.sev_test", Name: "todo_test_later", File: "policies/sev_test.rego", Line: 18, Outcome: TestSkip},
	}
	if diff := cmp.Diff(want, rep.Results, cmpopts.IgnoreFields(TestResult{}, "Duration")); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if rep.OK() || rep.Count(TestPass) != 1 || rep.Count(TestFail) != 1 || rep.Count(TestError) != 1 || rep.Count(TestSkip) != 1 {
		t.Errorf("counts: OK=%v pass=%d fail=%d error=%d skip=%d", rep.OK(),
			rep.Count(TestPass), rep.Count(TestFail), rep.Count(TestError), rep.Count(TestSkip))
	}

	cov := rep.Coverage
	if cov == nil {
		t.Fatal("no coverage report")
	}
	if len(cov.Files) != 1 || cov.Files[0].File != "policies/sev.rego" {
		t.Fatalf("coverage files = %+v, want only policies/sev.rego", cov.Files)
	}
	f := cov.Files[0]
	if f.CoveredLines == 0 || f.NotCoveredLines == 0 || f.Percent <= 0 || f.Percent >= 100 {
		t.Errorf("file coverage = %+v, want partly covered", f)
	}
	if cov.Percent != f.Percent || cov.CoveredLines != f.CoveredLines {
		t.Errorf("overall %+v does not match the one file %+v", cov, f)
	}
	// The warn rule is never reached: its head and body lines are not covered.
	var uncovered []int
	for _, r := range f.NotCovered {
		for l := r.Start; l <= r.End; l++ {
			uncovered = append(uncovered, l)
		}
	}
	if !containsAll(uncovered, 7, 8) {
		t.Errorf("not covered lines %v, want 7 and 8 among them", uncovered)
	}

	t.Run("run filter", func(t *testing.T) {
		o := opts
		o.Run = "test_deny$"
		o.Coverage = false
		rep, err := Test(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 1 || rep.Results[0].Name != "test_deny" || !rep.OK() || rep.Coverage != nil {
			t.Errorf("filtered report = %+v", rep)
		}
	})
	t.Run("bad filter", func(t *testing.T) {
		o := opts
		o.Run = "("
		if _, err := Test(t.Context(), o); err == nil {
			t.Error("bad filter accepted")
		}
	})
	t.Run("no tests", func(t *testing.T) {
		rep, err := Test(t.Context(), TestOptions{Sources: []Source{{Name: "p", FS: memFS(map[string]string{"sev.rego": policy})}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 0 || !rep.OK() {
			t.Errorf("report = %+v", rep)
		}
	})
}

func TestTestErrors(t *testing.T) {
	ok := "package fsar.ok\n\ndeny contains \"m\" if false\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "a syntax error in a test file",
			files: map[string]string{"ok.rego": ok, "ok_test.rego": "package fsar.ok_test\n\ntest_x if {\n"},
			want:  []string{"policies/ok_test.rego:4:", "unexpected eof"},
		},
		{
			name:  "a test file calling http.send",
			files: map[string]string{"ok.rego": ok, "ok_test.rego": "package fsar.ok_test\n\ntest_x if {\n\thttp.send({\"method\": \"GET\", \"url\": \"http://x\"})\n}\n"},
			want:  []string{"policies/ok_test.rego:4:", "undefined function http.send"},
		},
		{
			name:  "a policy that breaks the contract",
			files: map[string]string{"c.rego": "package fsar.config\n\nx := 1\n", "ok_test.rego": "package fsar.ok_test\n\ntest_x if true\n"},
			want:  []string{"policies/c.rego:1:", "reserved"},
		},
		{
			name:  "a test package named fsar.config",
			files: map[string]string{"ok.rego": ok, "c_test.rego": "package fsar.config\n\ntest_x if true\n"},
			want:  []string{"policies/c_test.rego:1:", "reserved"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Test(t.Context(), TestOptions{Sources: []Source{{Name: "policies", FS: memFS(tt.files)}}})
			if err == nil {
				t.Fatal("Test succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestTestBundle(t *testing.T) {
	rep, err := Test(t.Context(), TestOptions{Sources: []Source{bundleSource()}, Coverage: true})
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	if !rep.OK() || rep.Count(TestPass) == 0 {
		t.Errorf("bundle tests: %+v", rep.Results)
	}
	if rep.Coverage == nil || len(rep.Coverage.Files) != 4 {
		t.Errorf("coverage = %+v, want the four policy files", rep.Coverage)
	}
}

func containsAll(have []int, want ...int) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// bundleSource is the test bundle in testdata/bundle, shaped like the
// default bundle.
func bundleSource() Source {
	return Source{Name: "testdata/bundle", FS: os.DirFS("testdata/bundle")}
}
