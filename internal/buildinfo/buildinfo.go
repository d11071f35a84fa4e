// Package buildinfo names what built this fsar: its version and commit,
// and the versions of OPA and Go it was built with. Every output that
// records what judged a report takes them from here.
//
// The version and commit come from, in order:
//
//   - the linker: a release (GoReleaser, `make build`) stamps them with
//     -ldflags "-X github.com/fsar-gate/fsar/internal/buildinfo.Version=v1.2.3
//     -X github.com/fsar-gate/fsar/internal/buildinfo.Commit=<full commit>"
//     (and Date, the commit's date);
//   - the module's build information: `go install
//     github.com/fsar-gate/fsar/cmd/fsar@v1.2.3` records v1.2.3 as the main
//     module's version (a pseudo-version such as
//     v0.0.0-20261130123300-10ccf74abcde names its commit too);
//   - the version control information the Go toolchain records in a local
//     build: the version is then "dev" and the commit the checkout's, with
//     "-dirty" when it had uncommitted changes.
package buildinfo

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"

	"github.com/open-policy-agent/opa/v1/version"
)

// Version is the fsar version: stamped by the linker, else the module
// version `go install` recorded, else "dev". It must stay initialised to a
// constant for -X to set it.
var Version = "dev"

// Commit is the fsar commit: stamped by the linker, else the one the
// build information names, else "".
var Commit = ""

// Date is when the commit fsar was built from was made (RFC 3339), set by
// the linker in a release; "" otherwise.
var Date = ""

// OPA is the version of the Open Policy Agent fsar embeds.
var OPA = version.Version

func init() {
	bi, _ := debug.ReadBuildInfo()
	Version, Commit = Resolve(Version, Commit, bi)
}

// releaseRE is a module version that names a release: vX.Y.Z with an
// optional pre-release, not a pseudo-version and not "+dirty".
var releaseRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// pseudoRE is a Go pseudo-version; its last group is the abbreviated
// commit (https://go.dev/ref/mod#pseudo-versions).
var pseudoRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-(?:0\.|[0-9A-Za-z.-]*\.0\.)?[0-9]{14}-([0-9a-f]{12})$`)

// Resolve works out the version and commit from what the linker stamped
// (version is "dev" or empty when nothing was) and the binary's build
// information (nil when there is none).
func Resolve(version, commit string, bi *debug.BuildInfo) (string, string) {
	stamped := version != "" && version != "dev"
	var revision string
	modified := false
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if commit == "" && revision != "" {
		commit = revision
		if modified {
			commit += "-dirty"
		}
	}
	if stamped {
		return version, commit
	}
	version = "dev"
	if bi == nil {
		return version, commit
	}
	mv := bi.Main.Version
	switch {
	case revision != "":
		// A local build from a checkout. Go 1.24 and later derive the
		// module version from the checkout's tags; only a clean checkout
		// exactly at a release tag is that release.
		if releaseRE.MatchString(mv) && !modified && !pseudoRE.MatchString(mv) {
			version = mv
		}
	case releaseRE.MatchString(mv):
		// go install …@vX.Y.Z: the module proxy's version, no checkout.
		version = mv
		if m := pseudoRE.FindStringSubmatch(mv); m != nil && commit == "" {
			commit = m[1]
		}
	}
	return version, commit
}

// Info is what `fsar version` reports.
type Info struct {
	FSAR   string `json:"fsar"`
	Commit string `json:"commit"`
	Date   string `json:"date,omitempty"`
	OPA    string `json:"opa"`
	Go     string `json:"go"`
}

// Current describes this binary.
func Current() Info {
	commit := Commit
	if commit == "" {
		commit = "unknown"
	}
	return Info{FSAR: Version, Commit: commit, Date: Date, OPA: OPA, Go: runtime.Version()}
}

// Write writes the versions, one "name version" a line, or as JSON.
func (i Info) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(i)
	}
	date := ""
	if i.Date != "" {
		date = "date " + i.Date + "\n"
	}
	_, err := fmt.Fprintf(w, "fsar %s\ncommit %s\n%sopa %s\ngo %s\n", i.FSAR, i.Commit, date, i.OPA, i.Go)
	return err
}
