package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/open-policy-agent/opa/v1/version"
	"github.com/spf13/cobra"
)

// Commit is the fsar commit, set at build time with
// -ldflags "-X github.com/fsar-gate/fsar/internal/cli.Commit=abc1234";
// without it, the commit the Go toolchain recorded, if any.
var Commit = ""

// versionInfo is what `fsar version` reports.
type versionInfo struct {
	FSAR   string `json:"fsar"`
	Commit string `json:"commit"`
	OPA    string `json:"opa"`
	Go     string `json:"go"`
}

func currentVersion() versionInfo {
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
	return versionInfo{FSAR: Version, Commit: commit, OPA: version.Version, Go: runtime.Version()}
}

func newVersionCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the versions of fsar, its commit, OPA and Go",
		Example: `  fsar version
  fsar version --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := currentVersion()
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			_, err := fmt.Fprintf(f.IO.Out, "fsar %s\ncommit %s\nopa %s\ngo %s\n", v.FSAR, v.Commit, v.OPA, v.Go)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the versions as JSON")
	return cmd
}
