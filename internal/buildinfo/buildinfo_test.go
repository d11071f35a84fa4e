package buildinfo

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	const rev = "10ccf74abcde0123456789abcdef0123456789ab"
	vcs := func(mainVersion string, modified bool) *debug.BuildInfo {
		m := "false"
		if modified {
			m = "true"
		}
		return &debug.BuildInfo{
			Main: debug.Module{Path: "github.com/fsar-gate/fsar", Version: mainVersion},
			Settings: []debug.BuildSetting{
				{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: m},
			},
		}
	}
	module := func(mainVersion string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/fsar-gate/fsar", Version: mainVersion}}
	}
	for _, c := range []struct {
		name                  string
		version, commit       string
		bi                    *debug.BuildInfo
		wantVersion, wantComm string
	}{
		{"release stamped by the linker", "v1.2.3", rev, module("(devel)"), "v1.2.3", rev},
		{"stamped version, commit from the checkout", "v1.2.3", "", vcs("(devel)", false), "v1.2.3", rev},
		{"go install at a release", "dev", "", module("v1.2.3"), "v1.2.3", ""},
		{"go install at a pre-release", "dev", "", module("v1.3.0-rc.1"), "v1.3.0-rc.1", ""},
		{"go install at a commit", "dev", "", module("v0.0.0-20261130123300-10ccf74abcde"), "v0.0.0-20261130123300-10ccf74abcde", "10ccf74abcde"},
		{"go install after a tag", "dev", "", module("v1.2.4-0.20261130123300-10ccf74abcde"), "v1.2.4-0.20261130123300-10ccf74abcde", "10ccf74abcde"},
		{"local build", "dev", "", vcs("(devel)", false), "dev", rev},
		{"local build with changes", "dev", "", vcs("v0.0.0-20261130123300-10ccf74abcde+dirty", true), "dev", rev + "-dirty"},
		{"local build after a tag (Go 1.24 pseudo-version)", "dev", "", vcs("v1.2.4-0.20261130123300-10ccf74abcde", false), "dev", rev},
		{"local build exactly at a release tag", "dev", "", vcs("v1.2.3", false), "v1.2.3", rev},
		{"go test, go run: no version", "dev", "", module(""), "dev", ""},
		{"no build information", "dev", "", nil, "dev", ""},
		{"empty stamp", "", "", module("(devel)"), "dev", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, commit := Resolve(c.version, c.commit, c.bi)
			if v != c.wantVersion || commit != c.wantComm {
				t.Errorf("Resolve = %q, %q; want %q, %q", v, commit, c.wantVersion, c.wantComm)
			}
		})
	}
}

func TestCurrentNamesAnUnknownCommit(t *testing.T) {
	saved := Commit
	t.Cleanup(func() { Commit = saved })
	Commit = ""
	if got := Current().Commit; got != "unknown" {
		t.Errorf("Current().Commit = %q, want unknown", got)
	}
	var buf bytes.Buffer
	if err := Current().Write(&buf, false); err != nil || !strings.Contains(buf.String(), "commit unknown\n") {
		t.Errorf("Write = %q, %v", buf.String(), err)
	}
}

func TestWriteDate(t *testing.T) {
	var buf bytes.Buffer
	i := Info{FSAR: "v1.2.3", Commit: "10ccf74", Date: "2026-11-30T12:36:23Z", OPA: "1.22.3", Go: "go1.26.8"}
	if err := i.Write(&buf, false); err != nil {
		t.Fatal(err)
	}
	want := "fsar v1.2.3\ncommit 10ccf74\ndate 2026-11-30T12:36:23Z\nopa 1.22.3\ngo go1.26.8\n"
	if buf.String() != want {
		t.Errorf("Write = %q, want %q", buf.String(), want)
	}
}
