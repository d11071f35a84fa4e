package report

import "testing"

func TestSARIFMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain [fsar_block] marker", "plain [fsar_block] marker"},
		{"see [here](1)", `see \[here\](1)`},
		{`a\ [x](y)`, `a\\ \[x\](y)`},
		{"{0} set", "{{0}} set"},
		{"{not a placeholder}", "{not a placeholder}"},
	} {
		if got := sarifMessage(tc.in); got != tc.want {
			t.Errorf("sarifMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPascalNameAndSemver(t *testing.T) {
	for in, want := range map[string]string{
		"severity-hard": "SeverityHard", "fsar.example.deny": "FsarExampleDeny", "::error::": "Error", "": "Rule", "1st": "Rule1st",
	} {
		if got := pascalName(in); got != want {
			t.Errorf("pascalName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"v1.2.3": "1.2.3", "1.0.0-rc.1+b": "1.0.0-rc.1+b", "dev": "", "v1.2": ""} {
		if got := semver(in); got != want {
			t.Errorf("semver(%q) = %q, want %q", in, got, want)
		}
	}
}
