// Package buildinfo names what built this fsar: its version and commit,
// stamped at build time, and the versions of OPA and Go it was built with.
// Every output that records what judged a report takes them from here.
package buildinfo

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/open-policy-agent/opa/v1/version"
)

// Version is the fsar version, set at build time with
// -ldflags "-X github.com/fsar-gate/fsar/internal/buildinfo.Version=v1.2.3".
var Version = "dev"

// Commit is the fsar commit, set at build time with
// -ldflags "-X github.com/fsar-gate/fsar/internal/buildinfo.Commit=abc1234";
// without it, the commit the Go toolchain recorded, if any.
var Commit = ""

// OPA is the version of the Open Policy Agent fsar embeds.
var OPA = version.Version

// Info is what `fsar version` reports.
type Info struct {
	FSAR   string `json:"fsar"`
	Commit string `json:"commit"`
	OPA    string `json:"opa"`
	Go     string `json:"go"`
}

// Current describes this binary.
func Current() Info {
	commit := Commit
	if commit == "" {
		commit = "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && s.Value != "" {
					commit = s.Value
				}
			}
		}
	}
	return Info{FSAR: Version, Commit: commit, OPA: OPA, Go: runtime.Version()}
}

// Write writes the versions, one "name version" a line, or as JSON.
func (i Info) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(i)
	}
	_, err := fmt.Fprintf(w, "fsar %s\ncommit %s\nopa %s\ngo %s\n", i.FSAR, i.Commit, i.OPA, i.Go)
	return err
}
